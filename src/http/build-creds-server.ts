import Fastify, { type FastifyInstance } from 'fastify';
import { UnauthorizedError } from '../errors.js';
import type { Served } from '../engine/served.js';
import { tokenMatches } from '../state/token.js';
import type { Logger } from '../log.js';
import { installErrorHandler } from './error-handler.js';
import { checkProfileName } from './profile-name.js';

/** What the credential endpoint needs from the daemon. */
export interface CredsSource {
  credentials(name?: string): Promise<Served>;
}

export interface CredsServerOptions {
  source: CredsSource;
  /** The value clients must send in `Authorization`. */
  token: string;
  log: Logger;
}

/**
 * Builds the loopback credential endpoint: `GET /creds` (active profile),
 * `GET /creds/NAME` and `GET /healthz`. Bodies are prebuilt; nothing here touches STS
 * when cached credentials are valid.
 */
export function buildCredsServer(opts: CredsServerOptions): FastifyInstance {
  const app = Fastify({ logger: false, maxParamLength: 200, bodyLimit: 1024, return503OnClosing: true });
  installErrorHandler(app, opts.log);

  const auth = async (req: { headers: Record<string, string | string[] | undefined> }) => {
    const header = req.headers.authorization;
    if (!tokenMatches(typeof header === 'string' ? header : undefined, opts.token)) throw new UnauthorizedError();
  };
  const send = async (name: string | undefined) => (await opts.source.credentials(name)).body;

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/creds', { onRequest: auth }, async (_req, reply) => reply.type('application/json').send(await send(undefined)));
  app.get<{ Params: { name: string } }>('/creds/:name', { onRequest: auth }, async (req, reply) =>
    reply.type('application/json').send(await send(checkProfileName(req.params.name))));
  return app;
}
