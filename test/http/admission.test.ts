/**
 * One table of requests, every case run through every path that must agree: `admit` itself, the
 * fast path (which must never serve a refused request), the fastify guard (`inject`), and a real
 * socket to the running endpoint (status, security-log reason, connection closed after a refusal).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import t from 'tap';
import { admit, routeKind } from '../../src/http/admission.js';
import { createFastPath } from '../../src/http/fast-path.js';
import type { ImdsTokens } from '../../src/http/imds-tokens.js';
import type { PeerVerdict } from '../../src/http/peer-check.js';
import { HOST, TOKEN, fixedPeer, testServer } from './fixtures.js';
import { connection, listen, policyFor } from './raw-client.js';

const IMDS_TOKEN = 'imds-token-good';
const imdsTokens: ImdsTokens = { issue: () => IMDS_TOKEN, size: () => 1, valid: (v) => v === IMDS_TOKEN };
const DOC = '/latest/meta-data/iam/security-credentials/dev';
const auth = { host: HOST, authorization: TOKEN };
const imdsAuth = { host: HOST, 'x-aws-ec2-metadata-token': IMDS_TOKEN };
const junk = Object.fromEntries(Array.from({ length: 120 }, (_, i) => [`x-junk-${i}`, 'a']));

interface Case {
  name: string;
  method?: string;
  url: string;
  headers: Record<string, string>;
  remote?: string;
  peer?: PeerVerdict;
  /** The refusal reason, or 'allow' (served), or 'lookup-peer'. */
  want: string;
  status: number;
  /** Also sent over a real socket (node's parser accepts it, and the source address is loopback). */
  wire?: boolean;
  /** Not through `inject`, which resolves dot segments, fragments and absolute forms itself (sent on the wire instead). */
  noInject?: boolean;
}

