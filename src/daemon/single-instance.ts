import { connect } from 'node:net';
import { existsSync, lstatSync, renameSync, rmSync } from 'node:fs';
import { AlreadyRunningError } from '../errors.js';

/** Resolves true when something accepts connections on the Unix socket. */
export function socketAlive(path: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(path);
    const done = (alive: boolean) => {
      s.destroy();
      resolve(alive);
    };
    s.setTimeout(timeoutMs, () => done(true));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

/**
 * Refuses when another daemon of this user answers on the control socket `path`. Called with
 * the start lock held (start-lock.ts), so no other daemon can place its socket meanwhile.
 */
export async function refuseIfRunning(path: string): Promise<void> {
  if (existsSync(path) && (await socketAlive(path))) throw new AlreadyRunningError(path);
}

/**
 * Moves the socket this daemon listens on at `tmp` to `path`, replacing a dead daemon's socket in
 * one rename (no unlink that could hit a socket just made). Also with the start lock held.
 * Listening on a name of its own also means that closing the server later (which unlinks the
 * name it listened on) never removes the socket at `path`. Returns whether a socket was replaced.
 */
export function placeSocket(tmp: string, path: string): 'fresh' | 'took-over' {
  const replaced = existsSync(path);
  renameSync(tmp, path);
  return replaced ? 'took-over' : 'fresh';
}

/** Removes the socket at `path` if it is still the one with inode `ino` (ours). */
export function removeOwnSocket(path: string, ino: number | undefined): void {
  try {
    if (ino !== undefined && lstatSync(path).ino === ino) rmSync(path, { force: true });
  } catch {
    // already gone
  }
}
