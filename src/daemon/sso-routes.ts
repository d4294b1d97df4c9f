import type { FastifyInstance } from 'fastify';
import type { SsoService } from './sso-service.js';

const sessionBody = { type: 'object', additionalProperties: false, properties: { session: { type: 'string', maxLength: 256 } } } as const;

/**
 * The control routes of IAM Identity Center, for `credd login`, `credd logout SESSION` and
 * `credd sso roles`. A sign-in runs in the daemon (one per session however many CLIs ask);
 * the CLI only shows the URL (and opens the browser) and waits.
 */
export function registerSsoRoutes(app: FastifyInstance, sso: SsoService): void {
  app.post<{ Body: { session?: string; device?: boolean } }>('/sso/login', {
    schema: { body: { type: 'object', additionalProperties: false, properties: { session: { type: 'string', maxLength: 256 }, device: { type: 'boolean' } } } },
  }, async (req) => sso.login(req.body.session, req.body.device ? 'device' : 'pkce'));
  app.post<{ Body: { session: string; waitMs?: number } }>('/sso/login/wait', {
    schema: { body: { type: 'object', additionalProperties: false, required: ['session'], properties: { session: { type: 'string', maxLength: 256 }, waitMs: { type: 'integer', minimum: 0, maximum: 25000 } } } },
  }, async (req) => sso.wait(req.body.session, req.body.waitMs ?? 20000));
  app.post<{ Body: { session?: string } }>('/sso/logout', { schema: { body: sessionBody } }, async (req) => ({ signedOut: await sso.logout(req.body.session) }));
  app.get<{ Querystring: { session?: string } }>('/sso/roles', async (req) => ({ session: sso.session(req.query.session).loginName, accounts: await sso.roles(req.query.session) }));
  app.get('/sso/sessions', async () => sso.status());
}
