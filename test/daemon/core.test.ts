import t from 'tap';
import { parseAwsConfig } from '../../src/aws/config.js';
import { createCore } from '../../src/daemon/core.js';
import { DEFAULT_REFRESH } from '../../src/engine/refresh-policy.js';
import { ACCOUNTS, MFA_SERIAL, memoryLog, roleArn, scenarioConfig, scenarioConfigText, SCENARIO_CREDENTIALS } from '../engine/fakes.js';
import { brokenConfig, coreHarness, memoryStore } from './core-harness.js';

const MIN = 60_000;
const HOUR = 60 * MIN;

async function ready(h: ReturnType<typeof coreHarness>, active = 'dev') {
  h.core.switchTo(active);
  await h.core.mfa('123456');
  await h.core.credentials();
}

t.test('a broken config edit keeps the last good config, and says so in status and the log', async (t) => {
  const h = coreHarness();
  await ready(h);
  const before = await h.core.credentials('prod');
  h.setConfig(brokenConfig);
  const r = h.core.reload();
  t.equal(r.ok, false);
  t.match(r.error, /Profile "dev" in \/home\/u\/\.aws\/config: duration_seconds "5"/);
  t.match(h.core.status().configError, /duration_seconds/);
  t.match(h.logs.lines().at(-1), { level: 50, msg: /duration_seconds .*Keeping the last good config\./ });
  t.equal(await h.core.credentials('prod'), before, 'still served from the last good config');
  t.equal(h.core.profiles().length, 5, 'and the profiles are the last good ones');
  h.setConfig(() => scenarioConfig());
  t.same(h.core.reload(), { ok: true });
  t.equal(h.core.status().configError, undefined, 'fixed: the error is gone');
  t.equal(await h.core.credentials('prod'), before, 'the unchanged recipe kept its credentials');
});

t.test('a broken config at first start: no profiles, a config error, no crash', async (t) => {
  const h = coreHarness({ config: brokenConfig });
  t.match(h.core.status().configError, /duration_seconds/);
  t.same(h.core.profiles(), []);
  await t.rejects(h.core.credentials('dev'), { code: 'UnknownProfile' });
});

t.test('restart: sessions, role credentials and uses survive; served with no STS call', async (t) => {
  const h = coreHarness();
  await ready(h);
  await h.core.credentials('test');
  const saved = h.store.state()!;
  t.equal(saved.activeProfile, 'dev');
  t.equal(saved.sessions.length, 1);
  t.same(saved.credentials?.map((c) => c.profile).sort(), ['dev', 'test']);
  t.ok(saved.lastUse?.test);
  const dev = await h.core.credentials('dev');

  const again = coreHarness({ clock: h.clock, store: memoryStore(saved) });
  const served = await again.core.credentials();
  t.equal(served.profile, 'dev');
  t.equal(served.body, dev.body, 'the same credentials, byte for byte');
  t.equal(again.sts.calls.length, 0, 'no STS call at all, so certainly no MFA code');
  t.equal(again.core.status().profiles.find((p) => p.name === 'test')?.inUse, true, 'test is still in use');
  t.match(again.logs.lines(), [{ msg: 'AWS config loaded', restored: 2 }]);
  await again.core.tick();
  t.equal(again.sts.calls.length, 0, 'nothing is due yet');
  again.clock.advance(41 * MIN);
  await again.core.tick();
  t.same(again.sts.calls.map((c) => c.roleArn).sort(), [roleArn('dev'), roleArn('test')], 'both kept warm after the restart');
});

t.test('restart: stored credentials that no longer match the config are not served', async (t) => {
  const h = coreHarness();
  await ready(h);
  const saved = h.store.state()!;
  const moved = scenarioConfigText().replace(roleArn('dev'), 'arn:aws:iam::222222222222:role/Other');
  const again = coreHarness({
    clock: h.clock,
    store: memoryStore(saved),
    config: () => parseAwsConfig(moved, SCENARIO_CREDENTIALS, { configFile: 'a', credentialsFile: 'b' }),
  });
  const served = await again.core.credentials();
  t.equal(again.sts.count('AssumeRole'), 1, 'the new role was assumed');
  t.equal(served.roleArn, 'arn:aws:iam::222222222222:role/Other');
  t.equal(again.sts.count('GetSessionToken'), 0, 'with the stored session');
});

t.test('restart with a broken config: stored credentials wait for a good one', async (t) => {
  const h = coreHarness();
  await ready(h);
  const saved = h.store.state()!;
  const again = coreHarness({ clock: h.clock, store: memoryStore(saved), config: brokenConfig });
  await again.core.tick();
  t.same(again.store.state()!.credentials, saved.credentials, 'kept on disk while unmatched');
  again.setConfig(() => scenarioConfig());
  t.same(again.core.reload(), { ok: true });
  const served = await again.core.credentials();
  t.equal(again.sts.calls.length, 0, 'restored once the config loads');
  t.equal(served.profile, 'dev');
  t.same(
    again.store.state()?.credentials?.map((c) => c.profile),
    ['dev'],
    'and persisted as matched',
  );
  again.clock.advance(2 * HOUR);
  again.core.reload();
  t.equal(again.store.state()?.credentials, undefined, 'expired ones are not written back');
});