const other: PeerVerdict = { allowed: false, reason: 'other-user', uid: 65534 };
const CASES: Case[] = [
  // Spellings that a router decodes, cuts or strips: refused before any route is chosen.
  { name: 'percent-encoded c', url: '/%63reds/prod', headers: { host: HOST }, want: 'path-trick', status: 400, wire: true },
  { name: 'percent-encoded s', url: '/cred%73/prod', headers: { host: HOST }, want: 'path-trick', status: 400, wire: true },
  { name: 'encoded slash', url: '/creds%2fdev', headers: auth, want: 'path-trick', status: 400, wire: true },
  { name: 'fragment', noInject: true, wire: true, url: '/creds#x', headers: { host: HOST }, want: 'path-trick', status: 400 },
  { name: 'semicolon', url: '/creds;x=1', headers: { host: HOST }, want: 'path-trick', status: 400, wire: true },
  { name: 'absolute form', noInject: true, wire: true, url: 'http://x/creds/dev', headers: { host: HOST }, want: 'bad-target', status: 400 },
  { name: 'absolute form, own host', noInject: true, wire: true, url: `http://${HOST}/creds`, headers: { host: HOST }, want: 'bad-target', status: 400 },
  { name: 'asterisk', noInject: true, wire: true, method: 'OPTIONS', url: '*', headers: { host: HOST }, want: 'bad-target', status: 400 },
  { name: 'encoded IMDS', url: '/%6catest/meta-data/iam/security-credentials/dev', headers: { host: HOST }, want: 'path-trick', status: 400, wire: true },
  { name: 'double slash', url: '//creds/dev', headers: { host: HOST }, want: 'path-trick', status: 400, wire: true },
  { name: 'inner double slash', url: '/creds//dev', headers: { host: HOST }, want: 'path-trick', status: 400, wire: true },
  { name: 'dot-dot', noInject: true, wire: true, url: '/x/../creds/dev', headers: { host: HOST }, want: 'path-trick', status: 400 },
  { name: 'dot segment', noInject: true, wire: true, url: '/creds/./dev', headers: { host: HOST }, want: 'path-trick', status: 400 },
  { name: 'lone dot name', noInject: true, wire: true, url: '/creds/.', headers: auth, want: 'path-trick', status: 400 },
  { name: 'backslash', noInject: true, wire: true, url: '/creds\\dev', headers: { host: HOST }, want: 'path-trick', status: 400 },
  { name: 'NUL escape', url: '/creds/dev%00', headers: auth, want: 'path-trick', status: 400, wire: true },
  { name: 'unicode', url: '/creds/d\u00e9v', headers: auth, want: 'path-trick', status: 400 },
  { name: 'over-long URL', url: `/creds?${'a'.repeat(1100)}`, headers: auth, want: 'url-too-long', status: 400, wire: true },
  // Host (DNS rebinding).
  { name: 'rebound Host', url: '/creds/dev', headers: { ...auth, host: 'rebound.example:9911' }, want: 'bad-host', status: 403, wire: true },
  { name: 'Host on another port', url: '/creds/dev', headers: { ...auth, host: '127.0.0.1:9912' }, want: 'bad-host', status: 403 },
  { name: 'Host with a user part', url: '/creds/dev', headers: { ...auth, host: 'x@127.0.0.1:9911' }, want: 'bad-host', status: 403 },
  { name: 'rebound Host on healthz', url: '/healthz', headers: { host: 'rebound.example:9911' }, want: 'bad-host', status: 403, wire: true },
  // Browser and proxy headers, in every spelling node passes on.
  { name: 'Origin', url: '/creds/dev', headers: { ...auth, origin: 'https://evil.example' }, want: 'browser-header', status: 403, wire: true },
  { name: 'Sec-Fetch-Mode', url: '/creds/dev', headers: { ...auth, 'sec-fetch-mode': 'no-cors' }, want: 'browser-header', status: 403, wire: true },
  { name: 'Sec_Fetch_Site', url: '/creds/dev', headers: { ...auth, sec_fetch_site: 'cross-site' }, want: 'browser-header', status: 403, wire: true },
  {
    name: 'Sec-Fetch on IMDS PUT',
    method: 'PUT',
    url: '/latest/api/token',
    headers: { host: HOST, 'sec-fetch-mode': 'no-cors' },
    want: 'browser-header',
    status: 403,
  },
  ...['x-forwarded-for', 'forwarded', 'x-forwarded-host', 'x-forwarded-proto', 'x-real-ip', 'via', 'x_forwarded_for', 'true-client-ip', 'x-client-ip'].map(
    (h): Case => ({ name: h, url: '/creds/dev', headers: { ...auth, [h]: '10.0.0.1' }, want: 'forwarded', status: 403, wire: true }),
  ),
  {
    name: 'X-Forwarded-For on IMDS PUT',
    method: 'PUT',
    url: '/latest/api/token',
    headers: { host: HOST, 'x-forwarded-for': '1.2.3.4', 'x-aws-ec2-metadata-token-ttl-seconds': '60' },
    want: 'forwarded',
    status: 403,
    wire: true,
  },
  {
    name: 'a proxy header behind 120 others',
    url: '/creds/dev',
    headers: { ...auth, ...junk, 'x-forwarded-for': '10.0.0.1' },
    want: 'too-many-headers',
    status: 431,
    wire: true,
  },
  // The container token.
  { name: 'no token', url: '/creds/dev', headers: { host: HOST }, want: 'no-token', status: 401, wire: true },
  { name: 'no token, active route', url: '/creds', headers: { host: HOST }, want: 'no-token', status: 401, wire: true },
  {
    name: 'token one character off',
    url: '/creds/dev',
    headers: { ...auth, authorization: `${TOKEN.slice(0, -1)}x` },
    want: 'bad-token',
    status: 401,
    wire: true,
  },
  { name: 'Bearer token', url: '/creds/dev', headers: { ...auth, authorization: `Bearer ${TOKEN}` }, want: 'bad-token', status: 401, wire: true },
  { name: 'token with a query', url: '/creds/dev?x=1', headers: { host: HOST }, want: 'no-token', status: 401, wire: true },
  { name: 'no token on a bad name', url: '/creds/a..b', headers: { host: HOST }, want: 'no-token', status: 401, wire: true },
  { name: 'no token, trailing slash', url: '/creds/', headers: { host: HOST }, want: 'no-token', status: 401, wire: true },
  // The peer.
  { name: 'another user, with the token', url: '/creds/dev', headers: auth, peer: other, want: 'other-user', status: 403 },
  { name: 'an unknown peer', url: '/creds/dev', headers: auth, peer: { allowed: false, reason: 'unknown-peer' }, want: 'unknown-peer', status: 403 },
  { name: 'another user on IMDS', url: DOC, headers: imdsAuth, peer: other, want: 'other-user', status: 403 },
  { name: 'peer not known yet', url: '/creds/dev', headers: auth, peer: undefined, want: 'lookup-peer', status: 0 },
  // IMDS.
  { name: 'IMDS from another address', url: DOC, headers: imdsAuth, remote: '192.168.1.5', want: 'imds-remote', status: 403 },
  {
    name: 'IMDS PUT from another address',
    method: 'PUT',
    url: '/latest/api/token',
    headers: { host: HOST },
    remote: '10.0.0.9',
    want: 'imds-remote',
    status: 403,
  },
  { name: 'IMDS without a token', url: DOC, headers: { host: HOST }, want: 'imds-no-token', status: 401, wire: true },
  {
    name: 'IMDS with an unknown token',
    url: DOC,
    headers: { host: HOST, 'x-aws-ec2-metadata-token': 'forged' },
    want: 'imds-bad-token',
    status: 401,
    wire: true,
  },
  { name: 'IMDS with the container token', url: DOC, headers: auth, want: 'imds-no-token', status: 401, wire: true },
  { name: 'IMDS for a profile not active', url: '/latest/meta-data/iam/security-credentials/prod', headers: imdsAuth, want: 'imds-not-active', status: 404 },
  // Served.
  { name: 'the active profile', url: '/creds', headers: auth, want: 'allow', status: 200, wire: true },
  { name: 'a named profile', url: '/creds/prod', headers: auth, want: 'allow', status: 200, wire: true },
  { name: 'a named profile with a query', url: '/creds/prod?x=1', headers: auth, want: 'allow', status: 200, wire: true },
  { name: 'localhost Host', url: '/creds/dev', headers: { ...auth, host: 'LOCALHOST:9911' }, want: 'allow', status: 200 },
  { name: 'the IMDS document', url: DOC, headers: imdsAuth, want: 'allow', status: 200 },
  { name: 'healthz, no token', url: '/healthz', headers: { host: HOST }, want: 'allow', status: 200, wire: true },
  { name: 'upper-case path: no route', url: '/CREDS/dev', headers: { host: HOST }, want: 'allow', status: 404, wire: true },
];

