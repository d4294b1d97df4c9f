import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import type { CredsSource } from './creds-source.js';
import type { Logger } from '../log.js';
import { AnswerDeadlineError, CreddError } from '../errors.js';
import { DEFAULT_ANSWER_WITHIN_MS, withDeadline } from './answer-deadline.js';
import { installErrorHandler, sendError } from './error-handler.js';
import { createFastPath } from './fast-path.js';
import type { AdmissionPolicy, Refusal } from './admission.js';
import { createGuard, recordRefusal } from './guards.js';
import { createTokenMatcher } from '../state/token.js';
import { createHostCheck } from './host-check.js';
import { createImdsTokens } from './imds-tokens.js';
import { createPeerCheck, type PeerCheck } from './peer-check.js';
import { createPipelineCap, MAX_PENDING_PER_CONNECTION } from './pipeline-cap.js';
import { registerContainerRoutes } from './routes/container.js';
import { registerImdsRoutes } from './routes/imds.js';
import { createSecurityLog } from './security-log.js';

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
  /** The port clients must name in `Host` (default: the port the server listens on). */
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
  /**
   * Longest an answer waits for STS before a 503 `StsUnavailable` (default 800 ms, under the JS
   * SDK's 1 s timeout). The STS call goes on, and the client's retry is answered from the cache.
   */
  answerWithinMs?: number | undefined;
}

/** Fastify's default, kept: idle keep-alive connections are closed after 72 s. */
const KEEP_ALIVE_MS = 72_000;
/**
 * Most header lines kept per request. node drops the lines past its limit without a word, so a
 * request that reaches it is refused (admission): a header hidden behind a thousand others
 * would go unseen. The SDKs send fewer than 15.
 */
const MAX_HEADERS = 100;
/** Bounds slow senders (slowloris); handlers answer from memory in well under this. */
const REQUEST_TIMEOUT_MS = 10_000;

/**
 * Builds the loopback credential endpoint: the container routes (`/creds`, `/creds/NAME`,
 * `/healthz`) and, unless switched off, the IMDS routes, all behind one guard hook. In front of
 * fastify, on the same `node:http` server, a fast path answers `GET /creds[/NAME]` itself when
 * every check passes synchronously and the body is cached and fresh (`fast-path.ts`).
 */
export function buildCredsServer(opts: CredsServerOptions): FastifyInstance {
  const security = createSecurityLog({ log: opts.log, now: opts.now });
  const peer = opts.peer ?? createPeerCheck({ onUnavailable: (detail) => opts.log.warn(detail) });
  // Read once when listening, not per request (`socket.localPort` is a getsockname() call).
  let port = opts.port;
  const hosts = createHostCheck({ port: () => port, extraHosts: opts.allowedHosts });
  let closing = false;
  const within = opts.answerWithinMs ?? DEFAULT_ANSWER_WITHIN_MS;
  // 503 `RequestTimeout`: a code every SDK retries, the Go SDK v2 included.
  const late = () =>
    new AnswerDeadlineError(
      `STS has not answered within ${within / 1000} s; credd keeps trying in the background. Retry in a moment (credd status shows the progress).`,
    );
  const source = opts.source;
  // The routes' view of the source: the same, but no answer waits on STS past the deadline.
  const bounded: CredsSource = {
    credentials: (name) => withDeadline(source.credentials(name), within, late),
    activeProfile: () => source.activeProfile(),
    region: (name) => source.region(name),
    plan: (name) => source.plan(name),
  };
  const imdsTokens = opts.imds === false ? undefined : createImdsTokens({ now: opts.now, max: opts.maxImdsTokens });
  const policy: AdmissionPolicy = {
    tokenOk: createTokenMatcher(opts.token),
    allowNoToken: opts.allowNoToken ?? false,
    imdsTokens,
    hosts,
    activeProfile: () => source.activeProfile(),
    maxUrlLength: opts.maxUrlLength ?? 1024,
    maxHeaders: MAX_HEADERS,
  };
  const fastPath = source.cachedBody
    ? createFastPath({ cachedBody: (name, kind) => source.cachedBody!(name, kind), policy, peer, closing: () => closing })
    : () => false;
  const pipelineCap = createPipelineCap(MAX_PENDING_PER_CONNECTION, (socket) =>
    security.refused({
      reason: 'pipeline-flood',
      status: 0,
      remote: socket.remoteAddress,
      detail: `more than ${MAX_PENDING_PER_CONNECTION} requests waiting on one connection: closed`,
    }),
  );
  let fastifyHandler!: (req: IncomingMessage, res: ServerResponse) => void;
  const server = createServer({ maxHeaderSize: opts.maxHeaderSize ?? 8192 }, (req, res) => {
    if (fastPath(req, res) || !pipelineCap(req.socket, res)) return;
    fastifyHandler(req, res);
  });
  // What fastify sets on a server it creates itself.
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  server.setTimeout(0);
  server.maxHeadersCount = MAX_HEADERS;
  const app = Fastify({
    logger: false,
    routerOptions: { maxParamLength: 128 },
    bodyLimit: 1024,
    // Answered by the hook below instead, in the endpoint's own {Code, Message} form.
    return503OnClosing: false,
    serverFactory: (handler) => {
      fastifyHandler = handler;
      return server;
    },
    // A malformed or over-long path fails in the router, before the guard: refuse it the same way.
    frameworkErrors: (err, req, reply) => {
      const status = err.statusCode ?? 400;
      const refusal: Refusal = {
        verdict: 'refuse',
        reason: 'bad-url',
        error: new CreddError('BadRequest', 'Malformed or over-long path.', status),
        detail: err.code,
      };
      recordRefusal(security, req.raw, reply.raw, refusal);
      sendError(req, reply, refusal.error);
    },
  });
  server.on('listening', () => {
    if (opts.port === undefined) port = (server.address() as AddressInfo).port;
  });
  // Only notes the accept order: the owner lookup waits for a request that passed the other checks.
  server.on('connection', (socket: Socket) => peer.watch(socket));
  // From here on every request gets a 503 (the SDKs retry it, and a service manager restarts
  // the daemon); the fast path steps aside for it.
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  installErrorHandler(app, opts.log);
  app.addHook('onRequest', (req, reply, done) => {
    if (!closing) return done();
    void reply.header('connection', 'close');
    sendError(req, reply, new CreddError('ShuttingDown', 'credd is stopping; retry in a moment (it restarts at login, or run credd start).', 503));
  });
  app.addHook('onRequest', createGuard({ policy, peer, security }));
  // Suppressed refusal counts are reported even when no further refusal comes to carry them.
  const flush = setInterval(() => security.flush(), security.windowMs);
  flush.unref();
  app.addHook('onClose', (_app, done) => {
    clearInterval(flush);
    security.flush();
    done();
  });
  registerContainerRoutes(app, bounded);
  if (imdsTokens) registerImdsRoutes(app, { source: bounded, tokens: imdsTokens, now: opts.now });
  return app;
}
