/**
 * The synchronous fast path in front of fastify: it answers `GET /creds[/NAME]` and the IMDS
 * credential GET only when every check passes and the body is fresh, with the bytes fastify would send; anything else reaches
 * fastify and its guard unchanged.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import t, { type Test } from 'tap';
import { buildCredsServer, type CredsServerOptions } from '../../src/http/build-creds-server.js';
import { createFastPath } from '../../src/http/fast-path.js';
import { createHostCheck } from '../../src/http/host-check.js';
import { createPeerCheck, type PeerCheck, type PeerVerdict } from '../../src/http/peer-check.js';
import { NOW, TOKEN, fakeSource, memoryLog } from './fixtures.js';

/** A peer check that, like the real one, knows a connection's verdict once it was looked up. */
function learningPeer(verdict: PeerVerdict = { allowed: true }): PeerCheck & { lookups: number } {
  const judged = new WeakSet<object>();
  const peer = {
    lookups: 0,
    status: () => ({ enabled: true, detail: 'fake' }),
    watch: () => undefined,
    known: (s: object) => (judged.has(s) ? verdict : undefined),
    verdict: async (s: object) => {
      peer.lookups++;
      judged.add(s);
      return verdict;
    },
  };
  return peer;
}

async function listen(t: Test, over: Partial<CredsServerOptions> = {}) {
  const logs = memoryLog();
  const source = fakeSource('dev');
  const peer = learningPeer();
  const app = buildCredsServer({ source, token: TOKEN, log: logs.log, now: () => NOW, peer, ...over });
  await app.listen({ host: '127.0.0.1', port: 0 });
  t.teardown(() => app.close());
  const port = (app.server.address() as AddressInfo).port;
  return { app, port, logs, source, peer, host: `127.0.0.1:${port}` };
}

interface Answer {
  status: number;
  /** The whole response as sent, less its Date line. */
  bytes: string;
}

/** One keep-alive connection; each `send` writes a raw request and reads one whole response. */
async function connection(t: Test, port: number) {
  const sock = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => sock.once('connect', resolve).once('error', reject));
  t.teardown(() => sock.destroy());
  let buffered = '';
  let waiting: (() => void) | undefined;
  sock.setEncoding('latin1');
  sock.on('data', (d: string) => {
    buffered += d;
    waiting?.();
  });
  const complete = (): string | undefined => {
    const end = buffered.indexOf('\r\n\r\n');
    if (end === -1) return undefined;
    const length = Number(/\r\ncontent-length: (\d+)/i.exec(buffered.slice(0, end))?.[1] ?? 0);
    const head = /^HEAD /.test(last) ? 0 : length;
    if (buffered.length < end + 4 + head) return undefined;
    const out = buffered.slice(0, end + 4 + head);
    buffered = buffered.slice(end + 4 + head);
    return out;
  };
  let last = '';
  return {
    async send(method: string, path: string, headers: Record<string, string>): Promise<Answer> {
      last = `${method} `;
      sock.write(`${method} ${path} HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`);
      let out = complete();
      while (out === undefined) {
        await new Promise<void>((r) => (waiting = r));
        out = complete();
      }
      return { status: Number(out.slice(9, 12)), bytes: out.replace(/\r\nDate: [^\r]*/, '') };
    },
  };
}

t.test('a cached, fresh body on a judged connection is served by the fast path, byte for byte as fastify sends it', async (t) => {
  const { port, host, source, peer } = await listen(t);
  const c = await connection(t, port);
  const auth = { Host: host, Authorization: TOKEN };
  for (const path of ['/creds/dev', '/creds']) {
    source.calls.length = 0;
    source.fastCalls.length = 0;
    source.fresh = false;
    const viaFastify = await c.send('GET', path, auth);
    source.fresh = true;
    const viaFastPath = await c.send('GET', path, auth);
    t.equal(viaFastify.status, 200, path);
    t.same(source.calls, [path === '/creds' ? undefined : 'dev'], 'the first answer came from fastify');
    t.same(source.fastCalls, [path === '/creds' ? undefined : 'dev'], 'the second from the fast path');
    t.equal(viaFastPath.bytes, viaFastify.bytes, 'status line, headers and body identical');
    t.match(viaFastPath.bytes, /\r\ncontent-type: application\/json; charset=utf-8\r\n/);
    t.match(viaFastPath.bytes, /\r\ncontent-length: \d+\r\n/);
  }
  t.equal(peer.lookups, 1, 'one peer lookup for the connection');
});

