import t from 'tap';
import { DEFAULT_REFRESH } from '../../src/engine/refresh-policy.js';
import { createSessionWatch, sessionWarning, type SessionWarning } from '../../src/engine/session-watch.js';
import { fakeClock, MFA_SERIAL } from './fakes.js';
import type { SessionManager, SourceSession } from '../../src/engine/sessions.js';

const MIN = 60_000;

function session(expiresAt: number, mfa = true): SourceSession {
  return {
    key: `management|${mfa ? MFA_SERIAL : ''}`,
    root: 'management',
    ...(mfa ? { mfaSerial: MFA_SERIAL } : {}),
    credentials: { accessKeyId: 'ASIA', secretAccessKey: 's', sessionToken: 't', expiration: new Date(expiresAt) },
  };
}

t.test('warns once ahead of the end, again once it ended, and again for a new session', async (t) => {
  const clock = fakeClock();
  let list = [session(clock.now() + 2 * 3600_000)];
  const told: SessionWarning[] = [];
  const watch = createSessionWatch({
    sessions: { list: () => list } as unknown as SessionManager,
    now: clock.now,
    settings: DEFAULT_REFRESH,
    onWarning: (w) => told.push(w),
  });
  watch.check();
  t.same(told, []);
  t.same(watch.current(), []);
  clock.advance(90 * MIN);
  watch.check();
  watch.check();
  t.equal(told.length, 1, 'once');
  t.equal(told[0]!.phase, 'warning');
  t.match(told[0]!.message, /ends at .*Z \(in 30 min\): run `credd mfa`/);
  t.notMatch(told[0]!.message, /ASIA|secret|token-/, 'no secret in the words');
  clock.advance(20 * MIN + 1000);
  watch.check();
  t.equal(told.length, 1, 'the final window is the same warning');
  t.equal(watch.current()[0]!.phase, 'final');
  clock.advance(10 * MIN);
  watch.check();
  t.equal(told.length, 2);
  t.equal(told[1]!.phase, 'ended');
  t.match(told[1]!.message, /ended at/);
  list = [session(clock.now() + 12 * 3600_000)];
  watch.check();
  t.same(watch.current(), [], 'a new session has nothing to say');
  clock.advance(11.5 * 3600_000);
  watch.check();
  t.equal(told.length, 3, 'and warns in its turn');
});

t.test('no warning for sessions without MFA, or when turned off', async (t) => {
  const now = Date.UTC(2030, 0, 1);
  t.equal(sessionWarning(session(now + MIN * 5, false), now, DEFAULT_REFRESH), undefined);
  t.equal(sessionWarning(session(now + MIN * 5), now, { ...DEFAULT_REFRESH, sessionWarningSeconds: 0 }), undefined);
  t.equal(sessionWarning(session(now), now, { ...DEFAULT_REFRESH, sessionWarningSeconds: 0 })?.phase, 'ended', 'the end is still news');
  t.match(sessionWarning(session(now + 4 * 3600_000), now, { ...DEFAULT_REFRESH, sessionWarningSeconds: 21600 })?.message, /in 4 h/);
});