const rawHeaders = (h: Record<string, string>) => Object.entries(h).flat();
const request = (c: Case) => ({
  method: c.method ?? 'GET',
  url: c.url,
  headers: c.headers,
  headerCount: Object.keys(c.headers).length,
  remoteAddress: c.remote ?? '127.0.0.1',
});

t.test('admit: every case of the table', async (t) => {
  const policy = policyFor({ imdsTokens });
  for (const c of CASES) {
    const a = admit(policy, { ...request(c), peer: 'peer' in c ? c.peer : { allowed: true } });
    const got = a.verdict === 'refuse' ? a.reason : a.verdict;
    t.equal(got, c.want, c.name);
    if (a.verdict === 'refuse') t.equal(a.error.status, c.status, `${c.name}: status`);
  }
});

t.test('the fast path serves exactly the allowed credential routes of the table, and asks for no body otherwise', async (t) => {
  const policy = policyFor({ imdsTokens });
  for (const c of CASES) {
    const asked: string[] = [];
    const fast = createFastPath({
      cachedBody: (name, form) => (asked.push(`${form}:${name}`), '{}'),
      policy,
      peer: fixedPeer(c.peer ?? { allowed: true }, { known: 'peer' in c ? c.peer !== undefined : true }),
      closing: () => false,
    });
    const res = { writeHead: () => undefined, end: () => undefined } as unknown as ServerResponse;
    const req = {
      method: c.method ?? 'GET',
      url: c.url,
      headers: c.headers,
      rawHeaders: rawHeaders(c.headers),
      socket: { remoteAddress: c.remote ?? '127.0.0.1' },
    } as unknown as IncomingMessage;
    const served = fast(req, res);
    const shouldServe = c.want === 'allow' && c.status === 200 && c.url !== '/healthz';
    t.equal(served, shouldServe, c.name);
    t.equal(asked.length, shouldServe ? 1 : 0, `${c.name}: bodies asked for`);
  }
});

