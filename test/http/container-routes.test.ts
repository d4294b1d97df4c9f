/** The container-credentials routes and every refusal of the guard, through fastify's inject. */
import t from 'tap';
import { HOST, PORT, SECRET, SESSION, TOKEN, fixedPeer, testServer } from './fixtures.js';

const auth = { host: HOST, authorization: TOKEN };

t.test('GET /creds serves the active profile as container-credentials JSON', async (t) => {
  const { app, source } = testServer();
  const res = await app.inject({ url: '/creds', headers: auth });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /^application\/json/);
  const body = res.json();
  t.same(Object.keys(body).sort(), ['AccessKeyId', 'Expiration', 'RoleArn', 'SecretAccessKey', 'Token']);
  t.equal(body.AccessKeyId, 'ASIADEV');
  t.equal(body.Expiration, '2026-03-01T13:00:01Z', 'UTC, Z, whole seconds');
  t.same(source.calls, [undefined]);
});

t.test('GET /creds/NAME serves that profile; errors are {Code, Message}', async (t) => {
  const { app } = testServer();
  t.equal((await app.inject({ url: '/creds/prod', headers: auth })).json().AccessKeyId, 'ASIAPROD');
  const unknown = await app.inject({ url: '/creds/nope', headers: auth });
  t.equal(unknown.statusCode, 404);
  t.equal(unknown.json().Code, 'UnknownProfile');
  const mfa = await app.inject({ url: '/creds/locked', headers: auth });
  t.equal(mfa.statusCode, 403);
  t.equal(mfa.json().Code, 'MfaRequired');
  const none = testServer({ active: undefined });
  const r = await none.app.inject({ url: '/creds', headers: auth });
  t.equal(r.statusCode, 404);
  t.equal(r.json().Code, 'NoActiveProfile');
});

t.test('GET /healthz needs no token and holds no secret', async (t) => {
  const { app } = testServer();
  const res = await app.inject({ url: '/healthz', headers: { host: HOST } });
  t.equal(res.statusCode, 200);
  t.same(res.json(), { status: 'ok' });
});

t.test('the token is required, compared exactly, and never logged', async (t) => {
  const { app, source, logs } = testServer();
  for (const [headers, reason] of [
    [{ host: HOST }, 'no-token'],
    [{ host: HOST, authorization: `Bearer ${TOKEN}` }, 'bad-token'],
    [{ host: HOST, authorization: TOKEN.slice(0, -1) }, 'bad-token'],
  ] as const) {
    const res = await app.inject({ url: '/creds', headers });
    t.equal(res.statusCode, 401, reason);
    t.equal(res.json().Code, 'Unauthorized');
  }
  t.equal((await app.inject({ method: 'HEAD', url: '/creds/dev', headers: { host: HOST } })).statusCode, 401, 'HEAD too');
  t.same(source.calls, [], 'the source was never asked');
  await app.inject({ url: '/creds', headers: auth });
  const refusals = logs.entries().filter((e) => e.security === 'refused');
  t.same(
    refusals.map((e) => e.reason),
    ['no-token', 'bad-token', 'bad-token', 'no-token'],
  );
  t.notMatch(logs.text(), TOKEN.slice(4, 30));
  t.notMatch(logs.text(), SECRET);
  t.notMatch(logs.text(), SESSION);
});

t.test('allowNoToken (the ECS relative-URI mode) serves /creds without the token', async (t) => {
  const { app } = testServer({ allowNoToken: true });
  t.equal((await app.inject({ url: '/creds/dev', headers: { host: HOST } })).statusCode, 200);
});

t.test('Host must be loopback or localhost with the daemon port (DNS rebinding)', async (t) => {
  const { app, logs } = testServer();
  for (const host of [HOST, `localhost:${PORT}`, `LOCALHOST:${PORT}`, `[::1]:${PORT}`, `127.8.9.10:${PORT}`]) {
    t.equal((await app.inject({ url: '/creds', headers: { ...auth, host } })).statusCode, 200, host);
  }
  for (const host of [
    'evil.example:9911',
    'evil.example',
    `127.0.0.1:${PORT + 1}`,
    '127.0.0.1',
    `localhost.:${PORT}`,
    `10.0.0.1:${PORT}`,
    `127.0.0.1:${PORT}@evil`,
  ]) {
    const res = await app.inject({ url: '/creds', headers: { ...auth, host } });
    t.equal(res.statusCode, 403, host);
    t.equal(res.json().Code, 'Forbidden');
  }
  t.equal((await app.inject({ url: '/healthz', headers: { host: 'rebound.example:9911' } })).statusCode, 403, 'every route');
  const first = logs.entries().find((e) => e.reason === 'bad-host');
  t.equal(first?.detail, 'Host evil.example:9911', 'the refused Host is in the security event');
});

t.test('allowedHosts adds IP literals only, never a wildcard', async (t) => {
  const { app } = testServer({ allowedHosts: ['169.254.170.2', '0.0.0.0', 'myhost.example'] });
  t.equal((await app.inject({ url: '/creds', headers: { ...auth, host: `169.254.170.2:${PORT}` } })).statusCode, 200);
  t.equal((await app.inject({ url: '/creds', headers: { ...auth, host: `0.0.0.0:${PORT}` } })).statusCode, 403);
  t.equal((await app.inject({ url: '/creds', headers: { ...auth, host: `myhost.example:${PORT}` } })).statusCode, 403);
});

