import type { IncomingMessage, ServerResponse } from 'node:http';
import { createTokenMatcher } from '../state/token.js';
import type { HostCheck } from './host-check.js';
import type { ImdsTokens } from './imds-tokens.js';
import type { PeerCheck } from './peer-check.js';

export interface FastPathOptions {
  /**
   * The body to serve for a profile (undefined: the active one), only when cached and fresh;
   * with `kind` 'imds', the IMDS credential document of the active profile.
   */
  cachedBody(name: string | undefined, kind: 'container' | 'imds'): string | undefined;
  /** IMDSv2 tokens; undefined when IMDS is off (then only `/creds` is answered here). */
  imdsTokens?: ImdsTokens | undefined;
  /** The container-credentials token (`Authorization`). */
  token: string;
  /** Container routes without the token (the ECS relative-URI mode; default false), as in the guard. */
  allowNoToken?: boolean | undefined;
  hosts: HostCheck;
  peer: PeerCheck;
  /** Longest request target (default 1024), as in the guard. */
  maxUrlLength?: number | undefined;
  /** True once the server is closing: then fastify answers (with a 503). */
  closing(): boolean;
}

/** `/creds` or `/creds/NAME` with a profile name's characters only: nothing to decode, no query. */
const CREDS = /^\/creds(?:\/([A-Za-z0-9_+=,.@-]{1,128}))?$/;
/** The IMDS credential document of NAME, with the same characters. */
const IMDS_CREDS = /^\/latest\/meta-data\/iam\/security-credentials\/([A-Za-z0-9_+=,.@-]{1,128})$/;
/** The content types fastify sends for the two routes' string bodies. */
const JSON_TYPE = 'application/json; charset=utf-8';
const TEXT_TYPE = 'text/plain; charset=utf-8';

/**
 * Loopback in the spellings node gives `remoteAddress`, by prefix: the guard's full parse
 * (`isLoopback`) costs a few percent of this path. Anything else is left to the guard.
 */
const plainLoopback = (a: string | undefined) => a !== undefined && (a.startsWith('127.') || a.startsWith('::ffff:127.') || a === '::1');

/**
 * The hot paths, `GET /creds[/NAME]` and the IMDS credential GET, answered synchronously without
 * fastify when every check of the guard passes cheaply: URL in bounds and plain, Host one of the
 * exact strings, no browser or forwarding header, the token (the container token, or for IMDS a
 * loopback client with a valid IMDS token), the connection's peer verdict already known and
 * good, and fresh credentials in the cache. Returns false, having done nothing, for anything
 * else: fastify and its guard then answer, refuse and log as always. The response is the one the
 * route sends, byte for byte.
 */
export function createFastPath(opts: FastPathOptions): (req: IncomingMessage, res: ServerResponse) => boolean {
  const maxUrl = opts.maxUrlLength ?? 1024;
  // Each body encoded once, not on every answer: a string costs node a length count and an
  // encode per write. Bounded by the bodies in use; a renewal brings new ones, so the old go.
  const encoded = new Map<string, Buffer>();
  const bytes = (body: string): Buffer => {
    let b = encoded.get(body);
    if (b === undefined) {
      if (encoded.size >= 64) encoded.clear();
      b = Buffer.from(body);
      encoded.set(body, b);
    }
    return b;
  };
  const tokenOk = createTokenMatcher(opts.token);
  const imds = opts.imdsTokens;
  return (req, res) => {
    const url = req.url;
    if (req.method !== 'GET' || url === undefined || url.length > maxUrl) return false;
    const container = url.startsWith('/creds');
    if (!container && (imds === undefined || !url.startsWith('/latest/meta-data/iam/security-credentials/'))) return false;
    const m = (container ? CREDS : IMDS_CREDS).exec(url);
    if (!m) return false;
    const name = m[1];
    // The dot segments and double dots that the guard and checkProfileName refuse.
    if (name !== undefined && (name === '.' || name.includes('..'))) return false;
    const headers = req.headers;
    if (!opts.hosts.exact(headers.host)) return false;
    for (const h of Object.keys(headers)) {
      if (h === 'origin' || h === 'forwarded' || h === 'x-forwarded-for' || h.startsWith('sec-fetch-')) return false;
    }
    if (container) {
      if (!opts.allowNoToken && !tokenOk(headers.authorization)) return false;
    } else if (!plainLoopback(req.socket.remoteAddress)) {
      return false;
    }
    if (opts.peer.known(req.socket)?.allowed !== true || opts.closing()) return false;
    if (!container) {
      const t = headers['x-aws-ec2-metadata-token'];
      if (typeof t !== 'string' || !imds!.valid(t)) return false;
    }
    // Last: it counts as a use of the profile.
    const body = opts.cachedBody(name, container ? 'container' : 'imds');
    if (body === undefined) return false;
    const payload = bytes(body);
    res.writeHead(200, { 'content-type': container ? JSON_TYPE : TEXT_TYPE, 'content-length': payload.length });
    res.end(payload);
    return true;
  };
}
