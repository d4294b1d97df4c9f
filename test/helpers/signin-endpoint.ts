/**
 * Test helper: a loopback stand-in for the AWS console sign-in (federation) endpoint.
 *
 * It checks what the real one needs and records every request:
 * - `GET /federation?Action=getSigninToken&Session=…[&SessionDuration=N]`: the Session JSON
 *   must have exactly sessionId, sessionKey and sessionToken (strings), percent-encoded (no raw
 *   `{`, `"`, space or `+` in the query); SessionDuration, when sent, 900–43200. Answers
 *   `{"SigninToken": …}`, or 400 with a reason it records.
 * - `GET /federation?Action=login&Issuer=…&Destination=…&SigninToken=…`: a known token → 302 to Destination.
 * - `GET /oauth?Action=logout&redirect_uri=…` → 302 to redirect_uri.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type net from 'node:net';

/** One request the stand-in received. */
export interface SigninCall {
  action: string;
  /** The raw query string, as it came over the wire. */
  rawQuery: string;
  params: Record<string, string>;
  session?: Record<string, unknown>;
  /** Why it answered 400, if it did. */
  refused?: string;
}

export interface SigninEndpoint {
  url: string;
  calls: SigninCall[];
  /** Tokens issued, each with the session it was made from. */
  tokens: Map<string, Record<string, unknown>>;
  close(): Promise<void>;
}

const FIELDS = ['sessionId', 'sessionKey', 'sessionToken'];

function checkTokenRequest(rawQuery: string, params: URLSearchParams): { refused?: string; session?: Record<string, unknown> } {
  if (/[{}" +]/.test(rawQuery)) return { refused: 'query not percent-encoded' };
  let session: Record<string, unknown>;
  try {
    session = JSON.parse(params.get('Session') ?? '') as Record<string, unknown>;
  } catch {
    return { refused: 'Session is not JSON' };
  }
  const keys = Object.keys(session).sort();
  if (keys.join() !== [...FIELDS].sort().join()) return { refused: `Session fields ${keys.join()}`, session };
  if (!FIELDS.every((f) => typeof session[f] === 'string' && session[f] !== '')) return { refused: 'empty Session field', session };
  const d = params.get('SessionDuration');
  if (d !== null && !(Number.isInteger(Number(d)) && Number(d) >= 900 && Number(d) <= 43200)) return { refused: `SessionDuration ${d}`, session };
  return { session };
}

/** Starts the stand-in on 127.0.0.1 (random port). */
export async function startSigninEndpoint(): Promise<SigninEndpoint> {
  const calls: SigninCall[] = [];
  const tokens = new Map<string, Record<string, unknown>>();
  const server = http.createServer((req, res) => {
    const raw = req.url ?? '/';
    const rawQuery = raw.includes('?') ? raw.slice(raw.indexOf('?') + 1) : '';
    const url = new URL(raw, 'http://stand-in.invalid');
    const params = url.searchParams;
    const call: SigninCall = { action: params.get('Action') ?? '', rawQuery, params: Object.fromEntries(params) };
    calls.push(call);
    const send = (status: number, body: string, headers: http.OutgoingHttpHeaders = {}) =>
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(body);
    if (url.pathname === '/federation' && call.action === 'getSigninToken') {
      const { refused, session } = checkTokenRequest(rawQuery, params);
      if (session) call.session = session;
      if (refused) {
        call.refused = refused;
        return send(400, JSON.stringify({ error: refused }));
      }
      const token = randomBytes(24).toString('base64url');
      tokens.set(token, session!);
      return send(200, JSON.stringify({ SigninToken: token }));
    }
    if (url.pathname === '/federation' && call.action === 'login') {
      const known = tokens.has(params.get('SigninToken') ?? '');
      if (!known) call.refused = 'unknown SigninToken';
      return known ? send(302, '', { location: params.get('Destination') ?? '/' }) : send(400, '{}');
    }
    if (url.pathname === '/oauth' && call.action === 'logout') return send(302, '', { location: params.get('redirect_uri') ?? '/' });
    call.refused = 'no such path';
    return send(404, '{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    tokens,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