t.test('session end: one warning in the log, in status and on the desktop', async (t) => {
  const h = coreHarness();
  await ready(h);
  h.clock.advance(12 * HOUR - 29 * MIN);
  await h.core.tick();
  await h.core.tick();
  t.equal(h.notes.length, 1, 'one desktop notification');
  t.match(h.notes[0], ['credd: MFA session ends soon', /The MFA session of management ends at .* \(in 29 min\): run `credd mfa`/]);
  t.equal(h.logs.lines().filter((l) => /ends at/.test(String(l.msg))).length, 1, 'one log line');
  t.match(h.core.status().warnings, [/ends at/]);
  const end = Date.parse(h.core.status().sessions[0]!.expiration);
  t.equal(Date.parse(h.core.status().profiles[0]!.nextRefresh!), end - 10 * MIN, 'status names the final assume as the next refresh');
  h.clock.advance(30 * MIN);
  await h.core.tick();
  t.match(h.core.status().warnings, [/ended at/]);
  t.equal(h.notes.length, 1, 'the end itself goes to the log only');
  t.equal(h.core.status().profiles[0]!.nextRefresh, undefined, 'and no refresh is planned once the session is gone');
  t.match(h.logs.lines().at(-1), { level: 30, msg: /ended at/ });
  await h.core.mfa('123456');
  t.same(h.core.status().warnings, [], 'a new code clears it');
});

t.test('clock jump: after a wake nothing expired is served, backoffs restart, due work is asked for', async (t) => {
  const h = coreHarness();
  await ready(h);
  const before = await h.core.credentials();
  h.sts.mode = 'down';
  h.clock.advance(41 * MIN);
  await h.core.tick();
  t.ok(h.core.status().profiles.find((p) => p.name === 'dev')?.retryAt, 'backing off (status shows a retry time still ahead)');
  h.clock.jump(8 * HOUR); // the laptop slept; the monotonic clock did not move
  await t.rejects(h.core.credentials(), { code: 'StsUnavailable' }, 'expired credentials are not served, even with STS down');
  t.equal(h.jumps(), 1, 'the scheduler is told (it re-arms and ticks)');
  t.ok(
    h.logs.lines().some((l) => /jumped ahead/.test(String(l.msg)) && l.driftSeconds === 8 * 3600),
    'logged with the drift',
  );
  h.sts.mode = 'ok';
  h.clock.advance(30_000); // past the retry delay of the failed attempt
  const report = await h.core.tick();
  t.same(report.refreshed, [{ profile: 'dev', reason: 'missing' }], 'the tick fetched it');
  const after = await h.core.credentials();
  t.not(after.body, before.body);
  t.ok(after.expiresAt - h.clock.now() > 50 * MIN);
  h.clock.jump(-HOUR);
  t.equal(h.core.checkClock(), true);
  t.match(h.logs.lines().at(-1), { msg: /set back/, driftSeconds: -3600 });
  t.equal(h.core.checkClock(), false);
});

t.test('status: next refresh, retry time, in use, last error', async (t) => {
  const h = coreHarness();
  await ready(h);
  await h.core.credentials('test');
  let s = h.core.status();
  const dev = s.profiles.find((p) => p.name === 'dev')!;
  t.equal(Date.parse(dev.nextRefresh!), Date.parse(dev.expiration) - 20 * MIN);
  t.equal(dev.inUse, true);
  h.sts.mode = 'down';
  h.clock.advance(41 * MIN);
  await h.core.tick();
  s = h.core.status();
  const failed = s.profiles.find((p) => p.name === 'test')!;
  t.ok(failed.retryAt);
  t.equal(failed.lastError?.code, 'StsUnavailable');
  t.match(s.errors, [
    { name: 'dev', code: 'StsUnavailable' },
    { name: 'test', code: 'StsUnavailable' },
  ]);
  h.clock.advance(5 * HOUR);
  s = h.core.status();
  t.equal(s.profiles.find((p) => p.name === 'test')?.inUse, false, 'not requested for five hours');
  t.equal(s.profiles.find((p) => p.name === 'test')?.nextRefresh, undefined, 'so no refresh is planned');
});

t.test('mfa asks for a tick; logout erases everything', async (t) => {
  const h = coreHarness();
  await ready(h);
  t.equal(h.kicks(), 1);
  h.core.logout();
  t.equal(h.store.state(), undefined);
  t.equal(h.core.activeProfile(), undefined);
  t.same(h.core.status().profiles, [], 'no credentials held');
});

t.test('sourceSession: the session held for a root, while it is valid at the time asked', async (t) => {
  const h = coreHarness();
  t.equal(h.core.sourceSession('management', h.clock.now()), undefined, 'none before a code');
  await ready(h);
  const held = h.core.sourceSession('management', h.clock.now());
  t.match(held, { root: 'management', mfaSerial: MFA_SERIAL });
  t.equal(h.core.sourceSession('dev', h.clock.now()), undefined, 'only the sessions of that root');
  t.equal(h.core.sourceSession('management', held!.credentials.expiration.getTime()), undefined, 'not one that ends by then');
});

