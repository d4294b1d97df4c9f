import { readFileSync, writeFileSync } from 'node:fs';
import t from 'tap';
import { readCachedToken, tokenCacheFile } from '../../src/aws/sso/token-cache.js';
import { ssoHarness } from './sso-harness.js';

t.test('device code: authorization_pending waits the interval, slow_down adds 5 s', async (t) => {
  const h = await ssoHarness(t);
  h.emu.knobs.pendingPolls = 2;
  h.emu.knobs.slowDownPolls = 1;
  const s = await h.service.login(undefined, 'device');
  t.match(s, { session: 'corp', mode: 'device', userCode: /\w{4}-\w{4}/, url: `${h.emu.url}/device`, joined: false });
  t.same(await h.service.wait('corp', 5000), { done: true });
  t.same(h.sleeps, [1000, 1000, 1000, 6000], 'pending, pending, slow_down, then +5 s');
  t.equal(h.emu.counts.token.device_code, 4);
});

t.test('a second caller joins the sign-in under way; registrations are reused', async (t) => {
  const h = await ssoHarness(t);
  h.emu.knobs.autoApprove = false;
  const [a, b] = await Promise.all([h.service.login('corp', 'device'), h.service.login('corp-prod', 'device')]);
  t.equal(a.joined, false);
  t.equal(b.joined, true, 'corp-prod names the same session');
  t.equal(b.userCode, a.userCode);
  const c = await h.service.login(undefined, 'pkce');
  t.equal(c.joined, true, 'even asking for another mode');
  t.same(await h.service.wait('corp', 10), { done: false });
  h.emu.approveDevices();
  t.same(await h.service.wait('corp', 5000), { done: true });
  t.same(await h.service.wait('corp', 5000), { done: true }, 'done stays done');
  t.equal(h.emu.counts.deviceAuthorization, 1);
  h.emu.knobs.autoApprove = true;
  await h.signIn();
  t.equal(h.emu.counts.register, 1, 'the registration was reused');
  t.same(h.login.inProgress(), []);
});

t.test('a refused device code fails the sign-in and every waiter', async (t) => {
  const h = await ssoHarness(t);
  h.emu.knobs.autoApprove = false;
  await h.service.login('corp', 'device');
  h.emu.revokeAll();
  // The emulator forgets nothing here; make the device code unknown by another client.
  const reg = JSON.parse(readFileSync(`${h.dir}/state/sso-clients.json`, 'utf8')) as Record<string, { clientSecret: string }>;
  t.equal(Object.keys(reg).length, 1, 'the registration is kept (0600 in the state dir)');
  h.clock.advance(11 * 60_000);
  await t.rejects(h.service.wait('corp', 5000), { code: 'OidcError', message: /device code expired/ });
});

t.test('PKCE: the callback checks the state; a wrong verifier is invalid_grant', async (t) => {
  const h = await ssoHarness(t);
  const s = await h.service.login('corp', 'pkce');
  const u = new URL(s.url);
  const redirect = u.searchParams.get('redirect_uri')!;
  t.match(redirect, /^http:\/\/127\.0\.0\.1:\d+\/oauth\/callback$/);
  const wrong = await fetch(`${redirect}?code=x&state=not-it`);
  t.equal(wrong.status, 400, 'a stray request does not end the sign-in');
  t.same(await h.service.wait('corp', 10), { done: false });
  const ok = await fetch(s.url);
  t.equal(ok.status, 200, 'the browser lands on the success page');
  t.same(await h.service.wait('corp', 5000), { done: true });
  t.equal(h.emu.counts.token.authorization_code, 1);
  const again = await h.service.login('corp', 'pkce');
  const cb = new URL(again.url).searchParams.get('redirect_uri')!;
  const denied = await fetch(`${cb}?error=access_denied&state=${new URL(again.url).searchParams.get('state')}`);
  t.equal(denied.status, 400);
  await t.rejects(h.service.wait('corp', 5000), { code: 'OidcError', message: /refused in the browser: access_denied/ });
});

t.test('invalid_grant: the cache file is read again before the session is declared over', async (t) => {
  let raced = false;
  const h = await ssoHarness(t, {
    api: (real) => ({
      ...real,
      async createToken(target, reg, grant) {
        if (grant.grantType === 'refresh_token' && !raced) {
          // Another program refreshes with the same refresh token first (the emulator rotates it) and writes the file.
          raced = true;
          const theirs = await real.createToken(target, reg, grant);
          const file = tokenCacheFile(h.cacheDir, 'corp');
          writeFileSync(
            file,
            JSON.stringify({
              ...JSON.parse(readFileSync(file, 'utf8')),
              accessToken: theirs.accessToken,
              refreshToken: theirs.refreshToken,
              expiresAt: new Date(theirs.expiresAt).toISOString(),
            }),
          );
        }
        return real.createToken(target, reg, grant);
      },
    }),
  });
  await h.signIn();
  const file = tokenCacheFile(h.cacheDir, 'corp');
  const before = readCachedToken(file)!;
  h.clock.advance(55 * 60_000);
  const token = await h.tokens.accessToken(h.service.session('corp'));
  t.ok(raced);
  t.not(token, before.accessToken, "the other program's token, not a failure");
  t.equal(token, readCachedToken(file)!.accessToken);
  t.same(h.events, [], 'no session declared over');
  // Now the session really ends.
  h.emu.revokeAll();
  h.clock.advance(60 * 60_000);
  await t.rejects(h.core.credentials('corp-dev'), { code: 'LoginRequired', message: 'IAM Identity Center session "corp" has ended: run `credd login corp`.' });
  t.match(h.service.status(), [{ session: 'corp', state: 'ended' }]);
  t.match(h.events, [/session "corp" has ended/]);
});

