/**
 * IAM Identity Center end to end: the built daemon, moto (real STS credentials), the Identity
 * Center emulator, and unmodified clients. Proves the "done when": a request for a
 * signed-out session fails fast with LoginRequired and starts nothing (a hundred at once); many
 * `credd login` callers cause one device authorization; after one sign-in, corp-dev, corp-prod and
 * the chained corp-audit reach the AWS CLI, boto3 and the JS v3 default chain through `credd env`;
 * the cache file is shared both ways with boto3 and the JS SDK's fromSSO.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { accountOf, CLIENTS, evalShellEnv } from '../helpers/clients.js';
import { credd, httpGet, runCommand } from '../helpers/credd-process.js';
import { requireOrSkip } from '../helpers/moto.js';
import { SSO_ACCOUNTS, START_URL, startSsoWorld } from '../helpers/sso-world.js';

t.setTimeout(180_000);
const world = await startSsoWorld(t);
if (world) {
  const { box, emu, browser } = world;
  const env = box.env;
  const endpoint = JSON.parse(readFileSync(join(box.root, 'run', 'credd', 'endpoint.json'), 'utf8')) as { url: string };
  const token = readFileSync(join(box.root, 'run', 'credd', 'token'), 'utf8').trim();

  t.test('signed out: 100 concurrent requests fail fast with LoginRequired and start no sign-in', async (t) => {
    const answers = await Promise.all(Array.from({ length: 100 }, () => httpGet(`${endpoint.url}/creds/corp-dev`, { Authorization: token })));
    t.same([...new Set(answers.map((a) => a.status))], [403], 'all 403: the SDKs do not retry it');
    const body = JSON.parse(answers[0]!.body) as { Code: string; Message: string };
    t.equal(body.Code, 'LoginRequired');
    t.match(body.Message, 'run `credd login corp`');
    const cp = await credd(env, ['credential-process', 'corp-audit']);
    t.not(cp.code, 0);
    t.match(cp.stderr, 'credd login corp', 'the chained profile names the session too');
    t.equal(emu.counts.deviceAuthorization, 0, 'no device authorization');
    t.equal(emu.counts.authorize + emu.counts.register, 0, 'no authorize, no registration');
    t.same(browser.launches(), [], 'no browser');
  });

  t.test('five concurrent `credd login --device-code`: one device authorization, one code, all done', async (t) => {
    emu.knobs.autoApprove = false;
    const runs = Array.from({ length: 5 }, () => credd(env, ['login', '--device-code']));
    for (let i = 0; i < 100 && emu.counts.token.device_code === undefined; i++) await new Promise((r) => setTimeout(r, 100));
    emu.approveDevices();
    const results = await Promise.all(runs);
    emu.knobs.autoApprove = true;
    t.same(
      results.map((r) => r.code),
      [0, 0, 0, 0, 0],
      results.map((r) => r.stderr).join(''),
    );
    t.equal(emu.counts.deviceAuthorization, 1, 'exactly one device authorization');
    const codes = new Set(results.map((r) => /confirm this code: (\S+)/.exec(r.stdout)?.[1]));
    t.equal(codes.size, 1, 'every caller shows the same user code');
    t.match(results[0]!.stdout, `open ${emu.url}/device`, 'and the verification URL');
    t.same(browser.launches(), [], 'and no browser over SSH');
    const st = statSync(world.cacheFile);
    t.equal(st.mode & 0o777, 0o600, 'the cache file is 0600');
    const cached = JSON.parse(readFileSync(world.cacheFile, 'utf8')) as Record<string, string>;
    t.match(cached, { startUrl: START_URL, region: 'us-east-1', accessToken: /^at-/, refreshToken: /^rt-/, clientId: /^client-/, clientSecret: /./ });
    t.match(cached.expiresAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, 'expiresAt as the AWS CLI writes it');
  });

  const clients = CLIENTS.filter((c) => requireOrSkip(t, c.name, c.available, c.hint));
  t.test('corp-dev, corp-prod and the chained corp-audit reach every client through credd env', async (t) => {
    const base: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: box.home,
      AWS_ENDPOINT_URL_STS: world.moto.url,
      AWS_CONFIG_FILE: join(box.root, 'none'),
      AWS_SHARED_CREDENTIALS_FILE: join(box.root, 'none'),
    };
    if (process.env.PYENV_ROOT) base.PYENV_ROOT = process.env.PYENV_ROOT;
    const before = emu.counts.authorize + emu.counts.deviceAuthorization;
    for (const [profile, account] of [
      ['corp-dev', SSO_ACCOUNTS.dev],
      ['corp-prod', SSO_ACCOUNTS.prod],
      ['corp-audit', SSO_ACCOUNTS.audit],
    ] as const) {
      const e = await credd(env, ['env', profile]);
      t.equal(e.code, 0, e.stderr);
      const shell = await evalShellEnv(e.stdout, base);
      for (const c of clients) {
        const r = await c.run(shell);
        t.equal(accountOf(r), account, `${c.name} as ${profile}: ${r.stderr.slice(-300)}`);
      }
    }
    t.equal(emu.counts.authorize + emu.counts.deviceAuthorization, before, 'no per-process sign-in');
    t.same(browser.launches(), []);
  });

  t.test('after credd login, boto3 and the JS SDK fromSSO use the cache file credd wrote', async (t) => {
    const sdkEnv: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: box.home,
      AWS_CONFIG_FILE: join(box.home, '.aws', 'config'),
      AWS_SHARED_CREDENTIALS_FILE: join(box.root, 'none'),
      AWS_ENDPOINT_URL_SSO: emu.url,
      AWS_ENDPOINT_URL_SSO_OIDC: emu.url,
      AWS_ENDPOINT_URL_STS: world.moto.url,
    };
    if (process.env.PYENV_ROOT) sdkEnv.PYENV_ROOT = process.env.PYENV_ROOT;
    const portalCalls = emu.counts.roleCredentials;
    if (clients.some((c) => c.name === 'boto3')) {
      const py = 'import boto3\nprint(boto3.Session(profile_name="corp-prod").client("sts").get_caller_identity()["Account"])';
      const r = await runCommand('python3', ['-c', py], sdkEnv);
      t.equal(accountOf(r), SSO_ACCOUNTS.prod, `boto3: ${r.stderr.slice(-400)}`);
    }
    const js = [
      'const { STSClient, GetCallerIdentityCommand } = require(process.argv[1]);',
      'const { fromSSO } = require(process.argv[2]);',
      'new STSClient({ region: "us-west-2", credentials: fromSSO({ profile: "corp-dev" }) }).send(new GetCallerIdentityCommand({}))',
      '  .then((r) => console.log(r.Account), (e) => { console.error(`${e.name}: ${e.message}`); process.exit(1); });',
    ].join('\n');
    const { createRequire } = await import('node:module');
    const req = createRequire(import.meta.url);
    const r = await runCommand(process.execPath, ['-e', js, req.resolve('@aws-sdk/client-sts'), req.resolve('@aws-sdk/credential-providers')], sdkEnv);
    t.equal(accountOf(r), SSO_ACCOUNTS.dev, `JS fromSSO: ${r.stderr.slice(-400)}`);
    t.ok(emu.counts.roleCredentials > portalCalls, 'they asked the portal with the cached token themselves');
  });

  t.test('credd logout SESSION signs out of the portal and removes the cache file', async (t) => {
    const r = await credd(env, ['logout', 'corp']);
    t.equal(r.code, 0, r.stderr);
    t.equal(emu.counts.logout, 1);
    t.throws(() => statSync(world.cacheFile), { code: 'ENOENT' });
    const cp = await credd(env, ['credential-process', 'corp-dev']);
    t.match(cp.stderr, 'run `credd login corp`', 'its profiles need a sign-in again');
  });

  t.test('a cache file written as the AWS CLI writes it: credd serves without a sign-in', async (t) => {
    const post = async (path: string, body: unknown) =>
      (await fetch(`${emu.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json() as Promise<
        Record<string, any>
      >;
    const reg = await post('/client/register', {
      clientName: 'botocore-client-corp',
      clientType: 'public',
      scopes: ['sso:account:access'],
      grantTypes: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'],
    });
    const dev = await post('/device_authorization', { clientId: reg.clientId, clientSecret: reg.clientSecret, startUrl: START_URL });
    const tok = await post('/token', {
      clientId: reg.clientId,
      clientSecret: reg.clientSecret,
      grantType: 'urn:ietf:params:oauth:grant-type:device_code',
      deviceCode: dev.deviceCode,
    });
    const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
    // The AWS CLI v2's layout (botocore SSOTokenLoader): these keys, this order, RFC 3339 with Z.
    writeFileSync(
      world.cacheFile,
      JSON.stringify({
        startUrl: START_URL,
        region: 'us-east-1',
        accessToken: tok.accessToken,
        expiresAt: iso(Date.now() + tok.expiresIn * 1000),
        clientId: reg.clientId,
        clientSecret: reg.clientSecret,
        registrationExpiresAt: iso(reg.clientSecretExpiresAt * 1000),
        refreshToken: tok.refreshToken,
      }),
      { mode: 0o600 },
    );
    const signIns = emu.counts.authorize + emu.counts.deviceAuthorization;
    const cp = await credd(env, ['credential-process', 'corp-prod']);
    t.equal(cp.code, 0, cp.stderr);
    t.match(JSON.parse(cp.stdout), { Version: 1, AccessKeyId: /^ASIA/ });
    t.equal(emu.counts.authorize + emu.counts.deviceAuthorization, signIns, 'no sign-in by credd');
    const st = await credd(env, ['status', '--json']);
    t.match(JSON.parse(st.stdout).ssoSessions, [{ session: 'corp', state: 'signed-in', refreshToken: true }]);
  });

  t.test('credd login (PKCE): the browser script follows the authorize URL to the loopback callback', async (t) => {
    const r = await credd(env, ['login', 'corp']);
    t.equal(r.code, 0, r.stderr);
    t.equal(browser.launches().length, 1, 'one browser launch');
    t.match(
      browser.launches()[0],
      /\/authorize\?response_type=code&client_id=.*redirect_uri=http%3A%2F%2F127\.0\.0\.1%3A\d+%2Foauth%2Fcallback.*code_challenge_method=S256/,
    );
    t.equal(emu.counts.token.authorization_code, 1, 'one code exchanged (with a verified PKCE verifier)');
    const cached = JSON.parse(readFileSync(world.cacheFile, 'utf8')) as Record<string, string>;
    t.match(cached, { startUrl: START_URL, accessToken: /^at-/, refreshToken: /^rt-/ }, 'written back in the shared format');
  });
}
