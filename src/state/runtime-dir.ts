import { lstatSync, mkdirSync, readlinkSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';
import { UnsafeRuntimeDirError } from '../errors.js';
import { describeUid } from '../system/user-name.js';

const fixOther = 'Set XDG_RUNTIME_DIR to a directory of your own (mode 0700), or have its owner (or root) remove it.';

function lstatOrUndefined(dir: string): Stats | undefined {
  try {
    return lstatSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Throws unless `st` (from lstat, never stat: a symlink is not followed) is a 0700 directory owned by `uid`. */
function verify(dir: string, st: Stats, uid: number): void {
  if (st.isSymbolicLink()) {
    let target = '?';
    try {
      target = readlinkSync(dir);
    } catch {
      // gone meanwhile: the link itself is the finding
    }
    throw new UnsafeRuntimeDirError(dir, `it is a symbolic link (to ${target}), owned by ${describeUid(st.uid)}`, fixOther);
  }
  if (!st.isDirectory()) throw new UnsafeRuntimeDirError(dir, `it is not a directory (owned by ${describeUid(st.uid)})`, fixOther);
  if (st.uid !== uid) throw new UnsafeRuntimeDirError(dir, `it is owned by ${describeUid(st.uid)}, not by you (${describeUid(uid)})`, fixOther);
  const mode = st.mode & 0o777;
  if (mode & 0o077) throw new UnsafeRuntimeDirError(dir, `others may use it (mode ${mode.toString(8).padStart(4, '0')})`, `Run \`chmod 700 ${dir}\`.`);
}

/**
 * Checks the runtime directory when it exists; true if it does. Every command calls this before
 * it trusts the control socket or the token file: without XDG_RUNTIME_DIR the directory lies in
 * the shared temp dir, where another user could have made it first.
 */
export function checkRuntimeDir(dir: string, uid: number): boolean {
  const st = lstatOrUndefined(dir);
  if (st) verify(dir, st, uid);
  return st !== undefined;
}

/**
 * Creates the runtime directory race-free (one `mkdir` with mode 0700: whoever creates it owns it),
 * then checks whatever is there, ours or not. Parents are created as needed, also 0700.
 */
export function ensureRuntimeDir(dir: string, uid: number): void {
  mkdirSync(dirname(dir), { recursive: true, mode: 0o700 });
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  verify(dir, lstatSync(dir), uid);
}
