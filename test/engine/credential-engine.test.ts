import t from 'tap';
import { parseAwsConfig } from '../../src/aws/config.js';
import { resolvePlan } from '../../src/aws/resolve-plan.js';
import { createCredentialEngine } from '../../src/engine/credential-engine.js';
import { DEFAULT_REFRESH } from '../../src/engine/refresh-policy.js';
import { toServed } from '../../src/engine/served.js';
import { createSessionManager } from '../../src/engine/sessions.js';
import { fakeClock, fakeSts, flush, MFA_SERIAL, roleArn } from './fakes.js';
import { harness } from './harness.js';

const MIN = 60_000;

async function rejection(p: Promise<unknown>): Promise<{ code?: string; message?: string }> {
  try {
    await p;
  } catch (err) {
    return err as { code?: string };
  }
  return {};
}

t.test('single-flight: 1,000 concurrent requests cost exactly one AssumeRole', async (t) => {
  const h = harness();
  await h.mfa();
  let release!: () => void;
  h.sts.hold = new Promise<void>((r) => (release = r));
  const all = Array.from({ length: 1000 }, () => h.engine.get('dev'));
  await flush();
  release();
  const served = await Promise.all(all);
  t.equal(h.sts.count('AssumeRole'), 1);
  t.equal(new Set(served.map((s) => s.credentials.accessKeyId)).size, 1, 'everyone got the same credentials');
  t.equal(h.sts.count('GetSessionToken'), 1, 'and the MFA session was not touched again');
});

t.test('single-flight across the scheduler, requests and `credd refresh`', async (t) => {
  const h = harness();
  await h.mfa();
  h.setActive('dev');
  await h.engine.get('dev');
  h.clock.advance(41 * MIN); // past the refresh margin
  let release!: () => void;
  h.sts.hold = new Promise<void>((r) => (release = r));
  const tick = h.keepWarm.tick();
  const explicit = h.engine.refresh('dev');
  const gets = Array.from({ length: 1000 }, () => h.engine.get('dev'));
  await flush();
  release();
  const [report, fresh] = await Promise.all([tick, explicit, ...gets]);
  t.equal(h.sts.count('AssumeRole'), 2, 'the first fetch, then one renewal shared by all');
  t.same((report as { refreshed: unknown[] }).refreshed, [{ profile: 'dev', reason: 'margin' }]);
  t.equal(h.engine.peek('dev'), fresh, 'the renewal is what is cached');
});

t.test('static stability: STS down keeps serving what is valid and backs off', async (t) => {
  const h = harness();
  await h.mfa();
  const first = await h.engine.get('dev');
  h.clock.advance(41 * MIN);
  h.sts.mode = 'down';
  t.equal(await h.engine.get('dev'), first, 'served while in the renew window');
  await h.engine.idle();
  t.equal(h.sts.count('AssumeRole'), 2, 'one background attempt');
  t.equal(h.engine.lastError('dev')?.code, 'StsUnavailable', 'recorded for credd status');
  t.equal(h.backgroundErrors.length, 1);
  const retryAt = h.engine.retries.retryAt('dev')!;
  t.ok(retryAt > h.clock.now(), 'a retry time is set');
  const answers = await Promise.all(Array.from({ length: 50 }, () => h.engine.get('dev')));
  t.ok(
    answers.every((a) => a === first),
    '50 more requests served the valid credentials',
  );
  await h.engine.idle();
  t.equal(h.sts.count('AssumeRole'), 2, 'no STS call while the backoff runs, however many requests');
  h.clock.advance(retryAt - h.clock.now());
  await h.engine.get('dev');
  await h.engine.idle();
  t.equal(h.sts.count('AssumeRole'), 3, 'another attempt once the backoff ran out');
  t.equal(h.engine.retries.failures('dev'), 2);
  t.ok(h.engine.retries.retryAt('dev')! - h.clock.now() >= 15_000, 'the second delay is longer (at least 2 × base / 2)');
  h.sts.mode = 'ok';
  h.clock.advance(h.engine.retries.retryAt('dev')! - h.clock.now());
  t.equal(await h.engine.get('dev'), first, 'still the old ones on this request…');
  await h.engine.idle();
  const renewed = h.engine.peek('dev')!;
  t.not(renewed.credentials.accessKeyId, first.credentials.accessKeyId, '…and renewed behind it once STS is back');
  t.equal(h.engine.lastError('dev'), undefined, 'the error is cleared');
  t.equal(h.engine.retries.failures('dev'), 0);
});

