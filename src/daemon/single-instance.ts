import { connect } from 'node:net';
import { unlinkSync, existsSync } from 'node:fs';
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
 * Makes the socket path free for this daemon: a live socket means another daemon of
 * this user runs (refuse); a dead one was left by a killed daemon (take it over).
 */
export async function claimSocket(path: string): Promise<'fresh' | 'took-over'> {
  if (!existsSync(path)) return 'fresh';
  if (await socketAlive(path)) throw new AlreadyRunningError(path);
  unlinkSync(path);
  return 'took-over';
}
