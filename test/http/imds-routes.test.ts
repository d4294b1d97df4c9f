/** The IMDSv2-compatible routes as EC2 answers them, through fastify's inject. */
import t from 'tap';
import { HOST, SECRET, SESSION, TOKEN, testServer, type TestServer } from './fixtures.js';

const TTL = 'x-aws-ec2-metadata-token-ttl-seconds';
const CREDS = '/latest/meta-data/iam/security-credentials';

async function imdsToken(s: TestServer, ttl = '21600'): Promise<string> {
  const res = await s.app.inject({ method: 'PUT', url: '/latest/api/token', headers: { host: HOST, [TTL]: ttl } });
  if (res.statusCode !== 200) throw new Error(`token PUT answered ${res.statusCode}`);
  return res.body;
}

const get = async (s: TestServer, url: string, token?: string) =>
  s.app.inject({ url, headers: token === undefined ? { host: HOST } : { host: HOST, 'x-aws-ec2-metadata-token': token } });

t.test('PUT /latest/api/token returns a plain-text token and echoes the TTL', async (t) => {
  const s = testServer();
  const res = await s.app.inject({ method: 'PUT', url: '/latest/api/token', headers: { host: HOST, [TTL]: '21600' } });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /^text\/plain/);
  t.equal(res.headers[TTL], '21600');
  t.match(res.body, /^[A-Za-z0-9_-]{43}$/);
  t.not(res.body, await imdsToken(s), 'each PUT gets a new token');
});

t.test('a TTL outside 1..21600 is a 400', async (t) => {
  const s = testServer();
  for (const ttl of [undefined, '0', '21601', '-5', '1.5', 'abc', '', '999999', '1e3']) {
    const headers: Record<string, string> = { host: HOST };
    if (ttl !== undefined) headers[TTL] = ttl;
    const res = await s.app.inject({ method: 'PUT', url: '/latest/api/token', headers });
    t.equal(res.statusCode, 400, `ttl ${ttl}`);
    t.match(res.headers['content-type'], /^text\/plain/);
  }
  for (const ttl of ['1', '21600', '300'])
    t.equal((await s.app.inject({ method: 'PUT', url: '/latest/api/token', headers: { host: HOST, [TTL]: ttl } })).statusCode, 200, ttl);
});

t.test('a PUT carrying X-Forwarded-For is a 403, as on EC2', async (t) => {
  const s = testServer();
  const res = await s.app.inject({ method: 'PUT', url: '/latest/api/token', headers: { host: HOST, [TTL]: '60', 'x-forwarded-for': '10.1.2.3' } });
  t.equal(res.statusCode, 403);
  t.equal(s.logs.entries().at(-1)?.reason, 'forwarded');
});

t.test('every GET needs a live token: missing, unknown or expired is a 401', async (t) => {
  const s = testServer();
  const missing = await get(s, `${CREDS}/`);
  t.equal(missing.statusCode, 401);
  t.match(missing.headers['content-type'], /^text\/plain/);
  t.equal((await get(s, `${CREDS}/`, 'not-a-token')).statusCode, 401);
  t.equal((await get(s, `${CREDS}/`, 'x'.repeat(5000))).statusCode, 401, 'an oversized token is simply wrong');
  t.equal((await get(s, `${CREDS}/`, TOKEN)).statusCode, 401, 'the container token is no IMDS token');
  const token = await imdsToken(s, '60');
  t.equal((await get(s, `${CREDS}/`, token)).statusCode, 200);
  s.clock.now += 59_999;
  t.equal((await get(s, `${CREDS}/`, token)).statusCode, 200, 'valid until its TTL has passed');
  s.clock.now += 1;
  t.equal((await get(s, `${CREDS}/`, token)).statusCode, 401, 'expired');
  t.same(
    s.logs
      .entries()
      .filter((e) => e.security)
      .map((e) => e.reason),
    ['imds-no-token', 'imds-bad-token', 'imds-bad-token', 'imds-bad-token', 'imds-bad-token'],
  );
  t.notMatch(s.logs.text(), token, 'the IMDS token is never logged');
  t.same(s.source.calls, []);
});