t.test('a 401 from the portal: one refresh and a retry; a second 401 is LoginRequired', async (t) => {
  const h = await ssoHarness(t);
  await h.signIn();
  h.emu.knobs.portal401 = 1;
  const s = await h.core.credentials('corp-dev');
  t.equal(s.accountId, '222222222222');
  t.equal(h.emu.counts.token.refresh_token, 1, 'refreshed once');
  h.emu.knobs.portal401 = 2;
  h.emu.knobs.invalidGrants = 0;
  await t.rejects(h.core.refresh('corp-prod'), { code: 'LoginRequired' });
});

t.test('roles, logout and status through the service', async (t) => {
  const h = await ssoHarness(t);
  await t.rejects(h.service.roles('corp'), { code: 'LoginRequired' });
  t.match(h.service.status(), [{ session: 'corp', state: 'signed-out', refreshToken: false }]);
  await h.signIn();
  t.same(await h.service.roles(), [
    { accountId: '222222222222', accountName: 'acct-222222222222', emailAddress: '222222222222@example.com', roles: ['Developer', 'ReadOnly'] },
    { accountId: '555555555555', accountName: 'acct-555555555555', emailAddress: '555555555555@example.com', roles: ['Developer'] },
  ]);
  t.match(h.service.status(), [{ session: 'corp', state: 'signed-in', refreshToken: true, accessTokenExpires: /Z$/, registrationExpires: /Z$/ }]);
  t.same(await h.service.logout(), ['corp']);
  t.equal(h.emu.counts.logout, 1);
  t.same(await h.service.logout('corp'), [], 'nothing left to sign out of');
  t.throws(() => h.service.session('nope'), { code: 'BadRequest', message: /"nope" is neither an \[sso-session\] nor/ });
});

t.test('session names: none given uses the active profile, or the only one; several need a name', async (t) => {
  const two = `[sso-session a]\nsso_start_url = https://a.awsapps.com/start\nsso_region = us-east-1\n[sso-session b]\nsso_start_url = https://b.awsapps.com/start\nsso_region = eu-west-1\n[profile pa]\nsso_session = a\nsso_account_id = 222222222222\nsso_role_name = Developer\n[profile legacy]\nsso_start_url = https://old.awsapps.com/start\nsso_region = us-east-2\nsso_account_id = 1\nsso_role_name = R\n[profile plain]\nregion = x\n`;
  const h = await ssoHarness(t, { config: two });
  t.throws(() => h.service.session(), { message: /Name the session: credd login SESSION \(sessions: a, b, legacy\)/ });
  h.core.switchTo('pa');
  t.equal(h.service.session().cacheId, 'a');
  t.match(h.service.session('legacy'), { cacheId: 'https://old.awsapps.com/start', legacy: true, loginName: 'legacy' });
  t.equal(h.service.session('https://old.awsapps.com/start').loginName, 'legacy');
  const none = await ssoHarness(t, { config: '[profile plain]\nregion = x\n' });
  t.throws(() => none.service.session(), { message: /no \[sso-session\] section/ });
});

t.test('a legacy session without a refresh token: warned before it ends, then LoginRequired', async (t) => {
  const cfg = `[profile legacy]\nsso_start_url = https://old.awsapps.com/start\nsso_region = us-east-2\nsso_account_id = 222222222222\nsso_role_name = Developer\n`;
  const h = await ssoHarness(t, { config: cfg });
  const src = h.service.session('legacy');
  h.tokens.store(src, { startUrl: src.startUrl, region: src.region, accessToken: 'at-manual', expiresAt: h.clock.now() + 20 * 60_000 });
  await h.service.tick();
  t.match(h.service.status(), [{ state: 'ending', refreshToken: false, warning: /cannot be refreshed: run `credd login legacy`/ }]);
  t.equal(h.notes.length, 1, 'a desktop warning');
  await h.service.tick();
  t.equal(h.notes.length, 1, 'once');
  h.clock.advance(30 * 60_000);
  await t.rejects(h.tokens.accessToken(src), { code: 'LoginRequired', message: /has expired \(a legacy profile without sso_session gets no refresh token\)/ });
});

t.test('credd profiles shows the SSO account and role', async (t) => {
  const h = await ssoHarness(t);
  t.match(
    h.core.profiles().find((p) => p.name === 'corp-dev'),
    { account: '222222222222', role: 'Developer (IAM Identity Center corp)', mfa: false, state: 'available' },
  );
  t.match(
    h.core.profiles().find((p) => p.name === 'corp-audit'),
    { account: '888888888888', role: 'arn:aws:iam::888888888888:role/Audit', source: 'corp-dev' },
  );
});
