import { readFileSync } from 'node:fs';

/**
 * "nobody (uid 65534)", or "uid 1234" when /etc/passwd does not list the uid (or cannot be
 * read): how an error names the owner of a file or a port.
 */
export function describeUid(uid: number, passwdFile = '/etc/passwd'): string {
  try {
    for (const line of readFileSync(passwdFile, 'utf8').split('\n')) {
      const [name, , id] = line.split(':');
      if (name && id !== undefined && Number(id) === uid && /^\d+$/.test(id)) return `${name} (uid ${uid})`;
    }
  } catch {
    // no passwd file (a container, macOS): the number is all there is
  }
  return `uid ${uid}`;
}