t.test('the IMDS credential GET: the fast path sends what the IMDS route sends, byte for byte', async (t) => {
  const { port, host, source } = await listen(t);
  const c = await connection(t, port);
  const put = await c.send('PUT', '/latest/api/token', { Host: host, 'X-aws-ec2-metadata-token-ttl-seconds': '60', 'Content-Length': '0' });
  const token = put.bytes.slice(put.bytes.indexOf('\r\n\r\n') + 4);
  const path = '/latest/meta-data/iam/security-credentials/dev';
  source.fresh = false;
  const viaFastify = await c.send('GET', path, { Host: host, 'X-aws-ec2-metadata-token': token });
  source.fresh = true;
  const viaFastPath = await c.send('GET', path, { Host: host, 'X-aws-ec2-metadata-token': token });
  t.equal(viaFastify.status, 200);
  t.same(source.calls, ['dev'], 'the first answer came from fastify');
  t.same(source.fastCalls, ['imds:dev'], 'the second from the fast path');
  t.equal(viaFastPath.bytes, viaFastify.bytes, 'status line, headers and body identical');
  t.match(viaFastPath.bytes, /\r\ncontent-type: text\/plain; charset=utf-8\r\n/);
  t.match(viaFastPath.bytes, /"Code": "Success"/);
  // What the guard refuses, or the route does not serve, is left to fastify.
  source.fastCalls.length = 0;
  t.equal((await c.send('GET', path, { Host: host })).status, 401, 'no IMDS token');
  t.equal((await c.send('GET', path, { Host: host, 'X-aws-ec2-metadata-token': `${token}x` })).status, 401, 'a token never issued');
  t.equal((await c.send('GET', path, { Host: host, Authorization: TOKEN })).status, 401, 'the container token is not an IMDS token');
  t.equal((await c.send('GET', `${path.slice(0, -3)}prod`, { Host: host, 'X-aws-ec2-metadata-token': token })).status, 404, 'only the active profile');
  t.same(source.fastCalls, [], 'none of them by the fast path');
});

t.test('with IMDS off, the fast path leaves /latest/ to fastify (404)', async (t) => {
  const { port, host, source } = await listen(t, { imds: false });
  const c = await connection(t, port);
  await c.send('GET', '/healthz', { Host: host });
  t.equal((await c.send('GET', '/latest/meta-data/iam/security-credentials/dev', { Host: host, 'X-aws-ec2-metadata-token': 'x' })).status, 404);
  t.same(source.fastCalls, []);
});

t.test('the first request of a connection goes through fastify: its verdict is not known yet', async (t) => {
  const { port, host, source, peer } = await listen(t);
  const c = await connection(t, port);
  t.equal((await c.send('GET', '/creds/dev', { Host: host, Authorization: TOKEN })).status, 200);
  t.same(source.calls, ['dev']);
  t.same(source.fastCalls, []);
  t.equal(peer.lookups, 1);
  t.equal((await c.send('GET', '/creds/dev', { Host: host, Authorization: TOKEN })).status, 200);
  t.same(source.fastCalls, ['dev'], 'then the fast path');
});

