import type { AwsConfig } from '../../aws/config.js';
import { resolvePlan } from '../../aws/resolve-plan.js';
import { readCachedToken, tokenCacheFile } from '../../aws/sso/token-cache.js';
import type { Add, SsoFacts } from './facts.js';

/** Gathers the SSO facts: `profile` is the one this shell uses (pinned or active), if known. */
export function gatherSsoFacts(config: AwsConfig, cacheDir: string, now: number, profile?: string): SsoFacts {
  const f: SsoFacts = { legacy: [], missingSession: [], registrationExpired: [] };
  for (const p of config.profiles.values()) {
    if (p.ssoSession === undefined && p.ssoStartUrl) f.legacy.push(p.name);
    if (p.ssoSession !== undefined && !config.ssoSessions.has(p.ssoSession)) f.missingSession.push({ profile: p.name, session: p.ssoSession });
  }
  const ids = [
    ...config.ssoSessions.keys(),
    ...[...config.profiles.values()].flatMap((p) => (p.ssoSession === undefined && p.ssoStartUrl ? [p.ssoStartUrl] : [])),
  ];
  for (const id of ids) {
    const t = readCachedToken(tokenCacheFile(cacheDir, id));
    if (t?.registrationExpiresAt !== undefined && t.registrationExpiresAt <= now) f.registrationExpired.push(id);
  }
  try {
    const sso = profile ? resolvePlan(config, profile).sso : undefined;
    const t = sso && readCachedToken(tokenCacheFile(cacheDir, sso.cacheId));
    if (sso && (!t || (!t.refreshToken && t.expiresAt <= now))) f.signedOut = sso.loginName;
  } catch {
    // A profile that does not resolve: other checks (and the probe) say why.
  }
  return f;
}

/** The findings about IAM Identity Center. */
export function ssoChecks(f: SsoFacts | undefined, add: Add): void {
  if (!f) return;
  if (f.signedOut)
    add({
      code: 'LoginRequired',
      severity: 'error',
      message: `The IAM Identity Center session "${f.signedOut}" behind this shell's profile is not signed in: credd answers LoginRequired.`,
      fix: `credd login ${f.signedOut}`,
    });
  for (const m of f.missingSession)
    add({
      code: 'SsoSessionMissing',
      severity: 'error',
      message: `Profile ${m.profile} names sso_session = ${m.session}, but your AWS config has no [sso-session ${m.session}] section.`,
      fix: `add [sso-session ${m.session}] with sso_start_url and sso_region (docs/sso.md)`,
    });
  if (f.legacy.length)
    add({
      code: 'SsoLegacyProfile',
      severity: 'warning',
      message: `Profile ${f.legacy.join(', ')} uses the legacy SSO form (sso_start_url in the profile): the AWS CLI and the SDKs get no refresh token for it, so they ask for a new sign-in whenever the access token expires.`,
      fix: 'move sso_start_url and sso_region into an [sso-session NAME] section with sso_registration_scopes = sso:account:access, and set sso_session = NAME in the profile (docs/sso.md)',
    });
  if (f.registrationExpired.length)
    add({
      code: 'SsoRegistrationExpired',
      severity: 'warning',
      message: `The client registration cached for ${f.registrationExpired.join(', ')} has expired: the token can no longer be refreshed.`,
      fix: `credd login ${f.registrationExpired[0]} (it registers again)`,
    });
}
