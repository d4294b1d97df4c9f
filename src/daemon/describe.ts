import type { AwsConfig } from '../aws/config.js';
import type { Plan } from '../aws/resolve-plan.js';
import type { CredentialEngine, ProfileError } from '../engine/credential-engine.js';
import { accountFromArn } from '../engine/arn.js';
import { isoSeconds } from '../engine/served.js';
import type { SessionManager } from '../engine/sessions.js';

/** One line of `credd profiles`. */
export interface ProfileInfo {
  name: string;
  account?: string;
  role?: string;
  region?: string;
  source?: string;
  mfa: boolean;
  /** `ready` (credentials cached), `mfa-needed`, `available` (obtained on first use), `error`. */
  state: 'ready' | 'mfa-needed' | 'available' | 'error';
  expiration?: string;
  error?: string;
}

/** What `credd status` shows. */
export interface StatusInfo {
  activeProfile?: string;
  configError?: string;
  sessions: Array<{ source: string; mfaSerial?: string; expiration: string; valid: boolean }>;
  profiles: Array<{ name: string; expiration: string; lastError?: ProfileError }>;
  errors: Array<{ name: string } & ProfileError>;
}

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
    const account = accountFromArn(role) ?? accountFromArn(plan.mfaSerial);
    if (account) info.account = account;
    if (role) info.role = role;
    if (plan.region) info.region = plan.region;
    if (plan.root !== name) info.source = plan.roles.length > 1 ? plan.roles[plan.roles.length - 2]!.profile : plan.root;
    if (live) info.expiration = isoSeconds(cached.expiresAt);
    if (error) info.error = error;
    return info;
  });
}

/** Builds the `credd status` document. */
export function describeStatus(deps: DescribeDeps & { active?: string; configError?: string }): StatusInfo {
  const status: StatusInfo = {
    sessions: deps.sessions.list().map((s) => ({
      source: s.root,
      ...(s.mfaSerial ? { mfaSerial: s.mfaSerial } : {}),
      expiration: isoSeconds(s.credentials.expiration.getTime()),
      valid: deps.sessions.get(s.key) !== undefined,
    })),
    profiles: deps.engine.cached().map((c) => {
      const lastError = deps.engine.lastError(c.profile);
      return { name: c.profile, expiration: isoSeconds(c.expiresAt), ...(lastError ? { lastError } : {}) };
    }),
    errors: [...deps.config.profiles.keys()]
      .map((name) => ({ name, err: deps.engine.lastError(name) }))
      .filter((x): x is { name: string; err: ProfileError } => x.err !== undefined)
      .map(({ name, err }) => ({ name, ...err })),
  };
  if (deps.active) status.activeProfile = deps.active;
  if (deps.configError) status.configError = deps.configError;
  return status;
}
