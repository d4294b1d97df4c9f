import type { FastifyInstance } from 'fastify';
import type { CredsSource } from '../creds-source.js';
import { checkProfileName } from '../../aws/profile-name.js';

/**
 * The container-credentials routes (`AWS_CONTAINER_CREDENTIALS_FULL_URI`): `GET /creds` (the
 * active profile), `GET /creds/NAME`, and `GET /healthz`. The guard has checked the token; the
 * bodies are prebuilt, so nothing here touches STS while cached credentials are valid.
 */
export function registerContainerRoutes(app: FastifyInstance, source: CredsSource): void {
  const send = async (name: string | undefined) => (await source.credentials(name)).body;
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/creds', async (_req, reply) => reply.type('application/json').send(await send(undefined)));
  app.get<{ Params: { name: string } }>('/creds/:name', async (req, reply) =>
    reply.type('application/json').send(await send(checkProfileName(req.params.name))),
  );
}