t.test('the fastify guard gives every case of the table the same answer', async (t) => {
  for (const c of CASES) {
    if (c.want === 'lookup-peer' || c.noInject) continue;
    const { app, logs } = testServer({ imds: true, peer: fixedPeer(c.peer ?? { allowed: true }, { known: true }) });
    // The IMDS tokens are the server's own: take one for the cases that carry the good one.
    let headers = c.headers;
    if (headers['x-aws-ec2-metadata-token'] === IMDS_TOKEN && c.peer?.allowed !== false) {
      const put = await app.inject({ method: 'PUT', url: '/latest/api/token', headers: { host: HOST, 'x-aws-ec2-metadata-token-ttl-seconds': '60' } });
      headers = { ...headers, 'x-aws-ec2-metadata-token': put.body };
    }
    const res = await app.inject({ method: (c.method ?? 'GET') as 'GET', url: c.url, headers, remoteAddress: c.remote ?? '127.0.0.1' });
    t.equal(res.statusCode, c.status, c.name);
    const logged = logs
      .entries()
      .filter((e) => e.security === 'refused')
      .map((e) => e.reason);
    if (c.want === 'allow' || c.want === 'imds-not-active') t.same(logged, [], `${c.name}: nothing logged`);
    else t.same(logged, [c.want], `${c.name}: logged once, as ${c.want}`);
    if (c.status !== 200 && c.want !== 'allow') t.equal(res.headers.connection, 'close', `${c.name}: connection closed`);
    await app.close();
  }
});

t.test('over a real socket: the same answers, the fast path serves none of the refused, and a refusal closes the connection', async (t) => {
  const swap = (h: Record<string, string>, host: string, port: number) =>
    Object.fromEntries(Object.entries(h).map(([k, v]) => [k, v === HOST ? host : k === 'host' ? v.replace(':9911', `:${port}`) : v]));
  for (const c of CASES.filter((x) => x.wire)) {
    // A server per case: the security log holds back repeats of a reason.
    const { port, host, source, logs, app } = await listen(t);
    const conn = await connection(t, port);
    // Judge the connection first, so that the fast path runs for the case itself.
    t.equal((await conn.send('GET', '/creds/dev', { Host: host, Authorization: TOKEN })).status, 200);
    source.fastCalls.length = 0;
    const before = logs.entries().length;
    const res = await conn.send(c.method ?? 'GET', c.url, swap(c.headers, host, port));
    t.equal(res.status, c.status, c.name);
    const logged = logs
      .entries()
      .slice(before)
      .filter((e) => e.security === 'refused')
      .map((e) => e.reason);
    if (c.want === 'allow') {
      t.same(logged, [], `${c.name}: nothing logged`);
      if (c.status === 200 && c.url.startsWith('/creds')) t.equal(source.fastCalls.length, 1, `${c.name}: served by the fast path`);
    } else if (c.want === 'too-many-headers' && logged.length === 0) {
      // Node 24's parser refuses a request past maxHeadersCount itself (431), before any handler: refused all the same.
      t.equal(res.status, 431, `${c.name}: refused by node`);
    } else {
      t.same(logged, [c.want], `${c.name}: logged as ${c.want}`);
      t.same(source.fastCalls, [], `${c.name}: not by the fast path`);
      t.ok(await conn.closedWithin(2000), `${c.name}: the connection is closed`);
    }
    await app.close();
  }
});

t.test('routeKind: what a path or a route pattern needs, with IMDS on and off', async (t) => {
  t.equal(routeKind('GET', '/creds/:name', true), 'container');
  t.equal(routeKind('GET', '/creds', false), 'container');
  t.equal(routeKind('PUT', '/latest/api/token', true), 'imds-token');
  t.equal(routeKind('GET', '/latest/api/token', true), 'imds');
  t.equal(routeKind('GET', '/latest/meta-data/iam/security-credentials/:name', true), 'imds');
  t.equal(routeKind('GET', '/latest/meta-data/', false), 'open');
  t.equal(routeKind('GET', '/healthz', true), 'open');
  t.equal(routeKind('GET', '/credsx', true), 'open');
});
