/**
 * When to renew credentials, as pure functions of (credentials, now, settings): the
 * scheduler, the request path and `credd status` all decide with these, so one set of
 * unit tests with plain numbers covers every rule. All times are epoch milliseconds.
 */
export interface RefreshSettings {
  /** Renew when less than this many seconds are left (default 1200: above botocore's 15-minute window). */
  marginSeconds: number;
  /** Never serve credentials with less than this many seconds left (default 60). */
  minServeSeconds: number;
  /** Up to this many extra seconds of margin, drawn per credential, so renewals spread out (default 120). */
  jitterSeconds?: number;
  /** A profile requested within this many seconds is kept warm (default 14400, four hours). */
  keepWarmSeconds?: number;
  /** Warn this many seconds before an MFA session ends (default 1800; 0 turns warnings off). */
  sessionWarningSeconds?: number;
  /** Assume each in-use role one last time this many seconds before its MFA session ends (default 600). */
  finalAssumeSeconds?: number;
  /** First retry delay after a transient STS failure (default 15); doubles per failure. */
  backoffBaseSeconds?: number;
  /** Longest retry delay (default 300); also the pause after a terminal refusal such as AccessDenied. */
  backoffMaxSeconds?: number;
  /** Wall and monotonic clocks drifting apart by more than this many seconds counts as a jump or a wake (default 30). */
  clockJumpSeconds?: number;
}

/** Defaults: botocore refreshes container credentials below 15 min, JS v3 below 5 min. */
export const DEFAULT_REFRESH: Required<RefreshSettings> = {
  marginSeconds: 1200,
  minServeSeconds: 60,
  jitterSeconds: 120,
  keepWarmSeconds: 4 * 3600,
  sessionWarningSeconds: 1800,
  finalAssumeSeconds: 600,
  backoffBaseSeconds: 15,
  backoffMaxSeconds: 300,
  clockJumpSeconds: 30,
};

/** Fills the optional settings with their defaults. */
export function withDefaults(s: RefreshSettings): Required<RefreshSettings> {
  const out = { ...DEFAULT_REFRESH };
  for (const [k, v] of Object.entries(s) as Array<[keyof RefreshSettings, number | undefined]>) if (v !== undefined) out[k] = v;
  return out;
}

/** `fresh`: serve as is; `renew`: serve, and renew in the background; `expired`: renew before serving. */
export type Freshness = 'fresh' | 'renew' | 'expired';

/**
 * When credentials obtained at `obtainedAt` and expiring at `expiresAt` become due:
 * `margin + jitter01 * jitter` before expiry, but never later than half their lifetime,
 * so a 900 s grant is renewed at 450 s left instead of at once (which would be a storm).
 * `jitter01` is a number in [0, 1), drawn once per credential.
 */
export function refreshAt(expiresAt: number, obtainedAt: number, s: RefreshSettings, jitter01 = 0): number {
  const lifetime = Math.max(0, expiresAt - obtainedAt);
  const jitter = (s.jitterSeconds ?? DEFAULT_REFRESH.jitterSeconds) * 1000 * Math.min(Math.max(jitter01, 0), 1);
  return expiresAt - Math.min(s.marginSeconds * 1000 + jitter, lifetime / 2);
}

/**
 * Pure: what to do with credentials at `now`. `dueAt` defaults to {@link refreshAt}
 * without jitter; the engine passes the jittered time it stored with the credentials.
 */
export function freshness(expiresAt: number, obtainedAt: number, now: number, s: RefreshSettings = DEFAULT_REFRESH, dueAt?: number): Freshness {
  if (expiresAt - now <= s.minServeSeconds * 1000) return 'expired';
  return now >= (dueAt ?? refreshAt(expiresAt, obtainedAt, s)) ? 'renew' : 'fresh';
}

/** Where an MFA source session stands: `warning` and `final` come before its end, `ended` once it can no longer be used. */
export type SessionPhase = 'ok' | 'warning' | 'final' | 'ended';

/** Pure: the phase of a source session that expires at `expiresAt`. */
export function sessionPhase(expiresAt: number, now: number, s: RefreshSettings): SessionPhase {
  const left = expiresAt - now;
  const d = withDefaults(s);
  if (left <= d.minServeSeconds * 1000) return 'ended';
  if (left <= d.finalAssumeSeconds * 1000) return 'final';
  if (left <= d.sessionWarningSeconds * 1000) return 'warning';
  return 'ok';
}

