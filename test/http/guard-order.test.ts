/**
 * The order of the guard's checks: the peer-user lookup (a /proc read) comes after every cheap
 * check and after the container token, so a refused request never causes a read.
 */
import t from 'tap';
import { createPeerCheck } from '../../src/http/peer-check.js';
import { HOST, TOKEN, testServer } from './fixtures.js';

const HEAD = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode';

/** A real peer check (as on Linux) over a /proc reader that counts its reads. */
function countingPeer() {
  const reads: string[] = [];
  const peer = createPeerCheck({ uid: 1000, platform: 'linux', readProc: async (p) => (reads.push(p), HEAD) });
  return { peer, reads };
}

t.test('refused requests cause no /proc read', async (t) => {
  const { peer, reads } = countingPeer();
  const { app, logs } = testServer({ peer });
  const cases: Array<[string, Record<string, string>, number, string]> = [
    ['/creds', { host: HOST }, 401, 'no-token'],
    ['/creds/dev', { host: HOST, authorization: 'x'.repeat(TOKEN.length) }, 401, 'bad-token'],
    ['/creds/dev', { host: 'rebound.example:9911', authorization: TOKEN }, 403, 'bad-host'],
    ['/creds/dev', { host: HOST, authorization: TOKEN, origin: 'https://evil.example' }, 403, 'browser-header'],
    ['/creds/dev', { host: HOST, authorization: TOKEN, 'x-forwarded-for': '10.0.0.1' }, 403, 'forwarded'],
    ['/creds/a%2fb', { host: HOST, authorization: TOKEN }, 400, 'path-trick'],
    [`/creds?${'a'.repeat(1100)}`, { host: HOST, authorization: TOKEN }, 400, 'url-too-long'],
    ['/healthz', { host: 'rebound.example:9911' }, 403, 'bad-host'],
    ['/latest/api/token', { host: HOST, 'sec-fetch-mode': 'no-cors' }, 403, 'browser-header'],
  ];
  for (const [url, headers, status, reason] of cases) {
    const res = await app.inject({ url, headers });
    t.equal(res.statusCode, status, `${url} ${reason}`);
    t.equal(logs.entries().at(-1)?.reason, reason);
  }
  t.same(reads, [], 'not one read');
});

t.test('/healthz and unknown paths serve no secret and cause no read', async (t) => {
  const { peer, reads } = countingPeer();
  const { app } = testServer({ peer });
  t.equal((await app.inject({ url: '/healthz', headers: { host: HOST } })).statusCode, 200);
  t.equal((await app.inject({ url: '/nope', headers: { host: HOST } })).statusCode, 404);
  t.same(reads, []);
});

t.test('a request that passed every other check is looked up, on every credential route', async (t) => {
  for (const [url, headers] of [
    ['/creds/dev', { host: HOST, authorization: TOKEN }],
    ['/latest/api/token', { host: HOST }],
    ['/latest/meta-data/iam/security-credentials/', { host: HOST }],
  ] as const) {
    const { peer, reads } = countingPeer();
    const { app, logs, source } = testServer({ peer });
    // inject's socket has no port, so it is in no table: an unknown peer, refused.
    const res = await app.inject({ url, headers });
    t.equal(res.statusCode, 403, url);
    t.equal(logs.entries().at(-1)?.reason, 'unknown-peer');
    t.same(reads, ['/proc/net/tcp', '/proc/net/tcp6'], 'looked up in both tables');
    t.same(source.calls, []);
  }
});

t.test('on IMDS the peer check comes before the IMDS token (IMDS has no secret to check first)', async (t) => {
  const { peer, reads } = countingPeer();
  const { app, logs } = testServer({ peer });
  const res = await app.inject({ url: '/latest/meta-data/iam/security-credentials/dev', headers: { host: HOST } });
  t.equal(res.statusCode, 403);
  t.equal(logs.entries().at(-1)?.reason, 'unknown-peer');
  t.equal(reads.length, 2);
});

t.test('the ECS mode (no token) looks the peer up after the cheap checks', async (t) => {
  const { peer, reads } = countingPeer();
  const { app } = testServer({ peer, allowNoToken: true });
  t.equal((await app.inject({ url: '/creds/dev', headers: { host: 'rebound.example:9911' } })).statusCode, 403);
  t.same(reads, []);
  t.equal((await app.inject({ url: '/creds/dev', headers: { host: HOST } })).statusCode, 403);
  t.equal(reads.length, 2);
});
