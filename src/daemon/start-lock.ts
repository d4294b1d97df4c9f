import { randomBytes } from 'node:crypto';
import { linkSync, lstatSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AlreadyRunningError } from '../errors.js';

export interface StartLockOptions {
  /** The holder's pid, written into the lock file. */
  pid: number;
  /** Longest wait for another holder (default 10 s). */
  waitMs?: number;
  /** A lock older than this is a crashed holder's, whatever its pid (default 15 s; holders keep it for milliseconds). */
  staleMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};
const inode = (file: string) => {
  try {
    return lstatSync(file).ino;
  } catch {
    return undefined;
  }
};

/**
 * Breaks a crashed holder's lock without the check-then-unlink race: the lock is moved aside
 * under a name of our own, and only removed if what moved is the file judged stale (same inode).
 * A fresh lock moved by mistake is linked back.
 */
function breakStale(lock: string, staleIno: number): void {
  const aside = `${lock}.${process.pid}.${randomBytes(4).toString('hex')}.stale`;
  try {
    renameSync(lock, aside);
  } catch {
    return; // someone else broke it first
  }
  if (inode(aside) !== staleIno) {
    try {
      linkSync(aside, lock);
    } catch {
      // a third process holds the lock now; the displaced holder finishes in milliseconds anyway
    }
  }
  unlinkSync(aside);
}

/**
 * Runs `fn` holding the start lock of the runtime directory `dir` (`start.lock`, created
 * exclusively): daemons that claim the control socket, or recreate it, take turns, so none can
 * remove a socket another has just made. A lock whose holder died is broken.
 */
export async function withStartLock<T>(dir: string, opts: StartLockOptions, fn: () => Promise<T>): Promise<T> {
  const lock = join(dir, 'start.lock');
  const deadline = Date.now() + (opts.waitMs ?? 10_000);
  let ino: number | undefined;
  for (;;) {
    try {
      writeFileSync(lock, `${opts.pid}\n`, { flag: 'wx', mode: 0o600 });
      ino = inode(lock);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let holder = NaN;
    let st: { ino: number; mtimeMs: number } | undefined;
    try {
      st = lstatSync(lock);
      holder = Number(readFileSync(lock, 'utf8').trim());
    } catch {
      continue; // released meanwhile: try again at once
    }
    // An empty file is a holder between create and write: give it its moment, unless it is old.
    const dead = (Number.isInteger(holder) && holder > 0 && !alive(holder)) || Date.now() - st.mtimeMs > (opts.staleMs ?? 15_000);
    if (dead) {
      breakStale(lock, st.ino);
      continue;
    }
    if (Date.now() > deadline) throw new AlreadyRunningError(lock, `another credd (pid ${holder}) has been starting for a while`);
    await sleep(20);
  }
  try {
    return await fn();
  } finally {
    if (ino !== undefined && inode(lock) === ino) unlinkSync(lock);
  }
}