t.test('never stale: past expiry nothing is served, even with STS down', async (t) => {
  const h = harness();
  await h.mfa();
  await h.engine.get('dev');
  h.sts.mode = 'down';
  h.clock.advance(59 * MIN + 1000); // 59 s left: below the one-minute floor
  const err = await rejection(h.engine.get('dev'));
  t.equal(err.code, 'StsUnavailable', '503: SDKs retry, and never get expired keys');
  t.equal(h.engine.peek('dev'), undefined, 'the expired entry is gone');
});

t.test('a request with nothing to serve during an outage costs one STS call per base delay', async (t) => {
  const h = harness();
  await h.mfa();
  h.sts.mode = 'throttle';
  t.equal((await rejection(h.engine.get('dev'))).code, 'StsUnavailable');
  const codes = new Set<string | undefined>();
  for (let i = 0; i < 20; i++) codes.add((await rejection(h.engine.get('dev'))).code);
  t.same([...codes], ['StsUnavailable']);
  t.equal(h.sts.count('AssumeRole'), 1, 'the burst was answered from the last error');
  h.clock.advance(15_000);
  h.sts.mode = 'ok';
  t.ok((await h.engine.get('dev')).credentials.accessKeyId, 'served once the base delay passed and STS is back');
  t.equal(h.sts.count('AssumeRole'), 2);
  h.sts.mode = 'down';
  t.equal((await rejection(h.engine.refresh('dev'))).code, 'StsUnavailable');
  t.equal((await rejection(h.engine.refresh('dev'))).code, 'StsUnavailable');
  t.equal(h.sts.count('AssumeRole'), 4, '`credd refresh` always asks STS');
});

t.test("AccessDenied on one role is that profile's error only", async (t) => {
  const h = harness();
  await h.mfa();
  h.sts.deny.add(roleArn('prod'));
  const [dev, prod, test] = await Promise.allSettled([h.engine.get('dev'), h.engine.get('prod'), h.engine.get('test')]);
  t.equal(dev.status, 'fulfilled');
  t.equal(test.status, 'fulfilled');
  t.equal(prod.status, 'rejected');
  t.equal(h.engine.lastError('prod')?.code, 'AccessDenied');
  t.equal(h.engine.lastError('dev'), undefined);
  t.ok(h.sessions.get(`management|${MFA_SERIAL}`), 'the session is untouched');
  t.equal(h.engine.retries.retryAt('prod'), h.clock.now() + 300_000, 'the scheduler waits the longest delay before asking again');
  t.equal(h.engine.retries.gate('prod', h.clock.now()), undefined, 'a request may ask again at once (the user may have fixed the policy)');
});

t.test('ExpiredToken on the source session: MfaRequired, other roles keep their valid credentials', async (t) => {
  const h = harness();
  await h.mfa();
  const test = await h.engine.get('test');
  h.sts.mode = 'expired-token';
  const err = await rejection(h.engine.get('dev'));
  t.equal(err.code, 'MfaRequired');
  t.match(err.message, /credd mfa/);
  t.equal(h.sessions.list().length, 0, 'the session is dropped');
  t.equal(await h.engine.get('test'), test, 'credentials already assumed are still valid and served');
  const calls = h.sts.calls.length;
  t.equal((await rejection(h.engine.get('dev'))).code, 'MfaRequired');
  t.equal(h.sts.calls.length, calls, 'no STS call: only a new code helps');
  t.equal(h.engine.retries.retryAt('dev'), undefined, 'and no timer: the scheduler waits for the code');
});

t.test('a 900 s grant is served and renewed without a storm', async (t) => {
  const h = harness({ duration: 900 });
  await h.mfa();
  const short: number[] = [];
  for (let s = 0; s < 3600; s += 5) {
    const served = await h.engine.get('dev');
    if (served.expiresAt - h.clock.now() < 7 * MIN) short.push(s);
    await h.engine.idle();
    h.clock.advance(5000);
  }
  t.same(short, [], "every answer had more than 7 minutes left (above JS v3's 5)");
  const n = h.sts.count('AssumeRole');
  t.ok(n >= 7 && n <= 9, `about one call per 450 s over an hour (${n})`);
  t.ok(h.sts.calls.filter((c) => c.action === 'AssumeRole').every((c) => c.durationSeconds === 900));
});