t.test('works without the optional hooks (no monotonic clock: no jump detection)', async (t) => {
  const h = coreHarness();
  const core = createCore({
    loadConfig: () => scenarioConfig(),
    sts: h.sts,
    store: memoryStore(),
    now: h.clock.now,
    endpoints: {},
    refresh: DEFAULT_REFRESH,
    sessionSeconds: 43200,
    log: memoryLog().log,
  });
  core.switchTo('dev');
  await core.mfa('123456');
  h.clock.jump(HOUR);
  t.equal(core.checkClock(), false);
  h.clock.advance(12 * HOUR - 90 * MIN);
  await core.tick();
  t.match(core.status().warnings, [/ends at/]);
  t.equal(Object.keys(ACCOUNTS).length, 4);
});

t.test('profiles: a profile that does not resolve is listed as an error, the others as usual', async (t) => {
  const text = `${scenarioConfigText()}\n[profile orphan]\nrole_arn = arn:aws:iam::777777777777:role/R\n`;
  const h = coreHarness({ config: () => parseAwsConfig(text, SCENARIO_CREDENTIALS, { configFile: 'a', credentialsFile: 'b' }) });
  await ready(h);
  const list = h.core.profiles();
  t.match(
    list.find((p) => p.name === 'orphan'),
    { state: 'error', error: /cannot be resolved/ },
  );
  t.match(
    list.find((p) => p.name === 'dev'),
    { state: 'ready', account: '222222222222', mfa: true },
  );
  t.match(
    list.find((p) => p.name === 'prod'),
    { state: 'available' },
  );
  h.core.logout();
  t.match(
    h.core.profiles().find((p) => p.name === 'prod'),
    { state: 'mfa-needed' },
  );
});

t.test('cachedBody: the active or named profile when fresh; clock checked, use counted', async (t) => {
  const h = coreHarness();
  t.equal(h.core.cachedBody(), undefined, 'no active profile');
  await ready(h);
  const dev = await h.core.credentials();
  t.equal(h.core.cachedBody(), dev.body, 'the active profile');
  t.equal(h.core.cachedBody('dev'), dev.body);
  t.equal(h.core.cachedBody('prod'), undefined, 'not cached yet');
  t.equal(h.core.cachedBody('nope'), undefined, 'unknown');
  const doc = h.core.cachedBody(undefined, 'imds')!;
  t.match(
    JSON.parse(doc),
    { Code: 'Success', Type: 'AWS-HMAC', AccessKeyId: dev.credentials.accessKeyId, Expiration: dev.body.match(/"Expiration":"([^"]+)"/)![1] },
    'the IMDS document of the active profile',
  );
  t.equal(h.core.cachedBody('dev', 'imds'), doc, 'built once, the same string');
  await h.core.credentials('prod');
  t.match(JSON.parse(h.core.cachedBody('prod', 'imds')!), { Code: 'Success' }, 'any named profile: which one IMDS may serve is the admission rule');
  t.ok(h.core.cachedBody('prod'), 'and the container form');
  h.clock.advance(5 * MIN);
  h.core.cachedBody('dev');
  h.core.reload(); // writes the state file, which keeps each profile's last use
  t.equal(h.store.state()!.lastUse?.dev, h.clock.now(), 'counted as a use');
  h.clock.jump(8 * HOUR);
  t.equal(h.core.cachedBody(), undefined, 'after a sleep past expiry: nothing fresh');
  t.equal(h.jumps(), 1, 'and the jump was noticed, as credentials() does');
  h.setConfig(() => parseAwsConfig('[profile other]\nregion = us-east-1\n', SCENARIO_CREDENTIALS, { configFile: 'a', credentialsFile: 'b' }));
  h.core.reload();
  t.equal(h.core.cachedBody('dev'), undefined, 'a profile gone from the config is not served');
});

t.test('a duration_seconds over the 1-hour chaining cap: 3600 s asked, one warning per profile', async (t) => {
  const h = coreHarness({ config: () => scenarioConfig(0, 7200) });
  await h.core.mfa('123456', 'dev');
  await h.core.credentials('dev');
  await h.core.credentials('dev');
  await h.core.credentials('prod');
  t.same(
    h.sts.calls.filter((c) => c.action === 'AssumeRole').map((c) => c.durationSeconds),
    [3600, 3600],
    'real STS would refuse 7200 from a session',
  );
  h.core.reload();
  await h.core.refresh('dev');
  const warnings = h.logs.lines().filter((l) => /duration_seconds = 7200/.test(String(l.msg)));
  t.same(warnings.map((w) => w.profile).sort(), ['dev', 'prod'], 'once per profile, not per call or reload');
  t.match(warnings[0]!.msg, /caps a role assumed with temporary .* at 3600 s \(role chaining\)/);
  t.equal(warnings[0]!.level, 40, 'a warning');
});
