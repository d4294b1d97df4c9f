import t from 'tap';
import {
  backoffDelay,
  DEFAULT_REFRESH,
  freshness,
  nextRefreshAt,
  profilesInUse,
  refreshAt,
  refreshDue,
  sessionPhase,
  withDefaults,
} from '../../src/engine/refresh-policy.js';

const MIN = 60_000;
const T0 = Date.UTC(2030, 0, 1);
const HOUR = 60 * MIN;

t.test('defaults: a 20-minute margin, 2 minutes of jitter, four hours of keep-warm', async (t) => {
  t.equal(DEFAULT_REFRESH.marginSeconds, 1200);
  t.equal(DEFAULT_REFRESH.jitterSeconds, 120);
  t.equal(DEFAULT_REFRESH.keepWarmSeconds, 14400);
  t.same(withDefaults({ marginSeconds: 600, minServeSeconds: 30 }), { ...DEFAULT_REFRESH, marginSeconds: 600, minServeSeconds: 30 });
  t.equal(withDefaults({ marginSeconds: 600, minServeSeconds: 30, jitterSeconds: undefined }).jitterSeconds, 120, 'undefined keeps the default');
});

t.test('refresh margin: a one-hour role is renewed 20 minutes before it expires, above every SDK window', async (t) => {
  const exp = T0 + HOUR;
  t.equal(refreshAt(exp, T0, DEFAULT_REFRESH, 0), exp - 20 * MIN);
  t.equal(freshness(exp, T0, exp - 21 * MIN), 'fresh');
  t.equal(freshness(exp, T0, exp - 20 * MIN), 'renew');
  t.equal(freshness(exp, T0, exp - 61_000), 'renew', 'still served while more than a minute is left');
  t.equal(freshness(exp, T0, exp - 60_000), 'expired', 'never served with a minute or less left');
  t.equal(freshness(exp, T0, exp + 1), 'expired');
  // Whatever is served as fresh has more than botocore's 15 and JS v3's 5 minutes left.
  const tooShort: number[] = [];
  for (let now = T0; now < exp; now += 1000) if (freshness(exp, T0, now) === 'fresh' && exp - now <= 15 * MIN) tooShort.push(now);
  t.same(tooShort, [], 'nothing served as fresh with 15 minutes or less left');
});

t.test('jitter bounds: extra margin in [0, jitter], earlier never later', async (t) => {
  const exp = T0 + HOUR;
  const s = { ...DEFAULT_REFRESH, jitterSeconds: 120 };
  t.equal(refreshAt(exp, T0, s, 0), exp - 1200_000);
  t.equal(refreshAt(exp, T0, s, 0.5), exp - 1260_000);
  t.equal(refreshAt(exp, T0, s, 0.999999), exp - 1200_000 - Math.round(120_000 * 0.999999 * 1000) / 1000);
  t.equal(refreshAt(exp, T0, s, 7), exp - 1320_000, 'a random value out of range is clamped');
  t.equal(refreshAt(exp, T0, s, -1), exp - 1200_000);
  const outside: number[] = [];
  for (let i = 0; i < 1000; i++) {
    const at = refreshAt(exp, T0, s, Math.random());
    if (at > exp - 1200_000 || at < exp - 1320_000) outside.push(at);
  }
  t.same(outside, [], '1,000 draws all within [margin, margin + jitter] before expiry');
  t.equal(refreshAt(exp, T0, { marginSeconds: 1200, minServeSeconds: 60, jitterSeconds: 0 }, 0.9), exp - 1200_000, 'jitter 0 turns it off');
  t.equal(freshness(exp, T0, exp - 21 * MIN, s, refreshAt(exp, T0, s, 1)), 'renew', 'the stored jittered time decides');
});

t.test('short grants: a 900 s grant is renewed at half-life, not at once (no storm)', async (t) => {
  const exp = T0 + 900_000;
  t.equal(refreshAt(exp, T0, DEFAULT_REFRESH, 1), T0 + 450_000);
  t.equal(freshness(exp, T0, T0), 'fresh', 'served fresh right after it arrives');
  t.equal(freshness(exp, T0, T0 + 449_000), 'fresh');
  t.equal(freshness(exp, T0, T0 + 450_000), 'renew');
  t.equal(refreshAt(T0, T0 + 5000, DEFAULT_REFRESH), T0, 'credentials that arrive expired are due at once');
});

t.test('session phases: warning, final window, ended', async (t) => {
  const end = T0 + 12 * HOUR;
  t.equal(sessionPhase(end, end - 31 * MIN, DEFAULT_REFRESH), 'ok');
  t.equal(sessionPhase(end, end - 30 * MIN, DEFAULT_REFRESH), 'warning');
  t.equal(sessionPhase(end, end - 10 * MIN, DEFAULT_REFRESH), 'final');
  t.equal(sessionPhase(end, end - 60_000, DEFAULT_REFRESH), 'ended');
  t.equal(sessionPhase(end, end + HOUR, DEFAULT_REFRESH), 'ended');
});

