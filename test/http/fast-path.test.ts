/**
 * The synchronous fast path in front of fastify: it answers `GET /creds[/NAME]` and the IMDS
 * credential GET only when every check passes and the body is fresh, with the bytes fastify would send; anything else reaches
 * fastify and its guard unchanged.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import t from 'tap';
import { createFastPath } from '../../src/http/fast-path.js';
import { createPeerCheck } from '../../src/http/peer-check.js';
import { TOKEN, fakeSource } from './fixtures.js';
import { connection, learningPeer, listen, policyFor } from './raw-client.js';

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
  // What admission refuses is never served here: the table in admission.test.ts runs every case through both paths.
});

t.test('with IMDS off, the fast path leaves /latest/ to fastify (404)', async (t) => {
  const { port, host, source } = await listen(t, { imds: false });
  const c = await connection(t, port);
  t.equal((await c.send('GET', '/creds/dev', { Host: host, Authorization: TOKEN })).status, 200);
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

t.test('credentials that are not fresh are left to fastify (and the engine)', async (t) => {
  const { port, host, source } = await listen(t);
  const c = await connection(t, port);
  await c.send('GET', '/healthz', { Host: host });
  source.fresh = false;
  t.equal((await c.send('GET', '/creds/dev', { Host: host, Authorization: TOKEN })).status, 200);
  t.same(source.calls, ['dev']);
  t.same(source.fastCalls, []);
});

t.test("another user's connection is refused once, never by the fast path, and closed", async (t) => {
  const peer = learningPeer({ allowed: false, reason: 'other-user', uid: 1234 });
  const { port, host, source, logs } = await listen(t, { peer });
  const c = await connection(t, port);
  t.equal((await c.send('GET', '/creds/dev', { Host: host, Authorization: TOKEN })).status, 403);
  t.ok(await c.closedWithin(2000), 'closed after the refusal');
  t.equal(peer.lookups, 1);
  t.same(source.fastCalls, []);
  t.same(source.calls, []);
  t.same(
    logs.entries().map((e) => e.reason),
    ['other-user'],
  );
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
    ({
      method: 'GET',
      url: '/creds/dev',
      headers: { host: '127.0.0.1:9911' },
      rawHeaders: ['Host', '127.0.0.1:9911'],
      socket,
      ...over,
    }) as unknown as IncomingMessage;
  let closing = false;
  let bodies = 0;
  const make = (allowNoToken: boolean) =>
    createFastPath({
      cachedBody: () => (bodies++, '{"é":1}'),
      policy: policyFor({ allowNoToken }),
      peer: {
        status: () => ({ enabled: false, detail: '' }),
        watch: () => undefined,
        verdict: async () => ({ allowed: true }),
        known: () => ({ allowed: true }),
      },
      closing: () => closing,
    });
  const ecs = make(true);
  t.equal(ecs(req(), res), true, 'no token needed in the ECS mode, as in the guard');
  t.same(
    written,
    [[200, { 'content-type': 'application/json; charset=utf-8', 'content-length': 8 }], Buffer.from('{"é":1}')],
    'the length in bytes, not characters',
  );
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
    policy: policyFor({ imdsTokens: { issue: () => 'x', size: () => 1, valid: (v) => v === 'good' } }),
    peer: {
      status: () => ({ enabled: false, detail: '' }),
      watch: () => undefined,
      verdict: async () => ({ allowed: true }),
      known: () => ({ allowed: true }),
    },
    closing: () => false,
  });
  const req = (remoteAddress: string, token?: string, url = '/latest/meta-data/iam/security-credentials/dev') =>
    ({
      method: 'GET',
      url,
      headers: { host: '127.0.0.1:9911', ...(token ? { 'x-aws-ec2-metadata-token': token } : {}) },
      rawHeaders: [],
      socket: { remoteAddress },
    }) as unknown as IncomingMessage;
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
    policy: policyFor({ allowNoToken: true }),
    peer: {
      status: () => ({ enabled: false, detail: '' }),
      watch: () => undefined,
      verdict: async () => ({ allowed: true }),
      known: () => ({ allowed: true }),
    },
    closing: () => false,
  });
  const req = { method: 'GET', url: '/creds/dev', headers: { host: '127.0.0.1:9911' }, rawHeaders: [], socket: {} } as unknown as IncomingMessage;
  for (n = 0; n < 70; n++) fast(req, res);
  n = 69;
  fast(req, res);
  t.equal(sent.length, 71);
  t.same(
    sent.map((b) => b.toString()),
    [...Array.from({ length: 70 }, (_, i) => `{"n":${i}}`), '{"n":69}'],
    'every body right, past the bound too',
  );
  t.equal(sent[70], sent[69], 'a body still held is not encoded again');
});
