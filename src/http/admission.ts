import type { IncomingHttpHeaders } from 'node:http';
import { BadRequestError, CreddError, ForbiddenError, NotFoundError, UnauthorizedError } from '../errors.js';
import type { HostCheck } from './host-check.js';
import type { ImdsTokens } from './imds-tokens.js';
import { isProfileName } from '../aws/profile-name.js';
import { isLoopback } from './loopback.js';
import type { PeerVerdict } from './peer-check.js';

/** The part of the route table a path belongs to, which decides the credential a request needs. */
export type RouteKind = 'container' | 'imds-token' | 'imds' | 'open';

/** What a request asks for, on the exact path the router routes. */
export interface Target {
  kind: RouteKind;
  /** The path without its query: the router sees exactly this, as nothing in it decodes. */
  path: string;
  /** Set on the routes that serve a credential body: `/creds`, `/creds/NAME`, the IMDS document of NAME. */
  serves?: { name: string | undefined; form: 'container' | 'imds' } | undefined;
}

/** The endpoint's settings and state that admission reads; built once per server. */
export interface AdmissionPolicy {
  /** Constant-time comparison with the container token. */
  tokenOk(presented: unknown): boolean;
  /** Container routes without the token (the ECS relative-URI mode). */
  allowNoToken: boolean;
  /** IMDSv2 tokens; undefined when IMDS is off (then `/latest/…` is an ordinary unknown path). */
  imdsTokens: ImdsTokens | undefined;
  hosts: HostCheck;
  /** The profile IMDS serves as its instance role. */
  activeProfile(): string | undefined;
  maxUrlLength: number;
  /** The server's `maxHeadersCount`: node drops headers past it silently, so reaching it is refused. */
  maxHeaders: number;
}

/** One request as admission sees it; every field is read from node's request and socket. */
export interface AdmissionRequest {
  method: string | undefined;
  /** The raw request target. */
  url: string | undefined;
  headers: IncomingHttpHeaders;
  /** How many header lines node kept (`rawHeaders.length / 2`). */
  headerCount: number;
  remoteAddress: string | undefined;
  /** The connection's peer verdict if already known; undefined: not looked up yet. */
  peer: PeerVerdict | undefined;
}

/** A refusal: logged as a security event unless `quiet`, then answered with `error`; the connection is closed. */
export interface Refusal {
  verdict: 'refuse';
  reason: string;
  error: CreddError;
  detail?: string | undefined;
  /** Ordinary not-found answers (a stale IMDS role name), not worth a security log line. */
  quiet?: boolean;
}

export type Admission = { verdict: 'allow'; target: Target } | { verdict: 'lookup-peer'; target: Target } | Refusal;

const IMDS_ROLES = '/latest/meta-data/iam/security-credentials/';
/**
 * Origin-form paths of single `/`-separated segments of profile-name characters. Nothing here
 * is decoded, cut or folded by the router (no `%`, `#`, `;`, `\`, empty segment), so the path
 * that is checked is the path that is routed.
 */
const PLAIN_PATH = /^(?:\/[A-Za-z0-9_+=,.@-]+)*\/?$/;
/** `.` and `..` segments, which a client or proxy might resolve differently. */
const DOT_SEGMENT = /(?:^|\/)\.\.?(?:\/|$)/;
/** Headers that proxies add; curl and the SDKs never send them. `_` spellings are folded to `-` first. */
const FORWARDING = new Set([
  'forwarded',
  'forwarded-for',
  'via',
  'x-real-ip',
  'true-client-ip',
  'x-client-ip',
  'cf-connecting-ip',
  'x-cluster-client-ip',
  'x-original-forwarded-for',
]);

const refuse = (reason: string, error: CreddError, detail?: string): Refusal => ({ verdict: 'refuse', reason, error, detail });

/** The route kind of a path (or of a route pattern such as `/creds/:name`), with IMDS on or off. */
export function routeKind(method: string | undefined, path: string, imds: boolean): RouteKind {
  if (path === '/creds' || path.startsWith('/creds/')) return 'container';
  if (!imds || !(path === '/latest' || path.startsWith('/latest/'))) return 'open';
  return method === 'PUT' && path === '/latest/api/token' ? 'imds-token' : 'imds';
}

function isProxyHeader(name: string): boolean {
  const n = name.includes('_') ? name.replace(/_/g, '-') : name;
  return n.startsWith('x-forwarded-') || FORWARDING.has(n);
}

function isBrowserHeader(name: string): boolean {
  return name === 'origin' || name.startsWith('sec-fetch-') || name.startsWith('sec_fetch_');
}