t.test('jitter: each credential gets its own refresh time, drawn once', async (t) => {
  const h = harness({ random: () => 0.5 });
  await h.mfa();
  const dev = await h.engine.get('dev');
  t.equal(dev.refreshAt, dev.expiresAt - 1260_000);
  h.clock.advance(38 * MIN);
  t.equal((await h.engine.get('dev')).refreshAt, dev.refreshAt, 'not redrawn per request');
});

t.test('an MFA root served as it is: due only at its end, no churn per request', async (t) => {
  const clock = fakeClock();
  const sts = fakeSts(clock);
  const config = parseAwsConfig(`[profile mgmt]\nmfa_serial = ${MFA_SERIAL}\n`, '[mgmt]\naws_access_key_id = AKIA\naws_secret_access_key = S\n', {
    configFile: 'c',
    credentialsFile: 'k',
  });
  const sessions = createSessionManager({ sts, now: clock.now, endpoints: {}, sessionSeconds: 3600, minServeSeconds: 60, onChange: () => undefined });
  const engine = createCredentialEngine({
    plan: (n) => resolvePlan(config, n),
    sessions,
    sts,
    now: clock.now,
    endpoints: {},
    refresh: DEFAULT_REFRESH,
    onBackgroundError: () => undefined,
  });
  t.equal((await rejection(engine.get('mgmt'))).code, 'MfaRequired');
  await sessions.start(resolvePlan(config, 'mgmt'), '123456');
  const first = await engine.get('mgmt');
  t.equal(first.refreshAt, first.expiresAt);
  clock.advance(50 * MIN);
  t.equal(await engine.get('mgmt'), first, 'served as cached near its end');
  t.equal(sts.calls.length, 1);
  clock.advance(10 * MIN);
  t.equal((await rejection(engine.get('mgmt'))).code, 'MfaRequired', 'and MfaRequired once it is gone');
});

t.test('long-term keys without MFA: the plain session renews itself before the margin', async (t) => {
  const h = harness({ sessionSeconds: 3600 });
  const first = await h.engine.get('management');
  t.equal(h.sts.count('GetSessionToken'), 1);
  t.equal(first.refreshAt, first.expiresAt - 1200_000, 'due 20 minutes before its end');
  h.clock.advance(41 * MIN);
  await h.engine.get('management');
  await h.engine.idle();
  t.equal(h.sts.count('GetSessionToken'), 2, 'renewed in the background');
  t.ok(h.engine.peek('management')!.expiresAt - h.clock.now() > 50 * MIN, 'with a full new lifetime');
});

t.test('seed, uses, forget and idle', async (t) => {
  const h = harness();
  const now = h.clock.now();
  const served = toServed('dev', { accessKeyId: 'ASIASEED', secretAccessKey: 's', sessionToken: 't', expiration: new Date(now + 50 * MIN) }, now - 10 * MIN, {
    roleArn: roleArn('dev'),
  });
  h.engine.seed(served);
  t.equal(served.refreshAt, served.expiresAt - 1200_000);
  t.equal(await h.engine.get('dev'), served, 'a seeded entry is served without STS');
  t.equal(h.sts.calls.length, 0);
  h.engine.noteUse('test', now - 5000);
  h.engine.noteUse('test', now - 9000);
  t.equal(h.engine.lastUse().get('test'), now - 5000, 'the later use wins');
  h.engine.pruneUse(now - 1000);
  t.same([...h.engine.lastUse().keys()], ['dev'], 'old uses dropped');
  h.engine.forget('dev');
  t.equal(h.engine.peek('dev'), undefined);
  t.ok(h.engine.lastUse().has('dev'), 'a forgotten entry is still in use');
  h.engine.forget();
  t.equal(h.engine.lastUse().size, 0);
  await h.engine.idle();
});

