/**
 * One test per rule of protocols.md "So, to work with every SDK at once" that the endpoint
 * (and the engine behind it) must keep, so that Go, Java and Rust, which cannot run here, are
 * covered by what their source requires. The rules about `credd env` (URI literal, unsets,
 * token file) are in test/cli/env-rules.test.ts; the 1 s answer bound and the 3,600 s
 * chaining cap have their own tests. docs/compatibility.md points here.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import t, { type Test } from 'tap';
import {
  AccessDeniedError,
  BadRequestError,
  ConfigError,
  CreddError,
  ForbiddenError,
  MfaRequiredError,
  NoActiveProfileError,
  NotFoundError,
  StsUnavailableError,
  UnauthorizedError,
  UnknownProfileError,
} from '../../src/errors.js';
import { buildCredsServer } from '../../src/http/build-creds-server.js';
import { harness } from '../engine/harness.js';
import { HOST, NOW, TOKEN, fakeSource, fixedPeer, memoryLog, testServer } from './fixtures.js';

const auth = { host: HOST, authorization: TOKEN };
/** UTC, `Z`, whole seconds: JS v3 and Rust accept `Z` only, and an offset ends JS's whole chain. */
const EXPIRATION = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
const MIN = 60_000;

/** `application/json`, with at most a UTF-8 charset parameter. */
function isJsonType(t: Test, header: string | undefined, what: string): void {
  const [type, ...params] = (header ?? '').split(';').map((s) => s.trim());
  t.equal(type, 'application/json', `${what}: the media type is exactly application/json`);
  t.ok(
    params.every((p) => /^charset=utf-8$/i.test(p)),
    `${what}: no parameter but charset=utf-8 (${header})`,
  );
}

/** The four fields every SDK reads, as strings, with an `Expiration` every SDK parses. */
function isCredentialBody(t: Test, body: Record<string, unknown>, what: string): void {
  for (const k of ['AccessKeyId', 'SecretAccessKey', 'Token', 'Expiration']) t.equal(typeof body[k], 'string', `${what}: ${k}`);
  t.ok((body.Token as string).length > 0, `${what}: a session token, never bare long-term keys`);
  t.match(body.Expiration, EXPIRATION, `${what}: Expiration in UTC with Z and whole seconds`);
}

/** GET over a real socket, so the synchronous fast path (which inject bypasses) answers. */
function get(port: number, path: string, headers: Record<string, string>): Promise<{ status: number; type: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], body }));
      })
      .on('error', reject);
  });
}

t.test('rule 3: the Authorization header is the raw token, compared exactly (no Bearer)', async (t) => {
  const { app } = testServer();
  t.equal((await app.inject({ url: '/creds', headers: auth })).statusCode, 200);
  for (const value of [`Bearer ${TOKEN}`, `${TOKEN} `, TOKEN.toLowerCase()]) {
    t.equal((await app.inject({ url: '/creds', headers: { host: HOST, authorization: value } })).statusCode, 401, JSON.stringify(value));
  }
});

t.test('rule 4: /creds answers exactly 200, application/json, all four fields, a Z Expiration — on both paths', async (t) => {
  // fastify's route (what inject reaches, and what serves anything not cached)...
  const { app } = testServer();
  const viaFastify = await app.inject({ url: '/creds', headers: auth });
  t.equal(viaFastify.statusCode, 200, 'fastify: exactly 200');
  isJsonType(t, viaFastify.headers['content-type'] as string, 'fastify');
  isCredentialBody(t, viaFastify.json(), 'fastify');
  // ...and the synchronous fast path on a real socket, which must send the same response.
  const source = fakeSource('dev');
  const real = buildCredsServer({ source, token: TOKEN, log: memoryLog().log, now: () => NOW, peer: fixedPeer({ allowed: true }, { known: true }) });
  await real.listen({ host: '127.0.0.1', port: 0 });
  t.teardown(() => real.close());
  const port = (real.server.address() as AddressInfo).port;
  const viaFast = await get(port, '/creds', { authorization: TOKEN });
  t.same(source.fastCalls, [undefined], 'the fast path answered');
  t.same(source.calls, [], 'fastify did not');
  t.equal(viaFast.status, 200, 'fast path: exactly 200');
  t.equal(viaFast.type, viaFastify.headers['content-type'], 'the same Content-Type as fastify');
  isCredentialBody(t, JSON.parse(viaFast.body), 'fast path');
  t.equal(viaFast.body, viaFastify.body, 'byte for byte');
});

t.test('rule 4: Expiration rounds down to the second, never later than the real expiry', async (t) => {
  const { app } = testServer();
  const body = (await app.inject({ url: '/creds/dev', headers: auth })).json();
  // The fixture's credentials expire at 13:00:01.249.
  t.equal(body.Expiration, '2026-03-01T13:00:01Z');
});