/** What the scheduler knows about one in-use profile. */
export interface DueInput {
  now: number;
  /** The cached credentials, if any. */
  entry?: { obtainedAt: number; expiresAt: number; refreshAt?: number };
  /** The profile is built on an MFA session: its expiry, or undefined when there is no live one. */
  mfaSession?: { expiresAt: number | undefined };
  /** The credentials are the MFA session itself: nothing can renew them without a new code. */
  sessionBound?: boolean;
  /** No STS call before this time (backoff after a failure). */
  retryAt?: number;
}

/** Why a profile is, or is not, due. */
export type DueReason = 'missing' | 'margin' | 'final' | 'fresh' | 'backoff' | 'needs-mfa' | 'session-bound';

/**
 * Pure: is a refresh of this in-use profile due now? Due when nothing is cached, when
 * the refresh time has come, or when its MFA session is about to end and the credentials
 * were obtained before that final window (the last assume, so work goes on up to the
 * role's duration). Never due while a backoff runs or when only a new MFA code would help.
 */
export function refreshDue(input: DueInput, s: RefreshSettings): { due: boolean; reason: DueReason } {
  const { now, entry } = input;
  const no = (reason: DueReason) => ({ due: false, reason });
  if (input.mfaSession && input.mfaSession.expiresAt === undefined) return no('needs-mfa');
  if (input.sessionBound && entry) return no('session-bound');
  if (input.retryAt !== undefined && now < input.retryAt) return no('backoff');
  if (!entry) return { due: true, reason: 'missing' };
  if (now >= (entry.refreshAt ?? refreshAt(entry.expiresAt, entry.obtainedAt, s))) return { due: true, reason: 'margin' };
  const end = input.mfaSession?.expiresAt;
  if (end !== undefined) {
    const finalFrom = end - withDefaults(s).finalAssumeSeconds * 1000;
    if (now >= finalFrom && entry.obtainedAt < finalFrom) return { due: true, reason: 'final' };
  }
  return no('fresh');
}

/**
 * Pure: when the scheduler will next renew credentials (for `credd status`): their
 * refresh time, or the start of the final window of their MFA session if that comes
 * first; undefined when the session ends before either, so only a new code helps.
 */
export function nextRefreshAt(
  entry: { obtainedAt: number; expiresAt: number; refreshAt?: number },
  mfaSessionEnd: number | undefined,
  s: RefreshSettings,
): number | undefined {
  let at = entry.refreshAt ?? refreshAt(entry.expiresAt, entry.obtainedAt, s);
  if (mfaSessionEnd === undefined) return at;
  const d = withDefaults(s);
  const finalFrom = mfaSessionEnd - d.finalAssumeSeconds * 1000;
  if (entry.obtainedAt < finalFrom) at = Math.min(at, finalFrom);
  return at < mfaSessionEnd - d.minServeSeconds * 1000 ? at : undefined;
}

/**
 * Pure: the delay before retry number `failures` (1 for the first failure): capped
 * exponential, `base * 2^(failures-1)` up to the maximum, with "equal jitter" so the
 * delay lies in [d/2, d]. `rand01` is a number in [0, 1).
 */
export function backoffDelay(failures: number, s: RefreshSettings, rand01: number): number {
  const d = withDefaults(s);
  const exp = Math.min(Math.max(failures, 1) - 1, 30);
  const full = Math.min(d.backoffMaxSeconds * 1000, d.backoffBaseSeconds * 1000 * 2 ** exp);
  return full / 2 + (full / 2) * Math.min(Math.max(rand01, 0), 1);
}

/** Pure: the profiles to keep warm: the active one plus those requested within the keep-warm window. */
export function profilesInUse(active: string | undefined, lastUse: ReadonlyMap<string, number>, now: number, s: RefreshSettings): string[] {
  const window = withDefaults(s).keepWarmSeconds * 1000;
  const names = new Set<string>(active ? [active] : []);
  for (const [name, at] of lastUse) if (now - at <= window) names.add(name);
  return [...names];
}
