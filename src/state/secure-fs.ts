import { chmodSync, mkdirSync, openSync, closeSync, writeSync, fsyncSync, renameSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';

/** Creates `dir` (and parents) and forces it to 0700, since it holds secrets or the control socket. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

/**
 * Writes `data` to `file` atomically with mode 0600: a temporary file in the same
 * directory, fsync, then rename, so a crash leaves either the old or the new content.
 */
export function writeFileAtomic(file: string, data: string): void {
  ensurePrivateDir(dirname(file));
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(tmp, file);
  } catch (err) {
    unlinkSync(tmp);
    throw err;
  }
}
