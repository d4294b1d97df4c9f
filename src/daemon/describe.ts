import type { AwsConfig } from '../aws/config.js';
import type { Plan } from '../aws/resolve-plan.js';
import type { ProfileInfo, StatusInfo } from '../control/contract.js';
import type { CredentialEngine, ProfileError } from '../engine/credential-engine.js';
import { accountFromArn } from '../aws/arn.js';
import { DEFAULT_REFRESH, nextRefreshAt, withDefaults, type RefreshSettings } from '../engine/refresh-policy.js';
import { isoSeconds, type Served } from '../engine/served.js';
import type { SessionManager } from '../engine/sessions.js';

interface DescribeDeps {
  config: AwsConfig;
  plan(name: string): Plan | undefined;
  engine: CredentialEngine;
  sessions: SessionManager;
  now(): number;
}

/** Describes every profile of the AWS config for `credd profiles`. */
export function describeProfiles(deps: DescribeDeps): ProfileInfo[] {
  return [...deps.config.profiles.keys()].sort().map((name): ProfileInfo => {
    let plan: Plan | undefined;
    let error: string | undefined;
    try {
      plan = deps.plan(name);
    } catch {
      plan = undefined;
    }
    if (!plan) {
      return { name, mfa: false, state: 'error', error: 'this profile cannot be resolved; see `credd status`' };
    }
    const role = plan.roles[plan.roles.length - 1]?.roleArn;
    const cached = deps.engine.peek(name);
    const live = cached && cached.expiresAt > deps.now();
    const needsMfa = plan.mfaSerial !== undefined && !deps.sessions.get(plan.sessionKey!);
    const lastError = deps.engine.lastError(name);
    if (lastError) error = lastError.message;
    const info: ProfileInfo = {
      name,
      mfa: plan.mfaSerial !== undefined,
      state: live ? 'ready' : needsMfa ? 'mfa-needed' : lastError ? 'error' : 'available',
    };
    // An SSO profile: its account and role come from the portal, not from an ARN.
    const account = accountFromArn(role) ?? (plan.roles.length ? undefined : plan.sso?.accountId) ?? accountFromArn(plan.mfaSerial);
    if (account) info.account = account;
    if (role) info.role = role;
    else if (plan.sso) info.role = `${plan.sso.roleName} (IAM Identity Center ${plan.sso.loginName})`;
    if (plan.region) info.region = plan.region;
    if (plan.root !== name) info.source = plan.roles.length > 1 ? plan.roles[plan.roles.length - 2]!.profile : plan.root;
    if (live) info.expiration = isoSeconds(cached.expiresAt);
    if (error) info.error = error;
    return info;
  });
}

/** When the scheduler renews `c` next, given the MFA session its plan rests on (if any). */
function nextRefreshOf(deps: DescribeDeps & { refresh?: RefreshSettings }, c: Served): number | undefined {
  const plan = deps.plan(c.profile);
  const session = plan?.mfaSerial && plan.sessionKey ? deps.sessions.get(plan.sessionKey) : undefined;
  const end = plan?.mfaSerial ? (session?.credentials.expiration.getTime() ?? 0) : undefined;
  return nextRefreshAt(c, end, deps.refresh ?? DEFAULT_REFRESH);
}

/** Builds the `credd status` document. */
export function describeStatus(deps: DescribeDeps & { active?: string; configError?: string; warnings?: string[]; refresh?: RefreshSettings }): StatusInfo {
  const now = deps.now();
  const window = withDefaults(deps.refresh ?? DEFAULT_REFRESH).keepWarmSeconds * 1000;
  const use = deps.engine.lastUse();
  const status: StatusInfo = {
    sessions: deps.sessions.list().map((s) => ({
      source: s.root,
      ...(s.mfaSerial ? { mfaSerial: s.mfaSerial } : {}),
      expiration: isoSeconds(s.credentials.expiration.getTime()),
      valid: deps.sessions.get(s.key) !== undefined,
    })),
    profiles: deps.engine.cached().map((c) => {
      const lastError = deps.engine.lastError(c.profile);
      const retryAt = deps.engine.retries.retryAt(c.profile);
      const usedAt = use.get(c.profile);
      const inUse = c.profile === deps.active || (usedAt !== undefined && now - usedAt <= window);
      // Only profiles in use are renewed; an MFA session served as it is has no renewal before its end.
      const next = inUse && c.refreshAt !== undefined && c.refreshAt < c.expiresAt ? nextRefreshOf(deps, c) : undefined;
      return {
        name: c.profile,
        expiration: isoSeconds(c.expiresAt),
        ...(next !== undefined ? { nextRefresh: isoSeconds(Math.max(next, now)) } : {}),
        ...(retryAt !== undefined && retryAt > now ? { retryAt: isoSeconds(retryAt) } : {}),
        inUse,
        ...(lastError ? { lastError } : {}),
      };
    }),
    errors: [...deps.config.profiles.keys()]
      .map((name) => ({ name, err: deps.engine.lastError(name) }))
      .filter((x): x is { name: string; err: ProfileError } => x.err !== undefined)
      .map(({ name, err }) => ({ name, ...err })),
    warnings: deps.warnings ?? [],
  };
  if (deps.active) status.activeProfile = deps.active;
  if (deps.configError) status.configError = deps.configError;
  return status;
}
