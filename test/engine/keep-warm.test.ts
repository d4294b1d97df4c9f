import t from 'tap';
import { flush, roleArn } from './fakes.js';
import { harness } from './harness.js';

const MIN = 60_000;
const HOUR = 60 * MIN;

/** Runs the scheduler's 15-second tick for `ms` of fake time. */
async function run(h: ReturnType<typeof harness>, ms: number, step = 15_000) {
  for (let done = 0; done < ms; done += step) {
    h.clock.advance(step);
    await h.keepWarm.tick();
  }
}

t.test('a 500-profile config: only the profiles in use are kept warm', async (t) => {
  const h = harness({ extraProfiles: 500 });
  await h.mfa();
  h.setActive('p7');
  await h.engine.get('p7');
  await h.engine.get('dev');
  await h.engine.get('p123');
  await run(h, 3 * HOUR);
  const roles = new Set(h.sts.calls.filter((c) => c.action === 'AssumeRole').map((c) => c.roleArn));
  t.same([...roles].sort(), [roleArn('dev'), roleArn('p123'), roleArn('p7')].sort(), 'nothing else was ever assumed');
  const perRole = h.sts.count('AssumeRole') / 3;
  t.ok(perRole >= 4 && perRole <= 6, `each renewed about every 40 minutes (${perRole} calls in 3 h)`);
  t.ok(
    h.engine.cached().every((c) => c.expiresAt - h.clock.now() > 15 * MIN),
    'and what is cached always has more than 15 minutes left',
  );
});

t.test('keep-warm window: a profile not requested for four hours goes cold; the active one never does', async (t) => {
  const h = harness();
  await h.mfa();
  h.setActive('prod');
  await h.engine.get('dev');
  await run(h, 4 * HOUR + 30 * MIN);
  const devCalls = () => h.sts.calls.filter((c) => c.roleArn === roleArn('dev')).length;
  const before = devCalls();
  t.ok(
    h.sts.calls.some((c) => c.roleArn === roleArn('prod')),
    'the active profile is fetched though nobody asked yet (reason: missing)',
  );
  await run(h, 2 * HOUR);
  t.equal(devCalls(), before, 'dev is no longer refreshed');
  t.equal(h.engine.peek('dev'), undefined, 'and its expired credentials were dropped');
  t.notOk(h.engine.lastUse().has('dev'), 'its last use was forgotten');
  t.ok(h.engine.peek('prod')!.expiresAt - h.clock.now() > 15 * MIN, 'prod is still warm');
});

t.test('final pre-expiry assume: work goes on up to the role duration past the session end', async (t) => {
  const h = harness({ sessionSeconds: 4 * 3600 });
  const session = await h.mfa();
  const end = session.credentials.expiration.getTime();
  h.setActive('dev');
  await h.engine.get('dev');
  await run(h, 4 * HOUR - 11 * MIN);
  const beforeFinal = h.engine.peek('dev')!;
  t.ok(beforeFinal.obtainedAt < end - 10 * MIN);
  await run(h, 2 * MIN);
  const final = h.engine.peek('dev')!;
  t.not(final, beforeFinal, 'assumed again inside the final window');
  t.ok(final.obtainedAt >= end - 10 * MIN && final.obtainedAt < end - 60_000, 'before the session ends');
  t.ok(final.expiresAt >= end + 49 * MIN, `valid until about 50 minutes after the session (${(final.expiresAt - end) / MIN} min)`);
  const calls = h.sts.calls.length;
  await run(h, 9 * MIN);
  t.equal(h.sts.calls.length, calls, 'only once');
  t.equal(await h.engine.get('dev'), final, 'served after the session ended');
  t.equal(h.failures.length, 0);
  await run(h, 50 * MIN);
  t.equal(h.sts.calls.length, calls, 'no STS call without a session');
  const err = await h.engine.get('dev').catch((e: { code: string }) => e);
  t.equal((err as { code: string }).code, 'MfaRequired', 'then MFA needed, never stale credentials');
});

t.test('backoff across ticks while STS is down, then one refresh when it is back', async (t) => {
  const h = harness({ random: () => 1 });
  await h.mfa();
  h.setActive('dev');
  const first = await h.engine.get('dev');
  h.clock.advance(40 * MIN);
  h.sts.mode = 'down';
  await run(h, 12 * MIN);
  const attempts = h.sts.count('AssumeRole') - 1;
  // With random = 1 the delays are 15, 30, 60, 120, 240, 300 s: about 6 attempts in 12 minutes, not 48.
  t.ok(attempts >= 5 && attempts <= 7, `${attempts} attempts in 12 minutes`);
  t.equal(h.engine.peek('dev'), first, 'the valid credentials are kept');
  t.ok(h.failures.every((f) => f.code === 'StsUnavailable' && f.reason === 'margin'));
  h.sts.mode = 'ok';
  await run(h, 5 * MIN);
  t.not(h.engine.peek('dev'), first, 'refreshed when STS came back');
  t.equal(h.engine.retries.failures('dev'), 0);
});

t.test('a tick never bursts: at most four STS calls at once', async (t) => {
  const h = harness({ extraProfiles: 12 });
  await h.mfa();
  for (let i = 0; i < 12; i++) h.engine.noteUse(`p${i}`, h.clock.now());
  let release!: () => void;
  h.sts.hold = new Promise<void>((r) => (release = r));
  const tick = h.keepWarm.tick();
  await flush();
  t.equal(h.sts.count('AssumeRole'), 4);
  release();
  const report = await tick;
  t.equal(report.refreshed.length, 12);
  t.ok(report.refreshed.every((r) => r.reason === 'missing'));
});

t.test('without an MFA session nothing is attempted; AccessDenied waits the longest delay', async (t) => {
  const h = harness();
  h.setActive('dev');
  await h.keepWarm.tick();
  t.equal(h.sts.calls.length, 0, 'needs MFA: no call, no error storm');
  t.same(h.keepWarm.due('dev'), { due: false, reason: 'needs-mfa' });
  await h.mfa();
  h.sts.deny.add(roleArn('dev'));
  await h.keepWarm.tick();
  t.same(h.failures, [{ profile: 'dev', code: 'AccessDenied', reason: 'missing' }]);
  await run(h, 4 * MIN);
  t.equal(h.sts.count('AssumeRole'), 1, 'not asked again within five minutes');
  await run(h, 1 * MIN);
  t.equal(h.sts.count('AssumeRole'), 2, 'asked again after five');
  t.equal(h.keepWarm.due('nope'), undefined, 'an unknown profile has no plan');
});