t.test('security-credentials/ names the active profile; NAME serves it as EC2 does', async (t) => {
  const s = testServer();
  const token = await imdsToken(s);
  for (const url of [`${CREDS}/`, CREDS]) {
    const res = await get(s, url, token);
    t.equal(res.statusCode, 200);
    t.equal(res.body, 'dev');
  }
  const res = await get(s, `${CREDS}/dev`, token);
  t.equal(res.statusCode, 200);
  const body = JSON.parse(res.body);
  t.same(body, {
    Code: 'Success',
    LastUpdated: '2026-03-01T11:59:00Z',
    Type: 'AWS-HMAC',
    AccessKeyId: 'ASIADEV',
    SecretAccessKey: SECRET,
    Token: SESSION,
    Expiration: '2026-03-01T13:00:01Z',
  });
  t.same(s.source.calls, ['dev']);
  t.notMatch(s.logs.text(), SECRET);
});

t.test('any other name is a bare 404, so clients re-read the name after a switch', async (t) => {
  const s = testServer();
  const token = await imdsToken(s);
  for (const name of ['prod', 'nope']) {
    const res = await get(s, `${CREDS}/${name}`, token);
    t.equal(res.statusCode, 404, name);
    t.equal(res.body, 'Not Found');
  }
  s.source.active = 'prod';
  t.equal((await get(s, `${CREDS}/`, token)).body, 'prod');
  t.equal(JSON.parse((await get(s, `${CREDS}/prod`, token)).body).AccessKeyId, 'ASIAPROD');
  t.equal((await get(s, `${CREDS}/dev`, token)).statusCode, 404);
});

t.test('no active profile: the role listing is a 404', async (t) => {
  const s = testServer({ active: undefined });
  const token = await imdsToken(s);
  for (const url of [`${CREDS}/`, '/latest/meta-data/iam/info', '/latest/meta-data/placement/region', '/latest/dynamic/instance-identity/document']) {
    t.equal((await get(s, url, token)).statusCode, 404, url);
  }
});

t.test('path tricks in the role name are refused', async (t) => {
  const s = testServer();
  const token = await imdsToken(s);
  for (const name of ['a%2fb', '..%2fdev', 'a%5cb', 'dev%00']) {
    const res = await get(s, `${CREDS}/${name}`, token);
    t.equal(res.statusCode, 400, name);
    t.match(res.headers['content-type'], /^text\/plain/);
  }
  t.equal((await get(s, `${CREDS}/a%20b`, token)).statusCode, 400, 'names are checked by the route too');
  t.same(s.source.calls, []);
});

t.test('iam/info, placement and the identity document', async (t) => {
  const s = testServer();
  const token = await imdsToken(s);
  const info = JSON.parse((await get(s, '/latest/meta-data/iam/info', token)).body);
  t.match(info, { Code: 'Success', LastUpdated: '2026-03-01T12:00:00Z', InstanceProfileArn: 'arn:aws:iam::222222222222:instance-profile/dev' });
  t.match(info.InstanceProfileId, /^AIPA[0-9A-F]{17}$/);
  t.equal((await get(s, '/latest/meta-data/placement/region', token)).body, 'us-west-2');
  for (const url of ['/latest/meta-data/placement/availability-zone', '/latest/meta-data/placement/availability-zone/']) {
    t.equal((await get(s, url, token)).body, 'us-west-2a', url);
  }
  const doc = await get(s, '/latest/dynamic/instance-identity/document', token);
  t.same(JSON.parse(doc.body), { accountId: '222222222222', region: 'us-west-2', availabilityZone: 'us-west-2a' });
  t.same(s.source.calls, [], 'the account comes from the config, not from STS');
});

