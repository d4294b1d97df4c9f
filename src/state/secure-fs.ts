import { randomBytes } from 'node:crypto';
import { closeSync, fchmodSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Creates `dir` (and parents) with mode 0700, since it holds secrets. An existing directory is left
 * as it is: a mode the user set on purpose is not undone at every write, and a directory this
 * user cannot change (left by `sudo credd …`) does not stop the write from being tried.
 */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
}

const TMP = /\.\d+\.[0-9a-f]{8}\.tmp$/;

/**
 * Writes `data` to `file` atomically with mode 0600: a new temporary file in the same
 * directory (created exclusively, so a leftover can never lend it other permissions),
 * fsync, rename, then fsync of the directory. A crash at any moment leaves either the
 * old or the new content, never a mix.
 */
export function writeFileAtomic(file: string, data: string): void {
  const dir = dirname(file);
  ensurePrivateDir(dir);
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'wx', 0o600);
  let written = false;
  try {
    fchmodSync(fd, 0o600);
    writeFileSync(fd, data);
    fsyncSync(fd);
    written = true;
  } finally {
    closeSync(fd);
    if (!written) unlinkSync(tmp);
  }
  try {
    renameSync(tmp, file);
  } catch (err) {
    unlinkSync(tmp);
    throw err;
  }
  syncDir(dir);
}

/** Makes the rename durable across a power cut; not every platform lets a directory be opened. */
function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // best effort
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Removes temporary files that a killed writer of `file` left behind; returns their names. */
export function removeStaleTemps(file: string): string[] {
  const prefix = `${basename(file)}.`;
  let names: string[];
  try {
    names = readdirSync(dirname(file));
  } catch {
    return [];
  }
  const stale = names.filter((n) => n.startsWith(prefix) && TMP.test(n));
  for (const n of stale) {
    try {
      unlinkSync(join(dirname(file), n));
    } catch {
      // gone already, or not ours to remove
    }
  }
  return stale;
}
