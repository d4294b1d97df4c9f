/**
 * When to refresh an IAM Identity Center access token, as pure functions (times in epoch ms).
 * The SDKs refresh 5 minutes before `expiresAt`; credd starts earlier, so that the token it
 * writes back is the one they find and they never need to refresh it themselves.
 */
export const SSO_TOKEN_MARGIN_MS = 10 * 60_000;

/** Pure: is the access token due for a refresh at `now`? */
export function ssoTokenDue(t: { expiresAt: number }, now: number, marginMs = SSO_TOKEN_MARGIN_MS): boolean {
  return t.expiresAt - now <= marginMs;
}

/** Where a signed-in session stands: `warning` before a session that cannot be refreshed ends. */
export type SsoPhase = 'ok' | 'warning' | 'ended';

/**
 * Pure: the phase of a session. Only a token without a refresh token (a legacy profile, or a
 * registration without scopes) has a known end: `warning` within `warnMs` of it.
 */
export function ssoPhase(t: { expiresAt: number; refreshToken?: string } | undefined, now: number, warnMs: number, endedWhy?: string): SsoPhase {
  if (!t || endedWhy) return 'ended';
  if (t.refreshToken) return 'ok';
  const left = t.expiresAt - now;
  if (left <= 60_000) return 'ended';
  return left <= warnMs ? 'warning' : 'ok';
}