function targetOf(method: string | undefined, path: string, imds: boolean): Target {
  const kind = routeKind(method, path, imds);
  if (kind === 'container') {
    if (path === '/creds') return { kind, path, serves: { name: undefined, form: 'container' } };
    const name = path.slice(7);
    return { kind, path, serves: isProfileName(name) ? { name, form: 'container' } : undefined };
  }
  if (kind === 'imds' && path.startsWith(IMDS_ROLES)) {
    const name = path.slice(IMDS_ROLES.length);
    if (isProfileName(name)) return { kind, path, serves: { name, form: 'imds' } };
  }
  return { kind, path };
}

/**
 * The one admission decision of the credential endpoint, pure and synchronous: the fastify hook
 * and the fast path both call it, so they cannot disagree. Cheapest checks first: the target's
 * form and size, Host (DNS rebinding), header count, browser and proxy headers, the container
 * token or the IMDS loopback rule; then the peer's user, which may need a /proc read and so is
 * asked for (`lookup-peer`) only by a request that passed every cheaper check; then the IMDS
 * token and the IMDS role name. `/healthz` and unknown paths need no credential and no lookup.
 */
export function admit(policy: AdmissionPolicy, req: AdmissionRequest): Admission {
  const url = req.url ?? '';
  if (url.length > policy.maxUrlLength) return refuse('url-too-long', new BadRequestError('Request URL too long.'), `${url.length} characters`);
  // Absolute-form (`http://x/creds`), authority-form and `*` targets are for proxies.
  if (url.charCodeAt(0) !== 47 /* / */) return refuse('bad-target', new BadRequestError('Invalid request target: send an origin-form path such as /creds.'));
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  if (!PLAIN_PATH.test(path) || DOT_SEGMENT.test(path)) {
    return refuse('path-trick', new BadRequestError('Invalid path: profile names are letters, digits and _+=,.@- only, with no encoding.'));
  }
  const headers = req.headers;
  if (!policy.hosts.allowed(headers.host)) {
    const host = headers.host;
    return refuse(
      'bad-host',
      new ForbiddenError('Refused: the Host header must be 127.0.0.1 or localhost with this port.'),
      host === undefined ? 'no Host' : `Host ${host}`,
    );
  }
  if (req.headerCount >= policy.maxHeaders) {
    return refuse(
      'too-many-headers',
      new CreddError('BadRequest', `Refused: requests carry fewer than ${policy.maxHeaders} headers.`, 431),
      `${req.headerCount} headers`,
    );
  }
  for (const name in headers) {
    if (isBrowserHeader(name)) {
      const detail = name === 'origin' ? `Origin ${String(headers.origin)}` : name;
      return refuse(
        'browser-header',
        new ForbiddenError('Refused: requests with browser headers (Origin, Sec-Fetch-*) are not served; use curl, node:http or an AWS SDK.'),
        detail,
      );
    }
    if (isProxyHeader(name)) return refuse('forwarded', new ForbiddenError('Refused: forwarded requests are not served.'), name);
  }
  const imds = policy.imdsTokens;
  const target = targetOf(req.method, path, imds !== undefined);
  if (target.kind === 'open') return { verdict: 'allow', target };
  if (target.kind === 'container') {
    const auth = headers.authorization;
    if (!policy.allowNoToken && !policy.tokenOk(auth)) return refuse(auth === undefined ? 'no-token' : 'bad-token', new UnauthorizedError());
  } else if (!isLoopback(req.remoteAddress)) {
    // IMDS has no shared secret: any process that reaches it may PUT for a token, so only this host's loopback may.
    return refuse('imds-remote', new ForbiddenError('Refused: IMDS is served to loopback clients only.'));
  }
  const peer = req.peer;
  if (peer === undefined) return { verdict: 'lookup-peer', target };
  if (!peer.allowed) {
    return refuse(
      peer.reason,
      new ForbiddenError('Refused: this connection does not belong to the user running credd.'),
      peer.uid === undefined ? undefined : `uid ${peer.uid}`,
    );
  }
  if (target.kind === 'imds') {
    const t = headers['x-aws-ec2-metadata-token'];
    if (!imds!.valid(typeof t === 'string' ? t : undefined)) {
      return refuse(t === undefined ? 'imds-no-token' : 'imds-bad-token', new UnauthorizedError('Missing or expired IMDS token: PUT /latest/api/token first.'));
    }
    // The instance role is the active profile: another name is 404, as on EC2, so a client that remembered a name lists again.
    const name = target.serves?.name;
    if (name !== undefined && name !== policy.activeProfile()) return { ...refuse('imds-not-active', new NotFoundError()), quiet: true };
  }
  return { verdict: 'allow', target };
}