t.test('a role assumed from a role: the parent is fetched (and cached) first, then the child with its keys', async (t) => {
  const clock = fakeClock();
  const sts = fakeSts(clock);
  const config = parseAwsConfig(
    `[profile dev]\nsource_profile = management\nrole_arn = ${roleArn('dev')}\nmfa_serial = ${MFA_SERIAL}\n\n[profile deep]\nsource_profile = dev\nrole_arn = arn:aws:iam::666666666666:role/Deep\n`,
    '[management]\naws_access_key_id = AKIA\naws_secret_access_key = S\n',
    { configFile: 'c', credentialsFile: 'k' },
  );
  const sessions = createSessionManager({ sts, now: clock.now, endpoints: {}, sessionSeconds: 43200, minServeSeconds: 60, onChange: () => undefined });
  const engine = createCredentialEngine({
    plan: (n) => resolvePlan(config, n),
    sessions,
    sts,
    now: clock.now,
    endpoints: {},
    refresh: DEFAULT_REFRESH,
    onBackgroundError: () => undefined,
  });
  await sessions.start(resolvePlan(config, 'deep'), '123456');
  const deep = await engine.get('deep');
  const dev = engine.peek('dev')!;
  t.same(
    sts.calls.filter((c) => c.action === 'AssumeRole').map((c) => [c.roleArn, c.signedWith]),
    [
      [roleArn('dev'), 'ASIASESSION00000001'],
      ['arn:aws:iam::666666666666:role/Deep', dev.credentials.accessKeyId],
    ],
  );
  t.equal(deep.accountId, '666666666666');
  t.ok(engine.lastUse().has('dev'), 'the parent counts as in use: the child needs it warm');
  sts.mode = 'expired-token';
  engine.forget('deep');
  await t.rejects(engine.get('deep'), { code: 'ExpiredToken' }, 'deeper in a chain the answer is kept as it is');
  t.equal(sessions.list().length, 1, 'and the MFA session stays');
});

t.test('cachedFresh: the entry and its prebuilt body only while fresh, counted as a use as get does', async (t) => {
  const h = harness();
  await h.mfa();
  t.equal(h.engine.cachedFresh('dev')?.body, undefined, 'nothing cached yet');
  t.equal(h.engine.lastUse().has('dev'), false, 'a miss is not a use (get, which follows, records it)');
  t.equal(h.sts.count('AssumeRole'), 0, 'and calls nothing');
  const served = await h.engine.get('dev');
  h.engine.pruneUse(Infinity);
  h.clock.advance(MIN);
  t.equal(h.engine.cachedFresh('dev')?.body, served.body);
  t.equal(h.engine.lastUse().get('dev'), h.clock.now(), 'a body served is a use, at now');
  h.clock.advance(40 * MIN); // in the renew window: get would serve and renew in the background
  const before = h.engine.lastUse().get('dev');
  t.equal(h.engine.cachedFresh('dev')?.body, undefined, 'due for renewal: left to get');
  t.equal(h.engine.lastUse().get('dev'), before, 'not counted');
  t.equal(h.sts.count('AssumeRole'), 1, 'and no renewal started from here');
  const renewed = await h.engine.refresh('dev');
  t.equal(h.engine.cachedFresh('dev')?.body, renewed.body, 'fresh again after the renewal');
  h.clock.advance(2 * 60 * MIN);
  t.equal(h.engine.cachedFresh('dev')?.body, undefined, 'expired');
  t.equal(h.engine.peek('dev'), renewed, 'and left in the cache for get to drop');
});

t.test('a failing background renewal is reported once, however many requests join it', async (t) => {
  const h = harness();
  await h.mfa();
  const first = await h.engine.get('dev');
  h.clock.advance(41 * MIN);
  h.sts.mode = 'down';
  let release!: () => void;
  h.sts.hold = new Promise<void>((r) => (release = r));
  // 1,000 requests in the renew window while the one STS call hangs, then fails.
  const answers = await Promise.all(Array.from({ length: 1000 }, () => h.engine.get('dev')));
  t.ok(
    answers.every((a) => a === first),
    'all served the valid credentials',
  );
  release();
  await h.engine.idle();
  t.equal(h.sts.count('AssumeRole'), 2, 'one background attempt');
  t.equal(h.backgroundErrors.length, 1, 'one log line, not one per joined request');
});