t.test('Origin, Sec-Fetch-*, X-Forwarded-For and Forwarded are refused, token or not', async (t) => {
  const { app, source, logs } = testServer();
  const cases: Array<[Record<string, string>, string]> = [
    [{ origin: 'https://evil.example' }, 'browser-header'],
    [{ origin: 'null' }, 'browser-header'],
    [{ 'sec-fetch-site': 'cross-site' }, 'browser-header'],
    [{ 'sec-fetch-mode': 'no-cors' }, 'browser-header'],
    [{ 'x-forwarded-for': '127.0.0.1' }, 'forwarded'],
    [{ forwarded: 'for=127.0.0.1' }, 'forwarded'],
  ];
  for (const [extra, reason] of cases) {
    const res = await app.inject({ url: '/creds', headers: { ...auth, ...extra } });
    t.equal(res.statusCode, 403, JSON.stringify(extra));
    t.equal(res.json().Code, 'Forbidden');
    t.equal(logs.entries().at(-1)?.reason, reason);
  }
  t.equal((await app.inject({ url: '/healthz', headers: { host: HOST, origin: 'https://evil.example' } })).statusCode, 403);
  t.same(source.calls, []);
  t.equal(logs.entries().find((e) => e.reason === 'browser-header')?.detail, 'Origin https://evil.example');
});

// inject resolves dot segments before the server sees them; real-server.test.ts sends those raw.
t.test('profile names: no encoded separators', async (t) => {
  const { app, source } = testServer();
  for (const url of ['/creds/a%2fb', '/creds/a%2Fb', '/creds/..%2f..%2fetc', '/creds/a%5cb', '/creds/a%00', '/creds/%2e%2e%2fx']) {
    const res = await app.inject({ url, headers: auth });
    t.equal(res.statusCode, 400, url);
    t.equal(res.json().Code, 'BadRequest');
  }
  for (const url of ['/creds/a%20b', '/creds/dev..x']) t.equal((await app.inject({ url, headers: auth })).statusCode, 400, url);
  t.same(source.calls, [], 'nothing reached the source');
  t.equal((await app.inject({ url: '/creds/a.b', headers: auth })).json().Code, 'UnknownProfile', 'a single dot inside a name is fine');
});

t.test('URL and parameter sizes are bounded', async (t) => {
  const { app, logs } = testServer();
  const long = await app.inject({ url: `/creds?x=${'a'.repeat(1100)}`, headers: auth });
  t.equal(long.statusCode, 400);
  t.equal(logs.entries().at(-1)?.reason, 'url-too-long');
  t.notMatch(logs.text(), 'aaaaaaaaaa', 'the query string is not logged');
  const param = await app.inject({ url: `/creds/${'a'.repeat(200)}`, headers: auth });
  t.equal(param.statusCode, 414);
  t.same(param.json(), { Code: 'BadRequest', Message: 'Malformed or over-long path.' });
  t.equal(logs.entries().at(-1)?.reason, 'bad-url');
  const bad = await app.inject({ url: '/creds/%zz', headers: auth });
  t.equal(bad.statusCode, 400);
});

t.test('an unknown path is a bare 404', async (t) => {
  const { app } = testServer();
  const res = await app.inject({ url: '/admin', headers: auth });
  t.equal(res.statusCode, 404);
  t.same(res.json(), { Code: 'NotFound', Message: 'No such path.' });
  t.equal((await app.inject({ url: '/admin', headers: { host: 'evil.example' } })).statusCode, 403, 'the guard runs on 404s too');
});

t.test("another user's connection is refused on every credential route; /healthz needs no lookup", async (t) => {
  const { app, source, logs, peer } = testServer({ peer: fixedPeer({ allowed: false, reason: 'other-user', uid: 1234 }) });
  for (const url of ['/creds', '/latest/api/token', '/latest/meta-data/iam/security-credentials/']) {
    const res = await app.inject({ url, headers: auth });
    t.equal(res.statusCode, 403, url);
  }
  t.same(source.calls, []);
  t.match(logs.entries()[0], { security: 'refused', reason: 'other-user', detail: 'uid 1234', status: 403 });
  const lookups = peer.lookups;
  t.equal((await app.inject({ url: '/healthz', headers: auth })).statusCode, 200, 'no secret there, so no /proc read for it');
  t.equal(peer.lookups, lookups);
  const unknown = testServer({ peer: fixedPeer({ allowed: false, reason: 'unknown-peer' }) });
  t.equal((await unknown.app.inject({ url: '/creds', headers: auth })).statusCode, 403);
  t.equal(unknown.logs.entries()[0]?.reason, 'unknown-peer');
});

t.test('refusals are rate-limited in the log', async (t) => {
  const { app, logs } = testServer();
  for (let i = 0; i < 20; i++) await app.inject({ url: '/healthz', headers: { host: 'evil.example' } });
  t.equal(logs.entries().filter((e) => e.reason === 'bad-host').length, 5);
});

t.test('an internal error is a 500 without detail beyond its first line', async (t) => {
  const { app, source, logs } = testServer();
  source.credentials = async () => {
    throw new Error('boom\nstack-ish detail');
  };
  const res = await app.inject({ url: '/creds', headers: auth });
  t.equal(res.statusCode, 500);
  t.same(res.json(), { Code: 'InternalError', Message: 'Internal error: boom' });
  t.match(logs.entries().at(-1), { level: 50, error: 'InternalError' });
});
