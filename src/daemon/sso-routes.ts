import type { FastifyInstance } from 'fastify';
import type { ControlGet, ControlPost } from '../control/contract.js';
import type { SsoService } from './sso-service.js';

const sessionBody = { type: 'object', additionalProperties: false, properties: { session: { type: 'string', maxLength: 256 } } } as const;

/**
 * The control routes of IAM Identity Center, for `credd login`, `credd logout SESSION` and
 * `credd sso roles`. A sign-in runs in the daemon (one per session however many CLIs ask);
 * the CLI only shows the URL (and opens the browser) and waits.
 */
export function registerSsoRoutes(app: FastifyInstance, sso: SsoService): void {
  app.post<{ Body: ControlPost['/sso/login']['body']; Reply: ControlPost['/sso/login']['response'] }>(
    '/sso/login',
    {
      schema: {
        body: { type: 'object', additionalProperties: false, properties: { session: { type: 'string', maxLength: 256 }, device: { type: 'boolean' } } },
      },
    },
    async (req) => sso.login(req.body.session, req.body.device ? 'device' : 'pkce'),
  );
  app.post<{ Body: ControlPost['/sso/login/wait']['body']; Reply: ControlPost['/sso/login/wait']['response'] }>(
    '/sso/login/wait',
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['session'],
          properties: { session: { type: 'string', maxLength: 256 }, waitMs: { type: 'integer', minimum: 0, maximum: 25000 } },
        },
      },
    },
    async (req) => sso.wait(req.body.session, req.body.waitMs ?? 20000),
  );
  app.post<{ Body: ControlPost['/sso/logout']['body']; Reply: ControlPost['/sso/logout']['response'] }>(
    '/sso/logout',
    { schema: { body: sessionBody } },
    async (req) => ({ signedOut: await sso.logout(req.body.session) }),
  );
  app.get<{ Querystring: ControlGet['/sso/roles']['params']; Reply: ControlGet['/sso/roles']['response'] }>('/sso/roles', async (req) => ({
    session: sso.session(req.query.session).loginName,
    accounts: await sso.roles(req.query.session),
  }));
  app.get<{ Reply: ControlGet['/sso/sessions']['response'] }>('/sso/sessions', async () => sso.status());
}
