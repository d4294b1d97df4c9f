import { randomBytes } from 'node:crypto';
import { closeSync, fchmodSync, fchownSync, fsyncSync, openSync, readFileSync, realpathSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * A line-based editor for the AWS credentials file. It changes only the lines it must
 * and leaves everything else byte for byte: other sections, comments, blank lines,
 * order, spacing and line endings.
 */

/** `[name]`, allowing spaces inside the brackets and a trailing comment, as the SDKs do. */
const HEADER = /^\s*\[\s*([^\]]+?)\s*\]\s*(?:[;#].*)?$/;
/** The part of a line that is not a comment (`;`/`#` at the start or after whitespace). */
const content = (line: string) => line.split(/(?:^|\s)[;#]/)[0]!;

interface Line {
  text: string;
  /** The line ending ('' on a last line without one). */
  eol: string;
  section?: string;
  key?: string;
}

function lines(text: string): Line[] {
  const out: Line[] = [];
  let section: string | undefined;
  for (const m of text.matchAll(/([^\r\n]*)(\r?\n|$)/g)) {
    if (m[0] === '' && m.index === text.length) break;
    const t = m[1]!;
    const h = HEADER.exec(t);
    if (h) {
      section = h[1]!;
      out.push({ text: t, eol: m[2]!, section });
      continue;
    }
    const c = content(t);
    const eq = c.indexOf('=');
    const key = eq > 0 && !/^\s/.test(t) ? c.slice(0, eq).trim() : undefined;
    out.push({ text: t, eol: m[2]!, ...(section !== undefined ? { section } : {}), ...(key ? { key } : {}) });
  }
  return out;
}

const join = (ls: Line[]) => ls.map((l) => l.text + l.eol).join('');

/** The keys and values of `[profile]` (the last one wins, as in the SDKs); undefined when there is no such section. */
export function sectionValues(text: string, profile: string): Map<string, string> | undefined {
  let found = false;
  const out = new Map<string, string>();
  for (const l of lines(text)) {
    if (l.section !== profile) continue;
    found = true;
    if (l.key)
      out.set(
        l.key,
        content(l.text)
          .slice(content(l.text).indexOf('=') + 1)
          .trim(),
      );
  }
  return found ? out : undefined;
}

/** The text without the given keys' lines in `[profile]`; the section header stays, even if nothing else does. */
export function removeKeys(text: string, profile: string, keys: readonly string[]): string {
  return join(lines(text).filter((l) => !(l.section === profile && l.key && keys.includes(l.key))));
}

/**
 * The text with `key`'s value in `[profile]` replaced where it stands (spacing before the
 * value kept), or added after the section's last key line when it is not there.
 * Throws when there is no such section.
 */
export function setValue(text: string, profile: string, key: string, value: string): string {
  const ls = lines(text);
  let last = -1;
  let replaced = false;
  ls.forEach((l, i) => {
    if (l.section !== profile) return;
    if (l.key !== undefined || l.text.trim().startsWith('[')) last = i;
    if (l.key === key) {
      const eq = l.text.indexOf('=');
      const space = /^\s*/.exec(l.text.slice(eq + 1))![0];
      l.text = `${l.text.slice(0, eq + 1)}${space}${value}`;
      replaced = true;
    }
  });
  if (last === -1) throw new Error(`no [${profile}] section`);
  if (!replaced) {
    const eol = ls.find((l) => l.eol)?.eol ?? '\n';
    if (!ls[last]!.eol) ls[last]!.eol = eol;
    ls.splice(last + 1, 0, { text: `${key} = ${value}`, eol, section: profile, key });
  }
  return join(ls);
}

/** Reads a file, or '' when it does not exist. */
export function readOrEmpty(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw err;
  }
}

/**
 * Replaces a file's content atomically (temporary file, fsync, rename) keeping its mode and
 * owner; a symlink is followed, so the link stays a link. A new file gets 0600.
 */
export function writeKeepingMode(file: string, text: string): void {
  let target = file;
  let mode = 0o600;
  let owner: { uid: number; gid: number } | undefined;
  try {
    target = realpathSync(file);
    const st = statSync(target);
    mode = st.mode & 0o7777;
    owner = { uid: st.uid, gid: st.gid };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const tmp = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    fchmodSync(fd, mode);
    if (owner && process.getuid?.() === 0) fchownSync(fd, owner.uid, owner.gid);
    writeFileSync(fd, text);
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, target);
  } catch (err) {
    try {
      closeSync(fd);
    } catch {
      // closed already
    }
    unlinkSync(tmp);
    throw err;
  }
  const dirFd = openSync(dirname(target), 'r');
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
}