t.test('the account of a profile without a role comes from its credentials', async (t) => {
  const s = testServer({ active: 'plain' });
  const token = await imdsToken(s);
  t.same(JSON.parse((await get(s, '/latest/dynamic/instance-identity/document', token)).body), { accountId: '999999999999' });
  t.equal((await get(s, '/latest/meta-data/placement/region', token)).statusCode, 404, 'no region configured');
  t.equal((await get(s, '/latest/meta-data/placement/availability-zone', token)).statusCode, 404);
});

t.test('partition from the ARN; credential errors keep their status with a plain message', async (t) => {
  const s = testServer({ active: 'locked' });
  const token = await imdsToken(s);
  t.equal(JSON.parse((await get(s, '/latest/meta-data/iam/info', token)).body).InstanceProfileArn, 'arn:aws-cn:iam::333333333333:instance-profile/locked');
  const res = await get(s, `${CREDS}/locked`, token);
  t.equal(res.statusCode, 403);
  t.match(res.body, /credd mfa/);
});

t.test('an unknown path is a bare 404, after the token check', async (t) => {
  const s = testServer();
  const token = await imdsToken(s);
  for (const url of ['/latest/meta-data/ami-id', '/latest/user-data', '/latest', '/latest/api/token']) {
    const res = await get(s, url, token);
    t.equal(res.statusCode, 404, url);
    t.equal(res.body, 'Not Found');
  }
  t.equal((await get(s, '/latest/meta-data/ami-id')).statusCode, 401, 'no token: 401 first, as on EC2');
});

t.test('IMDS is served to loopback clients only', async (t) => {
  const s = testServer();
  const res = await s.app.inject({ method: 'PUT', url: '/latest/api/token', remoteAddress: '10.0.0.7', headers: { host: HOST, [TTL]: '60' } });
  t.equal(res.statusCode, 403);
  t.match(s.logs.entries().at(-1), { reason: 'imds-remote', remote: '10.0.0.7' });
});

t.test('imds = false: every /latest/ path is a 404', async (t) => {
  const s = testServer({ imds: false });
  t.equal((await s.app.inject({ method: 'PUT', url: '/latest/api/token', headers: { host: HOST, [TTL]: '60' } })).statusCode, 404);
  const res = await get(s, `${CREDS}/`);
  t.equal(res.statusCode, 404);
  t.equal(res.body, 'Not Found');
  t.equal((await s.app.inject({ url: '/creds', headers: { host: HOST, authorization: TOKEN } })).statusCode, 200, 'container routes unchanged');
});

t.test('the number of live tokens is bounded', async (t) => {
  const s = testServer({ maxImdsTokens: 3 });
  const tokens = [await imdsToken(s), await imdsToken(s), await imdsToken(s), await imdsToken(s)];
  t.equal((await get(s, `${CREDS}/`, tokens[0])).statusCode, 401, 'the oldest gave way');
  for (const tok of tokens.slice(1)) t.equal((await get(s, `${CREDS}/`, tok)).statusCode, 200);
});

t.test('a request body is ignored whatever its type, within the 1 KiB limit', async (t) => {
  const s = testServer();
  for (const type of ['application/x-www-form-urlencoded', 'application/json', 'text/plain']) {
    const res = await s.app.inject({ method: 'PUT', url: '/latest/api/token', headers: { host: HOST, [TTL]: '60', 'content-type': type }, payload: '' });
    t.equal(res.statusCode, 200, type);
  }
  const big = await s.app.inject({
    method: 'PUT',
    url: '/latest/api/token',
    headers: { host: HOST, [TTL]: '60', 'content-type': 'application/x-foo' },
    payload: 'x'.repeat(2000),
  });
  t.equal(big.statusCode, 413);
  t.match(big.headers['content-type'], /^text\/plain/);
  t.match(big.body, /^Bad request: /);
});