t.test('rule 4: long-term keys are never served as they are: a session with a Token and an Expiration', async (t) => {
  const h = harness();
  const served = await h.engine.get('management');
  t.equal(h.sts.count('GetSessionToken'), 1, 'turned into a session');
  isCredentialBody(t, JSON.parse(served.body), 'management (long-term keys, no MFA)');
  t.not(JSON.parse(served.body).AccessKeyId, h.plan('management').rootKeys!.accessKeyId, 'not the long-term key');
});

t.test('rule 5: every error is 4xx/5xx with a JSON {Code, Message} body; 503 only for transient trouble', async (t) => {
  // What a /creds request can meet, and the class of answer each must get.
  const cases: Array<[CreddError, 'auth' | 'transient' | 'client' | 'server']> = [
    [new MfaRequiredError('dev'), 'auth'],
    [new AccessDeniedError('MultiFactorAuthentication failed'), 'auth'],
    [new NoActiveProfileError(), 'client'],
    [new UnknownProfileError('nope'), 'client'],
    [new BadRequestError('bad'), 'client'],
    [new NotFoundError(), 'client'],
    [new ConfigError('broken config'), 'client'],
    [new CreddError('InternalError', 'Internal error: x', 500), 'server'],
    [new StsUnavailableError('STS did not answer'), 'transient'],
  ];
  for (const [err, kind] of cases) {
    const { app, source } = testServer();
    source.credentials = async () => {
      throw err;
    };
    const res = await app.inject({ url: '/creds', headers: auth });
    const what = `${err.code} (${res.statusCode})`;
    t.ok(res.statusCode >= 400 && res.statusCode < 600, `${what}: 4xx/5xx`);
    isJsonType(t, res.headers['content-type'] as string, what);
    t.same(res.json(), { Code: err.code, Message: err.message }, `${what}: {Code, Message}`);
    if (kind === 'auth') t.ok([401, 403].includes(res.statusCode), `${what}: 401/403, which no SDK retries`);
    if (kind === 'client') t.ok(res.statusCode < 500, `${what}: a 4xx, not retried`);
    t.equal(res.statusCode === 503, kind === 'transient', `${what}: 503 if and only if transient`);
  }
  // The endpoint's own refusals: a missing token and a refused caller.
  const { app } = testServer();
  const unauth = await app.inject({ url: '/creds', headers: { host: HOST } });
  t.equal(unauth.statusCode, 401);
  t.same(unauth.json(), { Code: 'Unauthorized', Message: new UnauthorizedError().message });
  const forbidden = await app.inject({ url: '/creds', headers: { ...auth, origin: 'https://evil.example' } });
  t.equal(forbidden.statusCode, 403);
  t.equal(forbidden.json().Code, new ForbiddenError().code);
});

t.test('rule 7: at every minute of two hours of use, what is served has 20 minutes or more left', async (t) => {
  const h = harness();
  await h.mfa();
  let least = Infinity;
  for (let minute = 0; minute <= 120; minute++) {
    const served = await h.engine.get('dev');
    least = Math.min(least, served.expiresAt - h.clock.now());
    await h.engine.idle();
    h.clock.advance(MIN);
  }
  t.ok(least >= 20 * MIN, `least time left ${least / MIN} min (botocore refreshes below 15, JS v3 and Go below 5)`);
  t.ok(h.sts.count('AssumeRole') >= 3, 'renewed along the way, not served to the end');
});

t.test('IMDS: the token flow, the role name, and a document with Code Success, LastUpdated and Type AWS-HMAC', async (t) => {
  const { app } = testServer();
  const put = await app.inject({ method: 'PUT', url: '/latest/api/token', headers: { host: HOST, 'x-aws-ec2-metadata-token-ttl-seconds': '21600' } });
  t.equal(put.statusCode, 200, 'IMDSv2 (the only one Rust speaks)');
  const token = { host: HOST, 'x-aws-ec2-metadata-token': put.body };
  const role = await app.inject({ url: '/latest/meta-data/iam/security-credentials/', headers: token });
  t.equal(role.body, 'dev', 'the role name in plain text');
  const doc = JSON.parse((await app.inject({ url: `/latest/meta-data/iam/security-credentials/${role.body}`, headers: token })).body);
  t.equal(doc.Code, 'Success', 'Go requires it; Rust refuses any other Code');
  t.equal(doc.Type, 'AWS-HMAC');
  t.match(doc.LastUpdated, EXPIRATION);
  isCredentialBody(t, doc, 'IMDS document');
  t.equal((await app.inject({ url: '/latest/meta-data/iam/security-credentials/', headers: { host: HOST } })).statusCode, 401, 'no token: 401, as real IMDS');
});
