import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CreddError, toCreddError } from '../errors.js';
import type { Logger } from '../log.js';

/**
 * The one place where errors become HTTP answers: `{Code, Message}` JSON with the
 * error's status. Fastify's own errors (bad JSON, body too large, validation) keep
 * their 4xx status as `BadRequest`.
 */
export function installErrorHandler(app: FastifyInstance, log: Logger): void {
  app.setErrorHandler((err: FastifyError | CreddError, _req: FastifyRequest, reply: FastifyReply) => {
    let e: CreddError;
    if (err instanceof CreddError) e = err;
    else if (typeof (err as FastifyError).statusCode === 'number' && (err as FastifyError).statusCode! < 500) {
      e = new CreddError('BadRequest', `Bad request: ${err.message}`, (err as FastifyError).statusCode!, 2);
    } else {
      e = toCreddError(err);
      log.error({ code: e.code }, e.message);
    }
    void reply.code(e.status).type('application/json').send({ Code: e.code, Message: e.message });
  });
  app.setNotFoundHandler((_req, reply) => {
    void reply.code(404).type('application/json').send({ Code: 'NotFound', Message: 'No such path.' });
  });
}
