/**
 * The credential endpoint on a real loopback socket: what inject cannot show (node's header
 * limit, raw dot segments, the Host port taken from the connection, the /proc peer check).
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import request from 'supertest';
import t, { type Test } from 'tap';
import { buildCredsServer, type CredsServerOptions } from '../../src/http/build-creds-server.js';
import { createPeerCheck } from '../../src/http/peer-check.js';
import { NOW, TOKEN, fakeSource, fixedPeer, memoryLog } from './fixtures.js';

async function listen(t: Test, over: Partial<CredsServerOptions> = {}) {
  const logs = memoryLog();
  const app = buildCredsServer({ source: fakeSource('dev'), token: TOKEN, log: logs.log, now: () => NOW, peer: fixedPeer(), ...over });
  await app.listen({ host: '127.0.0.1', port: 0 });
  t.teardown(() => app.close());
  const port = (app.server.address() as AddressInfo).port;
  return { app, port, logs, base: `http://127.0.0.1:${port}` };
}

/** Sends `head` as the raw request, so no client library normalizes the path; returns the status. */
function raw(port: number, head: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    let data = '';
    sock.setEncoding('utf8');
    sock.on('data', (d) => (data += d));
    sock.on('error', reject);
    sock.on('close', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0)));
    // write, not end: node's server drops a request whose client half-closes before the answer.
    sock.write(`${head}\r\nConnection: close\r\n\r\n`);
  });
}

t.test('the Host port defaults to the port the connection arrived on', async (t) => {
  const { base, port } = await listen(t);
  await request(base).get('/healthz').expect(200, { status: 'ok' });
  await request(base).get('/healthz').set('Host', `localhost:${port}`).expect(200);
  await request(base)
    .get('/healthz')
    .set('Host', `127.0.0.1:${port + 1}`)
    .expect(403);
  await request(base).get('/creds').set('Authorization', TOKEN).expect('content-type', /json/).expect(200);
});

t.test('dot segments sent raw are refused before any route', async (t) => {
  const { port, logs } = await listen(t);
  const host = `Host: 127.0.0.1:${port}\r\nAuthorization: ${TOKEN}`;
  for (const path of [
    '/creds/..',
    '/creds/.',
    '/creds/%2e%2e',
    '/creds/%2E%2e/healthz',
    '/creds/../healthz',
    '/creds/a\\b',
    '/latest/meta-data/iam/security-credentials/..',
    '/latest/meta-data/iam/security-credentials/%2e%2e',
  ]) {
    t.equal(await raw(port, `GET ${path} HTTP/1.1\r\n${host}`), 400, path);
  }
  t.ok(logs.entries().every((e) => e.reason === 'path-trick'));
  t.equal(await raw(port, `GET /creds/dev HTTP/1.1\r\n${host}`), 200, 'the same socket path works for a real name');
});

t.test('oversized headers get 431 from node before any handler', async (t) => {
  const { base } = await listen(t);
  await request(base).get('/healthz').set('X-Pad', 'a'.repeat(6000)).expect(200);
  const res = await request(base)
    .get('/healthz')
    .set('X-Pad', 'a'.repeat(9000))
    .ok(() => true);
  t.equal(res.status, 431);
  const small = await listen(t, { maxHeaderSize: 1024 });
  t.equal(
    (
      await request(small.base)
        .get('/healthz')
        .set('X-Pad', 'a'.repeat(1500))
        .ok(() => true)
    ).status,
    431,
  );
});

t.test('IMDSv2 over a real socket', async (t) => {
  const { base } = await listen(t);
  const token = (await request(base).put('/latest/api/token').set('X-aws-ec2-metadata-token-ttl-seconds', '21600').expect(200)).text;
  const name = (await request(base).get('/latest/meta-data/iam/security-credentials/').set('X-aws-ec2-metadata-token', token).expect(200)).text;
  t.equal(name, 'dev');
  const creds = await request(base).get(`/latest/meta-data/iam/security-credentials/${name}`).set('X-aws-ec2-metadata-token', token).expect(200);
  t.equal(JSON.parse(creds.text).Code, 'Success');
  await request(base).get('/latest/meta-data/iam/security-credentials/').expect(401);
});

const linux = process.platform === 'linux';

t.test('the /proc peer check runs once per connection and admits our own user', { skip: !linux && 'Linux only' }, async (t) => {
  const reads: string[] = [];
  const peer = createPeerCheck({ readProc: (p) => (reads.push(p), readFile(p, 'utf8')) });
  t.equal(peer.status().enabled, true);
  const { port } = await listen(t, { peer });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  t.teardown(() => agent.destroy());
  const get = () =>
    new Promise<number>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port, path: '/creds/dev', headers: { authorization: TOKEN }, agent }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        })
        .on('error', reject);
    });
  t.same([await get(), await get(), await get()], [200, 200, 200]);
  t.same(reads, ['/proc/net/tcp'], 'one read of the IPv4 table for three keep-alive requests');
  t.equal(await raw(port, `GET /creds/dev HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: ${TOKEN}`), 200);
  t.equal(reads.length, 2, 'a new connection is looked up again');
  t.equal(await raw(port, `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${port}`), 200);
  t.equal(reads.length, 2, '/healthz serves no secret and is not looked up');
});

t.test('a bare connect or an unauthenticated request costs no /proc read', { skip: !linux && 'Linux only' }, async (t) => {
  const reads: string[] = [];
  const peer = createPeerCheck({ readProc: (p) => (reads.push(p), readFile(p, 'utf8')) });
  const { port, logs } = await listen(t, { peer });
  await new Promise<void>((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1', () => sock.end());
    sock.on('error', reject);
    sock.on('close', () => resolve());
  });
  t.equal(await raw(port, `GET /creds/dev HTTP/1.1\r\nHost: 127.0.0.1:${port}`), 401);
  t.equal(await raw(port, `GET /creds/dev HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: ${'x'.repeat(TOKEN.length)}`), 401);
  t.equal(await raw(port, `GET /healthz HTTP/1.1\r\nHost: rebound.example:${port}`), 403);
  t.same(reads, [], 'nothing read');
  t.same(
    logs.entries().map((e) => e.reason),
    ['no-token', 'bad-token', 'bad-host'],
  );
  t.equal(await raw(port, `GET /creds/dev HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: ${TOKEN}`), 200);
  t.same(reads, ['/proc/net/tcp'], 'the authenticated request is looked up');
});

const root = process.getuid?.() === 0;

t.test("a connection from another user's process is refused", { skip: !(linux && root) && 'needs Linux and root (to run a client as nobody)' }, async (t) => {
  const { port, logs } = await listen(t, { peer: createPeerCheck() });
  const client = `require('http').get({ host: '127.0.0.1', port: ${port}, path: '/creds/dev', headers: { authorization: '${TOKEN}' } }, (r) => { console.log(r.statusCode); r.resume(); })`;
  const status = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', client], { uid: 65534, gid: 65534, cwd: '/', env: {}, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('exit', () => resolve(out.trim()));
  });
  t.equal(status, '403');
  t.match(logs.entries().at(-1), { security: 'refused', reason: 'other-user', detail: 'uid 65534' });
});

t.test('without a peer option the server builds the /proc check itself', async (t) => {
  const logs = memoryLog();
  const app = buildCredsServer({ source: fakeSource('dev'), token: TOKEN, log: logs.log, now: () => NOW });
  await app.listen({ host: '127.0.0.1', port: 0 });
  t.teardown(() => app.close());
  await request(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}`)
    .get('/healthz')
    .expect(200);
});