t.test('everything but the plain hot path falls through to fastify, which refuses and logs as always', async (t) => {
  const { port, host, source, logs } = await listen(t);
  const c = await connection(t, port);
  const auth = { Host: host, Authorization: TOKEN };
  await c.send('GET', '/healthz', { Host: host }); // judges the connection
  const cases: Array<[string, string, Record<string, string>, number, string | undefined]> = [
    ['GET', '/creds/dev', { Host: host }, 401, 'no-token'],
    ['GET', '/creds/dev', { Host: host, Authorization: `${TOKEN.slice(0, -1)}x` }, 401, 'bad-token'],
    ['GET', '/creds/dev', { Host: `rebound.example:${port}`, Authorization: TOKEN }, 403, 'bad-host'],
    ['GET', '/creds/dev', { ...auth, Origin: 'https://evil.example' }, 403, 'browser-header'],
    ['GET', '/creds/dev', { ...auth, 'Sec-Fetch-Mode': 'no-cors' }, 403, 'browser-header'],
    ['GET', '/creds/dev', { ...auth, 'X-Forwarded-For': '10.0.0.1' }, 403, 'forwarded'],
    ['GET', '/creds/dev', { ...auth, Forwarded: 'for=10.0.0.1' }, 403, 'forwarded'],
    ['GET', '/creds/a..b', auth, 400, undefined],
    ['GET', '/creds/.', auth, 400, 'path-trick'],
    ['GET', '/creds/..', auth, 400, 'path-trick'],
    ['GET', `/creds/${'a'.repeat(129)}`, auth, 414, 'bad-url'],
    ['GET', `/creds?${'a'.repeat(1100)}`, auth, 400, 'url-too-long'],
    ['GET', '/creds/nope', auth, 404, undefined],
    ['GET', '/creds/locked', auth, 403, undefined],
    ['POST', '/creds/dev', { ...auth, 'Content-Length': '0' }, 404, undefined],
  ];
  for (const [method, path, headers, status, reason] of cases) {
    const before = logs.entries().length;
    const res = await c.send(method, path, headers);
    t.equal(res.status, status, `${method} ${path.slice(0, 40)} ${JSON.stringify(headers).slice(0, 80)}`);
    if (reason) t.equal(logs.entries().slice(before).at(-1)?.reason, reason, reason);
  }
  t.same(source.fastCalls, [], 'the fast path served none of them');
  source.calls.length = 0;
  for (const [method, path, headers] of [
    ['GET', '/creds/dev?x=1', auth],
    ['GET', '/creds/dev', { ...auth, Host: `LOCALHOST:${port}` }],
    ['HEAD', '/creds/dev', auth],
    ['GET', '/creds/a.b', auth],
  ] as const) {
    const res = await c.send(method, path, headers);
    t.equal(res.status, path === '/creds/a.b' ? 404 : 200, `${method} ${path} ${headers.Host}`);
  }
  t.same(source.calls, ['dev', 'dev', 'dev', 'a.b'], 'served (or not) by fastify, not the fast path');
  t.same(source.fastCalls, []);
});

t.test('credentials that are not fresh are left to fastify (and the engine)', async (t) => {
  const { port, host, source } = await listen(t);
  const c = await connection(t, port);
  await c.send('GET', '/healthz', { Host: host });
  source.fresh = false;
  t.equal((await c.send('GET', '/creds/dev', { Host: host, Authorization: TOKEN })).status, 200);
  t.same(source.calls, ['dev']);
  t.same(source.fastCalls, []);
});

t.test("a known refusal is not served: fastify refuses it again, with no second lookup", async (t) => {
  const peer = learningPeer({ allowed: false, reason: 'other-user', uid: 1234 });
  const { port, host, source, logs } = await listen(t, { peer });
  const c = await connection(t, port);
  for (let i = 0; i < 2; i++) t.equal((await c.send('GET', '/creds/dev', { Host: host, Authorization: TOKEN })).status, 403);
  t.equal(peer.lookups, 1);
  t.same(source.fastCalls, []);
  t.same(source.calls, []);
  t.same(logs.entries().map((e) => e.reason), ['other-user', 'other-user']);
});

t.test('where the peer check is off, the first request is already served by the fast path', async (t) => {
  const { port, host, source } = await listen(t, { peer: createPeerCheck({ platform: 'darwin', uid: 501 }) });
  const c = await connection(t, port);
  t.equal((await c.send('GET', '/creds/prod', { Host: host, Authorization: TOKEN })).status, 200);
  t.same(source.fastCalls, ['prod']);
  t.same(source.calls, []);
});

t.test('a source without cachedBody: fastify answers everything', async (t) => {
  const source = fakeSource('dev');
  delete (source as { cachedBody?: unknown }).cachedBody;
  const { port, host } = await listen(t, { source, peer: createPeerCheck({ platform: 'darwin', uid: 501 }) });
  const c = await connection(t, port);
  t.equal((await c.send('GET', '/creds/dev', { Host: host, Authorization: TOKEN })).status, 200);
  t.same(source.calls, ['dev']);
});

