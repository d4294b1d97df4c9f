import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CreddError, NotFoundError, toCreddError } from '../errors.js';
import type { Logger } from '../log.js';

/** IMDS answers in plain text, like EC2's; everything else in `{Code, Message}` JSON. */
const isImds = (url: string | undefined) => url === '/latest' || (url ?? '').startsWith('/latest/');

/** Sends `e` in the form the path calls for. */
export function sendError(req: FastifyRequest, reply: FastifyReply, e: CreddError): void {
  if (isImds(req.raw.url)) {
    // A 404 says nothing more: no hint about which paths or profiles exist.
    void reply
      .code(e.status)
      .type('text/plain; charset=utf-8')
      .send(e.status === 404 ? 'Not Found' : e.message);
  } else {
    void reply.code(e.status).type('application/json').send({ Code: e.code, Message: e.message });
  }
}

/**
 * The one place where errors become HTTP answers: `{Code, Message}` JSON with the
 * error's status (plain text on the IMDS paths). Fastify's own errors (bad JSON, body
 * too large, validation) keep their 4xx status as `BadRequest`.
 */
export function installErrorHandler(app: FastifyInstance, log: Logger): void {
  app.setErrorHandler((err: FastifyError | CreddError, req: FastifyRequest, reply: FastifyReply) => {
    let e: CreddError;
    if (err instanceof CreddError) e = err;
    else if (typeof (err as FastifyError).statusCode === 'number' && (err as FastifyError).statusCode! < 500) {
      e = new CreddError('BadRequest', `Bad request: ${err.message}`, (err as FastifyError).statusCode!);
    } else {
      e = toCreddError(err);
      // Not `code`: the logger redacts that key (MFA codes).
      log.error({ error: e.code }, e.message);
    }
    sendError(req, reply, e);
  });
  app.setNotFoundHandler((req, reply) => sendError(req, reply, new NotFoundError()));
}
