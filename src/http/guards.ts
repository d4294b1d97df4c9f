import type { FastifyRequest } from 'fastify';
import { BadRequestError, type CreddError, ForbiddenError, UnauthorizedError } from '../errors.js';
import { createTokenMatcher } from '../state/token.js';
import type { HostCheck } from './host-check.js';
import type { ImdsTokens } from './imds-tokens.js';
import type { PeerCheck } from './peer-check.js';
import { isLoopback } from './proc-net-tcp.js';
import type { SecurityLog } from './security-log.js';

export interface GuardOptions {
  /** The container-credentials token (`Authorization`). */
  token: string;
  /** Container routes without the token (the ECS relative-URI mode; default false). */
  allowNoToken?: boolean | undefined;
  /** IMDSv2 tokens; undefined when IMDS is switched off. */
  imdsTokens?: ImdsTokens | undefined;
  /** The accepted `Host` values: loopback or localhost, or an allowed listen address, with the daemon's port. */
  hosts: HostCheck;
  peer: PeerCheck;
  security: SecurityLog;
  /** Longest request target accepted (default 1024). */
  maxUrlLength?: number | undefined;
}

/** Dot segments, encoded dots, slashes, backslashes and NUL: nothing a profile name needs. */
const PATH_TRICK = /(?:^|\/)\.\.?(?:\/|$)|%2e|%2f|%5c|%00|\\/i;
/** Headers that browsers (Origin, Sec-Fetch-*) or proxies (forwarding) add; curl and the SDKs never send them. */
const FORWARDING = new Set(['x-forwarded-for', 'forwarded']);

/** The part of the route table a request targets, which decides the credential it needs. */
function kindOf(method: string, path: string): 'container' | 'imds-token' | 'imds' | 'open' {
  if (path === '/creds' || path.startsWith('/creds/')) return 'container';
  if (path === '/latest' || path.startsWith('/latest/')) return method === 'PUT' && path === '/latest/api/token' ? 'imds-token' : 'imds';
  return 'open';
}

/**
 * The one onRequest hook of the credential endpoint, cheapest checks first: URL size and path
 * tricks, Host (DNS rebinding), browser and proxy headers, the container token, and only then
 * the peer's user (a /proc read for the first request of a connection), then the IMDS token.
 * Each refusal is logged once as a security event, without secrets.
 */
export function createGuard(opts: GuardOptions): (req: FastifyRequest) => Promise<void> {
  const maxUrl = opts.maxUrlLength ?? 1024;
  const tokenOk = createTokenMatcher(opts.token);
  return async (req) => {
    const url = req.raw.url ?? '/';
    const path = url.split('?')[0]!;
    const socket = req.raw.socket;
    const refuse = (reason: string, err: CreddError, detail?: string): never => {
      opts.security.refused({ reason, status: err.status, method: req.method, path, remote: socket?.remoteAddress, detail });
      throw err;
    };

    if (url.length > maxUrl) refuse('url-too-long', new BadRequestError('Request URL too long.'), `${url.length} characters`);
    if (PATH_TRICK.test(path)) refuse('path-trick', new BadRequestError('Invalid path: profile names are letters, digits and _+=,.@- only.'));
    const host = req.headers.host;
    if (!opts.hosts.allowed(host)) {
      refuse('bad-host', new ForbiddenError('Refused: the Host header must be 127.0.0.1 or localhost with this port.'), host === undefined ? 'no Host' : `Host ${host}`);
    }
    for (const name of Object.keys(req.headers)) {
      if (name === 'origin' || name.startsWith('sec-fetch-')) {
        refuse('browser-header', new ForbiddenError('Refused: requests with browser headers (Origin, Sec-Fetch-*) are not served; use curl, node:http or an AWS SDK.'), name === 'origin' ? `Origin ${String(req.headers.origin)}` : name);
      }
      if (FORWARDING.has(name)) refuse('forwarded', new ForbiddenError('Refused: forwarded requests are not served.'), name);
    }
    const kind = kindOf(req.method, path);
    const imds = kind !== 'container' && kind !== 'open' && opts.imdsTokens;
    if (kind === 'container') {
      const header = req.headers.authorization;
      if (!opts.allowNoToken && !tokenOk(header)) refuse(header === undefined ? 'no-token' : 'bad-token', new UnauthorizedError());
    } else if (imds && !isLoopback(socket?.remoteAddress)) {
      // IMDS has no shared secret: any process that reaches it may PUT a token, so only this host's loopback may.
      refuse('imds-remote', new ForbiddenError('Refused: IMDS is served to loopback clients only.'));
    }

    // The only check that may cost a /proc read (the first request of a connection), so it comes
    // after every cheap one and after the container token: a refused request never causes one.
    // IMDS has no secret to check first (anyone may PUT for a token), so there it comes before the token.
    if (socket) {
      const v = opts.peer.known(socket) ?? (await opts.peer.verdict(socket));
      if (!v.allowed) {
        refuse(v.reason, new ForbiddenError('Refused: this connection does not belong to the user running credd.'), v.uid === undefined ? undefined : `uid ${v.uid}`);
      }
    }

    if (imds && kind === 'imds') {
      const t = req.headers['x-aws-ec2-metadata-token'];
      if (!imds.valid(typeof t === 'string' ? t : undefined)) {
        refuse(t === undefined ? 'imds-no-token' : 'imds-bad-token', new UnauthorizedError('Missing or expired IMDS token: PUT /latest/api/token first.'));
      }
    }
  };
}
