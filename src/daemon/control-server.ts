import Fastify, { type FastifyInstance } from 'fastify';
import type { Core } from './core.js';
import type { ControlGet, ControlPost, SecurityInfo, SettingsChanges } from '../control/contract.js';
import type { Logger } from '../log.js';
import { NoActiveProfileError } from '../errors.js';
import { installErrorHandler } from '../http/error-handler.js';
import { checkProfileName } from '../aws/profile-name.js';
import { isoSeconds } from '../engine/served.js';
import { installRequestDeadline } from './request-deadline.js';
import type { SsoService } from './sso-service.js';
import { registerSsoRoutes } from './sso-routes.js';

/** Facts about the running daemon that `credd status` adds to the core's status. */
export interface DaemonInfo {
  version: string;
  pid: number;
  endpoint(): string;
  startedAt: number;
  /** Asks the daemon to shut down gracefully (after the reply is sent). */
  stop(): void;
  /** How the loopback endpoint is protected: IMDS on/off, and whether the peer-user check runs. */
  security?(): SecurityInfo;
  /** Re-reads the settings for `credd reload`: an error, or the keys that need a restart. */
  settingsChanges?(): SettingsChanges;
}

export interface ControlServerOptions {
  core: Core;
  info: DaemonInfo;
  log: Logger;
  /** `credd rotate`: runs in the daemon, which holds the MFA session. */
  rotate?(profile: string): Promise<ControlPost['/rotate']['response']>;
  /** IAM Identity Center sign-in, sign-out and discovery. */
  sso?: SsoService;
  /** More routes, each in its own file (console, eks-token). */
  routes?: Array<(app: FastifyInstance) => void>;
  /** Wall clock, for the CLI's request deadlines (default Date.now). */
  now?(): number;
}

const nameBody = {
  type: 'object',
  additionalProperties: false,
  properties: { profile: { type: 'string', maxLength: 128 } },
} as const;

/**
 * The control API on the Unix socket (0600): internal to the CLI, HTTP+JSON.
 * Access is limited by the socket's file mode, so no token is needed here.
 */
export function buildControlServer(opts: ControlServerOptions): FastifyInstance {
  const { core, info } = opts;
  const app = Fastify({ logger: false, bodyLimit: 4096 });
  installErrorHandler(app, opts.log);
  installRequestDeadline(app, opts.now ?? Date.now);
  const name = (n: string | undefined) => (n === undefined ? undefined : checkProfileName(n));

  app.get<{ Reply: ControlGet['/status']['response'] }>('/status', async () => ({
    running: true,
    version: info.version,
    pid: info.pid,
    endpoint: info.endpoint(),
    startedAt: isoSeconds(info.startedAt),
    ...(info.security ? { security: info.security() } : {}),
    ...core.status(),
    ...(opts.sso ? { ssoSessions: opts.sso.status() } : {}),
  }));
  if (opts.sso) registerSsoRoutes(app, opts.sso);
  app.get<{ Reply: ControlGet['/profiles']['response'] }>('/profiles', async () => core.profiles());
  app.post<{ Body: ControlPost['/switch']['body']; Reply: ControlPost['/switch']['response'] }>(
    '/switch',
    { schema: { body: { ...nameBody, required: ['profile'] } } },
    async (req) => {
      const result = core.switchTo(checkProfileName(req.body.profile));
      opts.log.info({ profile: result.profile }, 'switched active profile');
      return { ...result, region: core.region(result.profile) };
    },
  );
  // No `mfa_process` here: the CLI reads it from the AWS config itself, never from a socket.
  app.get<{ Querystring: ControlGet['/mfa']['params']; Reply: ControlGet['/mfa']['response'] }>('/mfa', async (req) => {
    const target = name(req.query.profile) ?? core.activeProfile();
    if (target === undefined) throw new NoActiveProfileError();
    const plan = core.plan(target);
    return { profile: plan.profile, mfaSerial: plan.mfaSerial };
  });
  app.post<{ Body: ControlPost['/warm']['body']; Reply: ControlPost['/warm']['response'] }>(
    '/warm',
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { profile: { type: 'string', maxLength: 128 }, waitMs: { type: 'integer', minimum: 0, maximum: 60000 } },
        },
      },
    },
    async (req) => core.warm(name(req.body.profile), req.body.waitMs ?? 0),
  );
  app.post<{ Body: ControlPost['/mfa']['body']; Reply: ControlPost['/mfa']['response'] }>(
    '/mfa',
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['code'],
          properties: { profile: { type: 'string', maxLength: 128 }, code: { type: 'string', maxLength: 16 } },
        },
      },
    },
    async (req) => {
      const out = await core.mfa(req.body.code, name(req.body.profile));
      opts.log.info({ profile: out.profile, source: out.source, expiration: out.expiration }, 'source session started');
      return out;
    },
  );
  app.post<{ Body: ControlPost['/refresh']['body']; Reply: ControlPost['/refresh']['response'] }>('/refresh', { schema: { body: nameBody } }, async (req) => {
    const served = await core.refresh(name(req.body.profile));
    return { profile: served.profile, expiration: isoSeconds(served.expiresAt) };
  });
  app.get<{ Params: ControlGet['/credentials/:name']['params']; Reply: ControlGet['/credentials/:name']['response'] }>('/credentials/:name', async (req) => {
    const served = await core.credentials(checkProfileName(req.params.name));
    return { ...JSON.parse(served.body), Region: core.region(served.profile) };
  });
  app.post<{ Reply: ControlPost['/reload']['response'] }>('/reload', async () => ({ ...core.reload(), settings: info.settingsChanges?.() ?? { changed: [] } }));
  app.post<{ Reply: ControlPost['/logout']['response'] }>('/logout', async () => {
    core.logout();
    opts.log.info('logged out: sessions and credentials erased');
    return { ok: true };
  });
  const rotate = opts.rotate;
  if (rotate) {
    app.post<{ Body: ControlPost['/rotate']['body']; Reply: ControlPost['/rotate']['response'] }>(
      '/rotate',
      { schema: { body: { ...nameBody, required: ['profile'] } } },
      async (req) => rotate(checkProfileName(req.body.profile)),
    );
  }
  app.post<{ Reply: ControlPost['/stop']['response'] }>('/stop', async (_req, reply) => {
    reply.raw.on('finish', () => info.stop());
    return { ok: true };
  });
  for (const register of opts.routes ?? []) register(app);
  return app;
}
