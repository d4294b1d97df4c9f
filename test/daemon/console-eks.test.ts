import { readFileSync, statSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { buildControlServer } from '../../src/daemon/control-server.js';
import { consoleEksRoutes } from '../../src/daemon/console-eks-wiring.js';
import { writeSigninPage } from '../../src/daemon/signin-page.js';
import { createEksTokens, EKS_REUSE_MARGIN_MS } from '../../src/daemon/eks-tokens.js';
import { toServed } from '../../src/engine/served.js';
import { startSigninEndpoint } from '../helpers/signin-endpoint.js';
import { coreHarness } from './core-harness.js';

const info = { version: 't', pid: 1, endpoint: () => 'http://127.0.0.1:1', startedAt: 0, stop: () => undefined };

async function world(t: Test) {
  const h = coreHarness();
  const runtimeDir = mkdtempSync(join(tmpdir(), 'credd-console-'));
  const ep = await startSigninEndpoint();
  const app = buildControlServer({
    core: h.core,
    info,
    log: h.logs.log,
    routes: [consoleEksRoutes({ core: h.core, sts: h.sts, endpoints: {}, now: h.clock.now, runtimeDir })],
  });
  t.teardown(async () => {
    await app.close();
    await ep.close();
  });
  return { ...h, app, ep, runtimeDir };
}

t.test('POST /console: chained role credentials, no SessionDuration, URL only with stdout', async (t) => {
  const w = await world(t);
  await w.core.mfa('123456', 'dev');
  const r = await w.app.inject({ method: 'POST', url: '/console', payload: { profile: 'dev', stdout: true, signinUrl: w.ep.url, destination: 's3' } });
  t.equal(r.statusCode, 200, r.body);
  const a = r.json();
  t.match(a, { profile: 'dev', kind: 'role-chained' });
  t.equal(a.sessionDuration, undefined);
  const call = w.ep.calls[0]!;
  t.equal(call.refused, undefined);
  t.notOk('SessionDuration' in call.params, 'no SessionDuration for chained credentials');
  const served = await w.core.credentials('dev');
  t.same(call.session, {
    sessionId: served.credentials.accessKeyId,
    sessionKey: served.credentials.secretAccessKey,
    sessionToken: served.credentials.sessionToken,
  });
  const login = new URL(a.url);
  t.equal(login.searchParams.get('Destination'), 'https://console.aws.amazon.com/s3/home?region=us-west-2');
  t.ok(w.ep.tokens.has(login.searchParams.get('SigninToken')!));
  t.notMatch(w.logs.text(), login.searchParams.get('SigninToken')!, 'the token is not logged');
});

t.test('POST /console without stdout: a private page that forwards, removed later', async (t) => {
  const w = await world(t);
  await w.core.mfa('123456', 'dev');
  const a = (await w.app.inject({ method: 'POST', url: '/console', payload: { profile: 'dev', signinUrl: w.ep.url, logoutFirst: true } })).json();
  t.equal(a.url, undefined, 'no URL in the answer');
  t.ok(a.page.startsWith(w.runtimeDir));
  t.equal(statSync(a.page).mode & 0o777, 0o600);
  const html = readFileSync(a.page, 'utf8');
  const href = /url=([^"]+)"/.exec(html)![1]!.replace(/&amp;/g, '&');
  const logout = new URL(href);
  t.equal(logout.pathname, '/oauth');
  t.equal(new URL(logout.searchParams.get('redirect_uri')!).searchParams.get('Action'), 'login');
});

t.test('POST /console: a profile without a role uses GetFederationToken; errors are clean', async (t) => {
  const w = await world(t);
  const a = (await w.app.inject({ method: 'POST', url: '/console', payload: { profile: 'management', stdout: true, signinUrl: w.ep.url } })).json();
  t.match(a, { kind: 'federation-token', federatedUser: 'credd-management' });
  t.equal(w.sts.count('GetFederationToken'), 1);
  const unknown = await w.app.inject({ method: 'POST', url: '/console', payload: { profile: 'nope', stdout: true } });
  t.equal(unknown.json().Code, 'UnknownProfile');
  const noActive = await w.app.inject({ method: 'POST', url: '/console', payload: { stdout: true } });
  t.equal(noActive.json().Code, 'NoActiveProfile');
  const mfa = await w.app.inject({ method: 'POST', url: '/console', payload: { profile: 'dev', stdout: true, signinUrl: w.ep.url } });
  t.equal(mfa.json().Code, 'MfaRequired');
  const bad = await w.app.inject({ method: 'POST', url: '/console', payload: { profile: 'x/y' } });
  t.equal(bad.statusCode, 400);
});

t.test('POST /console for the active profile renews credentials about to end first', async (t) => {
  const w = await world(t);
  w.sts.roleSeconds = 600;
  await w.core.mfa('123456', 'dev');
  w.core.switchTo('dev');
  const before = w.sts.count('AssumeRole');
  const a = (await w.app.inject({ method: 'POST', url: '/console', payload: { stdout: true, signinUrl: w.ep.url } })).json();
  t.equal(a.profile, 'dev', 'the active profile');
  t.ok(w.sts.count('AssumeRole') > before, 'renewed: 10 minutes left is too little for a console session');
  t.equal((await w.app.inject({ method: 'GET', url: '/eks-token?cluster=c' })).json().profile, 'dev', 'eks-token: the active profile too');
});

t.test("GET /eks-token: signed with the profile's credentials, reused until a minute before expiry", async (t) => {
  const w = await world(t);
  await w.core.mfa('123456', 'dev');
  const get = async (q: string) => w.app.inject({ method: 'GET', url: `/eks-token?${q}` });
  const first = (await get('cluster=prod&profile=dev')).json();
  t.match(first, { profile: 'dev', cluster: 'prod', token: /^k8s-aws-v1\./ });
  const url = new URL(Buffer.from(first.token.slice(11), 'base64url').toString());
  t.equal(url.host, 'sts.us-west-2.amazonaws.com', "the profile's region");
  t.equal(url.searchParams.get('X-Amz-Credential')!.split('/')[0], (await w.core.credentials('dev')).credentials.accessKeyId);
  t.equal(Date.parse(first.expirationTimestamp), Math.floor(w.clock.now() / 1000) * 1000 + 14 * 60000);
  w.clock.advance(5 * 60000);
  t.equal((await get('cluster=prod&profile=dev')).json().token, first.token, 'cached');
  t.not((await get('cluster=other&profile=dev')).json().token, first.token, 'per cluster');
  const eu = (await get('cluster=prod&profile=dev&region=eu-west-1')).json();
  t.equal(new URL(Buffer.from(eu.token.slice(11), 'base64url').toString()).host, 'sts.eu-west-1.amazonaws.com');
  w.clock.advance(8 * 60000 + 1);
  t.not((await get('cluster=prod&profile=dev')).json().token, first.token, 're-signed a minute before expirationTimestamp');
  t.equal((await get('cluster=a%20b&profile=dev')).json().Code, 'BadRequest');
  t.equal((await get('profile=dev')).statusCode, 400);
  t.equal((await get('cluster=prod&profile=dev&region=moon')).json().Code, 'BadRequest');
  w.core.logout();
  t.equal((await get('cluster=prod&profile=dev')).json().Code, 'MfaRequired', 'after logout no token');
});

t.test('the token cache follows the credentials and never outlives them', async (t) => {
  let now = Date.parse('2030-01-01T12:00:00Z');
  let key = 'ASIAONE';
  let expires = now + 3600_000;
  const tokens = createEksTokens({
    credentials: async (n) => toServed(n, { accessKeyId: key, secretAccessKey: 's', sessionToken: 't', expiration: new Date(expires) }, now, {}),
    plan: () => ({ profile: 'p', root: 'r', rootKeys: { accessKeyId: 'a', secretAccessKey: 'b' }, useSession: false, roles: [] }),
    activeProfile: () => 'p',
    endpoints: { sts: 'http://127.0.0.1:9' },
    now: () => now,
  });
  const a = await tokens({ cluster: 'c' });
  t.equal(new URL(Buffer.from(a.token.slice(11), 'base64url').toString()).host, '127.0.0.1:9', 'AWS_ENDPOINT_URL_STS, as the AWS CLI');
  key = 'ASIATWO';
  t.not((await tokens({ cluster: 'c' })).token, a.token, 'new credentials, new token');
  expires = now + 5 * 60000;
  key = 'ASIATHREE';
  const b = await tokens({ cluster: 'c' });
  t.equal(Date.parse(b.expirationTimestamp), Math.floor(expires / 1000) * 1000, 'expires with the credentials');
  now -= 60000;
  t.not((await tokens({ cluster: 'c' })).token, b.token, 'a clock set back re-signs');
  t.equal(EKS_REUSE_MARGIN_MS, 60000);
  const none = createEksTokens({
    credentials: async () => Promise.reject(new Error('x')),
    plan: () => {
      throw new Error('x');
    },
    activeProfile: () => undefined,
    endpoints: {},
    now: () => now,
  });
  await t.rejects(none({ cluster: 'c' }), { code: 'NoActiveProfile' });
});

t.test('the forwarding page: HTML-escaped, 0600, gone after its lifetime', async (t) => {
  const dir = join(mkdtempSync(join(tmpdir(), 'credd-page-')), 'run');
  const file = writeSigninPage(dir, 'https://x/?a=1&b="<>', 20);
  t.equal(statSync(dir).mode & 0o777, 0o700);
  t.match(readFileSync(file, 'utf8'), 'url=https://x/?a=1&amp;b=&quot;&lt;&gt;"');
  await new Promise((r) => setTimeout(r, 60));
  t.notOk(existsSync(file));
});