t.test('createFastPath on its own: the ECS mode, closing, and what it never touches', async (t) => {
  const written: unknown[] = [];
  const res = { writeHead: (...a: unknown[]) => written.push(a), end: (b: unknown) => written.push(b) } as unknown as ServerResponse;
  const socket = {};
  const req = (over: Partial<IncomingMessage> = {}) =>
    ({ method: 'GET', url: '/creds/dev', headers: { host: '127.0.0.1:9911' }, socket, ...over }) as unknown as IncomingMessage;
  let closing = false;
  let bodies = 0;
  const make = (allowNoToken: boolean) => createFastPath({
    cachedBody: () => (bodies++, '{"é":1}'),
    token: TOKEN,
    allowNoToken,
    hosts: createHostCheck({ port: () => 9911 }),
    peer: { status: () => ({ enabled: false, detail: '' }), watch: () => undefined, verdict: async () => ({ allowed: true }), known: () => ({ allowed: true }) },
    closing: () => closing,
  });
  const ecs = make(true);
  t.equal(ecs(req(), res), true, 'no token needed in the ECS mode, as in the guard');
  t.same(written, [[200, { 'content-type': 'application/json; charset=utf-8', 'content-length': 8 }], Buffer.from('{"é":1}')], 'the length in bytes, not characters');
  t.equal(make(false)(req(), res), false, 'but needed otherwise');
  closing = true;
  t.equal(ecs(req(), res), false, 'closing: fastify answers (503)');
  closing = false;
  t.equal(ecs(req({ url: undefined }), res), false);
  t.equal(ecs(req({ url: '/creds/dev/x' }), res), false);
  t.equal(ecs(req({ url: '/credsx' }), res), false);
  t.equal(ecs(req({ url: '/latest/api/token' }), res), false);
  t.equal(bodies, 1, 'the body (a use of the profile) is asked for only when everything else passed');
});

t.test('createFastPath on its own: IMDS only for loopback clients with a valid token', async (t) => {
  const written: unknown[] = [];
  const res = { writeHead: (...a: unknown[]) => written.push(a), end: (b: unknown) => written.push(b) } as unknown as ServerResponse;
  const kinds: Array<string | undefined> = [];
  const fast = createFastPath({
    cachedBody: (name, kind) => (kinds.push(`${kind}:${name}`), 'doc'),
    imdsTokens: { issue: () => 'x', size: () => 1, valid: (v) => v === 'good' },
    token: TOKEN,
    hosts: createHostCheck({ port: () => 9911 }),
    peer: { status: () => ({ enabled: false, detail: '' }), watch: () => undefined, verdict: async () => ({ allowed: true }), known: () => ({ allowed: true }) },
    closing: () => false,
  });
  const req = (remoteAddress: string, token?: string, url = '/latest/meta-data/iam/security-credentials/dev') =>
    ({ method: 'GET', url, headers: { host: '127.0.0.1:9911', ...(token ? { 'x-aws-ec2-metadata-token': token } : {}) }, socket: { remoteAddress } }) as unknown as IncomingMessage;
  t.equal(fast(req('10.1.2.3', 'good'), res), false, 'not from another host');
  t.equal(fast(req('127.0.0.1'), res), false, 'not without a token');
  t.equal(fast(req('127.0.0.1', 'bad'), res), false, 'not with an unknown one');
  t.equal(fast(req('127.0.0.1', 'good', '/latest/meta-data/iam/security-credentials/'), res), false, 'not the role list');
  t.same(kinds, []);
  t.equal(fast(req('::ffff:127.0.0.1', 'good'), res), true);
  t.equal(fast(req('127.0.0.2', 'good'), res), true);
  t.equal(fast(req('::1', 'good'), res), true);
  t.equal(fast(req('::ffff:10.0.0.1', 'good'), res), false);
  t.equal(fast(req(undefined as unknown as string, 'good'), res), false, 'a socket already closed');
  t.same(kinds, ['imds:dev', 'imds:dev', 'imds:dev']);
  t.same(written.slice(0, 2), [[200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': 3 }], Buffer.from('doc')]);
  t.equal(written[1], written[3], 'the body is encoded once, then the same bytes are sent');
});

t.test('createFastPath on its own: the encoded bodies stay few, however many profiles are served', async (t) => {
  const sent: Buffer[] = [];
  const res = { writeHead: () => undefined, end: (b: Buffer) => sent.push(b) } as unknown as ServerResponse;
  let n = 0;
  const fast = createFastPath({
    cachedBody: () => `{"n":${n}}`,
    token: TOKEN,
    allowNoToken: true,
    hosts: createHostCheck({ port: () => 9911 }),
    peer: { status: () => ({ enabled: false, detail: '' }), watch: () => undefined, verdict: async () => ({ allowed: true }), known: () => ({ allowed: true }) },
    closing: () => false,
  });
  const req = { method: 'GET', url: '/creds/dev', headers: { host: '127.0.0.1:9911' }, socket: {} } as unknown as IncomingMessage;
  for (n = 0; n < 70; n++) fast(req, res);
  n = 69;
  fast(req, res);
  t.equal(sent.length, 71);
  t.same(sent.map((b) => b.toString()), [...Array.from({ length: 70 }, (_, i) => `{"n":${i}}`), '{"n":69}'], 'every body right, past the bound too');
  t.equal(sent[70], sent[69], 'a body still held is not encoded again');
});
