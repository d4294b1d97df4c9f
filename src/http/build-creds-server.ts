import Fastify, { type FastifyInstance } from 'fastify';
import type { Served } from '../engine/served.js';
import type { Logger } from '../log.js';
import { CreddError } from '../errors.js';
import { installErrorHandler, sendError } from './error-handler.js';
import { createGuard } from './guards.js';
import { createImdsTokens } from './imds-tokens.js';
import { createPeerCheck, type PeerCheck } from './peer-check.js';
import { registerContainerRoutes } from './routes/container.js';
import { registerImdsRoutes } from './routes/imds.js';
import { createSecurityLog } from './security-log.js';

/** What the credential endpoint needs from the daemon (the core provides all of it). */
export interface CredsSource {
  credentials(name?: string): Promise<Served>;
  activeProfile(): string | undefined;
  region(name?: string): string | undefined;
  /** The profile's recipe; only the role ARNs and the MFA device are read, for the account. */
  plan(name: string): { roles: ReadonlyArray<{ roleArn: string }>; mfaSerial?: string | undefined };
}

export interface CredsServerOptions {
  source: CredsSource;
  /** The value clients must send in `Authorization`. */
  token: string;
  log: Logger;
  now(): number;
  /**
   * Serve the container routes without the token (default false): the ECS relative-URI mode,
   * which the daemon allows only on the ECS address (`checkEcsRelativeUri`).
   */
  allowNoToken?: boolean | undefined;
  /** Serve the IMDS paths under `/latest/` (default true; the `imds` setting). */
  imds?: boolean | undefined;
  /** The port clients must name in `Host` (default: the port each connection arrived on). */
  port?: number | undefined;
  /** Extra listen addresses accepted in `Host` besides loopback and localhost (IP literals only). */
  allowedHosts?: readonly string[] | undefined;
  /** Peer-user check (default: the /proc/net/tcp one, or off where the OS cannot tell). */
  peer?: PeerCheck | undefined;
  /** node's limit on the request line plus headers, in bytes (default 8192; over it: 431). */
  maxHeaderSize?: number | undefined;
  /** Longest URL accepted (default 1024). */
  maxUrlLength?: number | undefined;
  /** Most IMDS tokens held at once (default 1000). */
  maxImdsTokens?: number | undefined;
}

/**
 * Builds the loopback credential endpoint: the container routes (`/creds`, `/creds/NAME`,
 * `/healthz`) and, unless switched off, the IMDS routes, all behind one guard hook.
 */
export function buildCredsServer(opts: CredsServerOptions): FastifyInstance {
  const security = createSecurityLog({ log: opts.log, now: opts.now });
  const app = Fastify({
    logger: false,
    routerOptions: { maxParamLength: 128 },
    bodyLimit: 1024,
    return503OnClosing: true,
    // Bounds slow senders (slowloris); handlers answer from memory in well under this.
    requestTimeout: 10_000,
    http: { maxHeaderSize: opts.maxHeaderSize ?? 8192 },
    // A malformed or over-long path fails in the router, before the guard: refuse it the same way.
    frameworkErrors: (err, req, reply) => {
      const status = err.statusCode ?? 400;
      security.refused({ reason: 'bad-url', status, method: req.method, path: req.raw.url, remote: req.raw.socket?.remoteAddress, detail: err.code });
      sendError(req, reply, new CreddError('BadRequest', 'Malformed or over-long path.', status, 2));
    },
  });
  const peer = opts.peer ?? createPeerCheck({ onUnavailable: (detail) => opts.log.warn(detail) });
  // One owner lookup per TCP connection, started as it is accepted; requests await its verdict.
  app.server.on('connection', (socket) => peer.watch(socket));
  installErrorHandler(app, opts.log);
  const imdsTokens = opts.imds === false ? undefined : createImdsTokens({ now: opts.now, max: opts.maxImdsTokens });
  app.addHook('onRequest', createGuard({
    token: opts.token,
    allowNoToken: opts.allowNoToken,
    imdsTokens,
    port: opts.port,
    allowedHosts: opts.allowedHosts,
    peer,
    security,
    maxUrlLength: opts.maxUrlLength,
  }));
  registerContainerRoutes(app, opts.source);
  if (imdsTokens) registerImdsRoutes(app, { source: opts.source, tokens: imdsTokens, now: opts.now });
  return app;
}
