import type { IncomingMessage, ServerResponse } from 'node:http';
import { createTokenMatcher } from '../state/token.js';
import type { HostCheck } from './host-check.js';
import type { PeerCheck } from './peer-check.js';

export interface FastPathOptions {
  /** The body to serve for a profile (undefined: the active one), only when cached and fresh. */
  cachedBody(name?: string): string | undefined;
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
/** The content type fastify sends for `reply.type('application/json')` with a string. */
const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * The hot path, `GET /creds` and `GET /creds/NAME`, answered synchronously without fastify when
 * every check of the guard passes cheaply: URL in bounds and plain, Host one of the exact
 * strings, no browser or forwarding header, the token, the connection's peer verdict already
 * known and good, and fresh credentials in the cache. Returns false, having done nothing, for
 * anything else: fastify and its guard then answer, refuse and log as always. The response is
 * the one the container route sends, byte for byte.
 */
export function createFastPath(opts: FastPathOptions): (req: IncomingMessage, res: ServerResponse) => boolean {
  const maxUrl = opts.maxUrlLength ?? 1024;
  const tokenOk = createTokenMatcher(opts.token);
  return (req, res) => {
    const url = req.url;
    if (req.method !== 'GET' || url === undefined || url.length > maxUrl || !url.startsWith('/creds')) return false;
    const m = CREDS.exec(url);
    if (!m) return false;
    const name = m[1];
    // The dot segments and double dots that the guard and checkProfileName refuse.
    if (name !== undefined && (name === '.' || name.includes('..'))) return false;
    const headers = req.headers;
    if (!opts.hosts.exact(headers.host)) return false;
    for (const h of Object.keys(headers)) {
      if (h === 'origin' || h === 'forwarded' || h === 'x-forwarded-for' || h.startsWith('sec-fetch-')) return false;
    }
    if (!opts.allowNoToken && !tokenOk(headers.authorization)) return false;
    if (opts.peer.known(req.socket)?.allowed !== true || opts.closing()) return false;
    // Last: it counts as a use of the profile.
    const body = opts.cachedBody(name);
    if (body === undefined) return false;
    res.writeHead(200, { 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(body) });
    res.end(body);
    return true;
  };
}
