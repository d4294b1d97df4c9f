import type { Socket } from 'node:net';

/**
 * Requests of one connection that may wait for an answer at once. No SDK pipelines: each sends
 * a request and waits for its answer, so one is the most a real client ever has in flight.
 */
export const MAX_PENDING_PER_CONNECTION = 8;

/**
 * Bounds what a pipelining client can make the daemon hold. node stops reading a connection
 * only once answers are queued unsent; a request still being answered (its peer lookup pending,
 * STS being asked) has written nothing, so node goes on parsing whatever the client sends, and
 * `socket.pause()` cannot stop it (node resumes the socket after every complete request). One
 * measured client had 43,000 requests waiting, 400 MiB, within a second, while its peer
 * lookup ran. So a connection with more than `max` requests waiting is closed instead.
 *
 * Returns the check for one request: true to go on (its answer, once the response is done
 * with, frees its place), false when the connection was closed. `onFlood` is told once per
 * connection closed.
 */
export function createPipelineCap(
  max: number,
  onFlood: (socket: Socket) => void,
): (socket: Socket, res: { once(event: 'close', f: () => void): unknown }) => boolean {
  const pending = new WeakMap<Socket, number>();
  return (socket, res) => {
    if (socket.destroyed) return false;
    const n = (pending.get(socket) ?? 0) + 1;
    if (n > max) {
      socket.destroy();
      onFlood(socket);
      return false;
    }
    pending.set(socket, n);
    res.once('close', () => {
      const left = (pending.get(socket) ?? 1) - 1;
      if (left > 0) pending.set(socket, left);
      else pending.delete(socket);
    });
    return true;
  };
}
