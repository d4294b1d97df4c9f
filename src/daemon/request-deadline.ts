import type { FastifyInstance } from 'fastify';
import { DEADLINE_HEADER } from '../control/contract.js';
import { CreddError } from '../errors.js';

/** A command that gave up waiting: the daemon must not apply it behind the user's back. */
export class RequestExpiredError extends CreddError {
  constructor() {
    super(
      'RequestExpired',
      'This request reached credd after the command had stopped waiting (the daemon was frozen or busy), so it was dropped: nothing changed. Run the command again.',
      408,
    );
  }
}

/**
 * Drops a request whose command has already given up (its deadline passed while the daemon was
 * frozen or busy), so a `credd switch` that reported a timeout is not applied later. The CLI sets
 * the deadline a second before its own timeout, so a request taken up in time is answered in time.
 */
export function installRequestDeadline(app: FastifyInstance, now: () => number): void {
  app.addHook('onRequest', async (req) => {
    const raw = req.headers[DEADLINE_HEADER];
    const deadline = typeof raw === 'string' ? Number(raw) : NaN;
    if (Number.isFinite(deadline) && now() > deadline) throw new RequestExpiredError();
  });
}
