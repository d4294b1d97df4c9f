import type { IncomingMessage, ServerResponse } from 'node:http';
import { admit, type AdmissionPolicy } from './admission.js';
import { admissionRequest } from './guards.js';
import type { PeerCheck } from './peer-check.js';

export interface FastPathOptions {
  /**
   * The body to serve for a profile (undefined: the active one), only when cached and fresh;
   * with `kind` 'imds', the IMDS credential document of NAME.
   */
  cachedBody(name: string | undefined, kind: 'container' | 'imds'): string | undefined;
  /** The same policy object the guard admits with. */
  policy: AdmissionPolicy;
  peer: PeerCheck;
  /** True once the server is closing: then fastify answers (with a 503). */
  closing(): boolean;
}

/** The content types fastify sends for the two routes' string bodies. */
const JSON_TYPE = 'application/json; charset=utf-8';
const TEXT_TYPE = 'text/plain; charset=utf-8';

/**
 * The hot paths, `GET /creds[/NAME]` and the IMDS credential GET, answered synchronously without
 * fastify when the admission decision (the guard's own function, with the peer verdict already
 * known) allows a route that serves a credential, and fresh credentials are cached. Returns
 * false, having done nothing, for anything else: fastify and its guard then answer, refuse and
 * log as always. The response is the one the route sends, byte for byte.
 *
 * Answers a client leaves unread stop node from reading that connection further (node's own
 * backpressure: it pauses a connection whose queued answers pass the socket's high-water mark).
 */
export function createFastPath(opts: FastPathOptions): (req: IncomingMessage, res: ServerResponse) => boolean {
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
  const { policy, peer } = opts;
  return (req, res) => {
    if (req.method !== 'GET') return false;
    const socket = req.socket;
    const known = peer.known(socket);
    if (known === undefined) return false;
    const a = admit(policy, admissionRequest(req, known));
    if (a.verdict !== 'allow' || opts.closing()) return false;
    const serves = a.target.serves;
    if (serves === undefined) return false;
    // Last: it counts as a use of the profile.
    const body = opts.cachedBody(serves.name, serves.form);
    if (body === undefined) return false;
    const payload = bytes(body);
    res.writeHead(200, { 'content-type': serves.form === 'container' ? JSON_TYPE : TEXT_TYPE, 'content-length': payload.length });
    res.end(payload);
    return true;
  };
}
