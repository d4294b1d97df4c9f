import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CreddError } from '../errors.js';
import { admit, routeKind, type Admission, type AdmissionPolicy, type Refusal } from './admission.js';
import type { PeerCheck, PeerVerdict } from './peer-check.js';
import type { SecurityLog } from './security-log.js';

export interface GuardOptions {
  policy: AdmissionPolicy;
  peer: PeerCheck;
  security: SecurityLog;
}

/** Admission's view of a node request. */
export function admissionRequest(raw: IncomingMessage, peer: PeerVerdict | undefined) {
  return {
    method: raw.method,
    url: raw.url,
    headers: raw.headers,
    headerCount: raw.rawHeaders.length >> 1,
    remoteAddress: raw.socket?.remoteAddress,
    peer,
  };
}

/** Logs a refusal (unless quiet) and marks the connection to close once the answer is sent. */
export function recordRefusal(security: SecurityLog, raw: IncomingMessage, res: ServerResponse, r: Refusal): void {
  // A client refused once gets nothing more on this connection (node closes it after the answer):
  // a keep-alive flood of refused requests would otherwise hold a descriptor each for as long as it likes.
  res.shouldKeepAlive = false;
  if (!r.quiet) {
    security.refused({ reason: r.reason, status: r.error.status, method: raw.method, path: raw.url, remote: raw.socket?.remoteAddress, detail: r.detail });
  }
}

/**
 * The one onRequest hook of the credential endpoint: the admission decision (`admission.ts`),
 * with the peer lookup it may ask for awaited here, once per connection. As a second line, the
 * route fastify matched must be of the kind admission judged: a router that ever saw another
 * path than the one checked is refused rather than served.
 */
export function createGuard(opts: GuardOptions): (req: FastifyRequest, reply: FastifyReply) => Promise<void> {
  const { policy, peer, security } = opts;
  return async (req, reply) => {
    const raw = req.raw;
    const socket = raw.socket;
    let a: Admission = admit(policy, admissionRequest(raw, socket ? peer.known(socket) : undefined));
    if (a.verdict === 'lookup-peer') a = admit(policy, admissionRequest(raw, socket ? await peer.verdict(socket) : { allowed: false, reason: 'unknown-peer' }));
    if (a.verdict === 'allow') {
      const pattern = req.routeOptions.url;
      if (pattern === undefined || routeKind(req.method, pattern, policy.imdsTokens !== undefined) === a.target.kind) return;
      a = { verdict: 'refuse', reason: 'route-mismatch', error: new CreddError('BadRequest', 'Refused: the path was not understood.', 400), detail: pattern };
    }
    if (a.verdict === 'refuse') {
      recordRefusal(security, raw, reply.raw, a);
      throw a.error;
    }
  };
}
