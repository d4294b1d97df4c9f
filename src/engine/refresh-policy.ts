/** When to renew credentials. */
export interface RefreshSettings {
  /** Renew when less than this many seconds are left (default 1200: above botocore's 15-minute window). */
  marginSeconds: number;
  /** Never serve credentials with less than this many seconds left (default 60). */
  minServeSeconds: number;
}

/** Defaults: botocore refreshes container credentials below 15 min, JS v3 below 5 min. */
export const DEFAULT_REFRESH: RefreshSettings = { marginSeconds: 1200, minServeSeconds: 60 };

/** `fresh`: serve as is; `renew`: serve, and renew in the background; `expired`: renew before serving. */
export type Freshness = 'fresh' | 'renew' | 'expired';

/**
 * Pure: decides what to do with credentials that expire at `expiresAt` and were
 * obtained at `obtainedAt`, at time `now` (all epoch ms). Credentials granted for less
 * than twice the margin are renewed at half their lifetime, so a 900 s grant is still
 * served and renewed without a storm of STS calls.
 */
export function freshness(expiresAt: number, obtainedAt: number, now: number, s: RefreshSettings = DEFAULT_REFRESH): Freshness {
  const left = expiresAt - now;
  if (left <= s.minServeSeconds * 1000) return 'expired';
  const lifetime = Math.max(0, expiresAt - obtainedAt);
  const margin = Math.min(s.marginSeconds * 1000, lifetime / 2);
  return left <= margin ? 'renew' : 'fresh';
}