t.test('refreshDue: every reason', async (t) => {
  const s = DEFAULT_REFRESH;
  const end = T0 + 12 * HOUR;
  const entry = { obtainedAt: T0, expiresAt: T0 + HOUR };
  t.same(refreshDue({ now: T0 }, s), { due: true, reason: 'missing' });
  t.same(refreshDue({ now: T0 + MIN, entry }, s), { due: false, reason: 'fresh' });
  t.same(refreshDue({ now: T0 + 40 * MIN, entry }, s), { due: true, reason: 'margin' });
  t.same(refreshDue({ now: T0 + 40 * MIN, entry: { ...entry, refreshAt: T0 + 45 * MIN } }, s), { due: false, reason: 'fresh' }, 'the stored time wins');
  t.same(refreshDue({ now: T0 + 40 * MIN, entry, retryAt: T0 + 41 * MIN }, s), { due: false, reason: 'backoff' });
  t.same(refreshDue({ now: T0 + 41 * MIN, entry, retryAt: T0 + 41 * MIN }, s), { due: true, reason: 'margin' }, 'due again once the backoff ran out');
  t.same(refreshDue({ now: T0, mfaSession: { expiresAt: undefined } }, s), { due: false, reason: 'needs-mfa' });
  t.same(refreshDue({ now: T0, entry, mfaSession: { expiresAt: end }, sessionBound: true }, s), { due: false, reason: 'session-bound' });
  t.same(refreshDue({ now: T0, mfaSession: { expiresAt: end }, sessionBound: true }, s), { due: true, reason: 'missing' });
});

t.test('final pre-expiry assume: once, inside the last window of the MFA session', async (t) => {
  const s = DEFAULT_REFRESH;
  const end = T0 + 12 * HOUR;
  const finalFrom = end - 10 * MIN;
  const old = { obtainedAt: finalFrom - 15 * MIN, expiresAt: finalFrom + 45 * MIN };
  t.same(refreshDue({ now: finalFrom - 1, entry: old, mfaSession: { expiresAt: end } }, s), { due: false, reason: 'fresh' });
  t.same(refreshDue({ now: finalFrom, entry: old, mfaSession: { expiresAt: end } }, s), { due: true, reason: 'final' });
  const renewed = { obtainedAt: finalFrom + 1000, expiresAt: finalFrom + 1000 + HOUR };
  t.same(
    refreshDue({ now: finalFrom + 2000, entry: renewed, mfaSession: { expiresAt: end } }, s),
    { due: false, reason: 'fresh' },
    'not again once assumed in the window',
  );
  t.same(
    refreshDue({ now: end - 30_000, entry: renewed, mfaSession: { expiresAt: undefined } }, s),
    { due: false, reason: 'needs-mfa' },
    'after the session: nothing to do until a new code',
  );
});

t.test('backoff: capped exponential with equal jitter', async (t) => {
  const s = DEFAULT_REFRESH;
  t.equal(backoffDelay(1, s, 0), 7500);
  t.equal(backoffDelay(1, s, 1), 15000);
  t.equal(backoffDelay(2, s, 1), 30000);
  t.equal(backoffDelay(3, s, 1), 60000);
  t.equal(backoffDelay(5, s, 1), 240000);
  t.equal(backoffDelay(6, s, 1), 300000, 'capped at the maximum');
  t.equal(backoffDelay(60, s, 1), 300000, 'no overflow for many failures');
  t.equal(backoffDelay(0, s, 1), 15000, 'counts from one');
  const outside: string[] = [];
  for (let n = 1; n <= 12; n++) {
    const full = Math.min(300_000, 15_000 * 2 ** (n - 1));
    for (let i = 0; i < 50; i++) {
      const d = backoffDelay(n, s, Math.random());
      if (d < full / 2 || d > full) outside.push(`failure ${n}: ${d}`);
    }
  }
  t.same(outside, [], 'every delay within [d/2, d]');
  t.equal(backoffDelay(1, s, 5), 15000, 'random clamped');
});

t.test('profiles in use: the active one plus those requested within the window', async (t) => {
  const use = new Map([
    ['dev', T0 - HOUR],
    ['old', T0 - 5 * HOUR],
    ['edge', T0 - 4 * HOUR],
  ]);
  t.same(profilesInUse('prod', use, T0, DEFAULT_REFRESH).sort(), ['dev', 'edge', 'prod']);
  t.same(profilesInUse(undefined, new Map(), T0, DEFAULT_REFRESH), []);
  t.same(profilesInUse('dev', use, T0, DEFAULT_REFRESH).sort(), ['dev', 'edge'], 'no duplicates');
});

t.test('nextRefreshAt: the refresh time, the final window if sooner, nothing past the session', async (t) => {
  const s = DEFAULT_REFRESH;
  const entry = { obtainedAt: T0, expiresAt: T0 + HOUR, refreshAt: T0 + 40 * MIN };
  t.equal(nextRefreshAt(entry, undefined, s), T0 + 40 * MIN, 'no MFA session: the refresh time');
  t.equal(nextRefreshAt({ obtainedAt: T0, expiresAt: T0 + HOUR }, undefined, s), T0 + 40 * MIN, 'computed when not stored');
  t.equal(nextRefreshAt(entry, T0 + 12 * HOUR, s), T0 + 40 * MIN, 'a session far from its end changes nothing');
  t.equal(nextRefreshAt(entry, T0 + 45 * MIN, s), T0 + 35 * MIN, 'the final window comes first');
  t.equal(nextRefreshAt({ ...entry, obtainedAt: T0 + 30 * MIN }, T0 + 39 * MIN, s), undefined, 'assumed in the final window: nothing more before the end');
  t.equal(nextRefreshAt(entry, 0, s), undefined, 'no live session: only a new code helps');
});
