import { ConfigError, UnknownProfileError } from '../errors.js';
import type { AwsConfig, Profile, StaticKeys } from './config.js';

/** AWS caps a role assumed with temporary credentials (role chaining) at one hour. */
export const CHAINED_ROLE_MAX_SECONDS = 3600;
/** What botocore asks for when a profile sets no `duration_seconds`. */
export const DEFAULT_ROLE_SECONDS = 3600;

/** One AssumeRole call on the way to a profile's credentials. */
export interface RoleStep {
  profile: string;
  roleArn: string;
  roleSessionName: string;
  externalId?: string;
  durationSeconds: number;
  /** Set when `duration_seconds` asked for more than AWS allows for a chained role. */
  cappedFrom?: number;
}

/** The IAM Identity Center role at the root of a chain, and the session that signs in for it. */
export interface SsoSource {
  /** The token cache id: the `[sso-session]` name, or the start URL of a legacy profile. */
  cacheId: string;
  /** What `credd login` takes: the session name, or the legacy profile's name. */
  loginName: string;
  /** True for the legacy form (start URL in the profile): no refresh token. */
  legacy: boolean;
  startUrl: string;
  region: string;
  scopes: string[];
  accountId: string;
  roleName: string;
}

/** An IAM Identity Center session, without the role: what `credd login` signs in to. */
export type SsoSession = Omit<SsoSource, 'accountId' | 'roleName'>;

/**
 * How to obtain a profile's credentials: start from `root`'s keys, optionally turn them
 * into a source session (GetSessionToken, with `mfaSerial` when set), then assume `roles` in order.
 */
export interface Plan {
  profile: string;
  /** The profile that holds the long-term keys (or the SSO role). */
  root: string;
  /** Undefined when the root is an IAM Identity Center role (`sso`). */
  rootKeys?: StaticKeys;
  /** Set when the chain starts from an IAM Identity Center role instead of keys. */
  sso?: SsoSource;
  /** MFA device of the source session, if the chain needs one. */
  mfaSerial?: string;
  /** True when the base credentials are a GetSessionToken session rather than the long-term keys. */
  useSession: boolean;
  /** Identity of the shared source session: `root|mfaSerial`. */
  sessionKey?: string;
  roles: RoleStep[];
  region?: string;
  /** Region of the root profile, used for GetSessionToken. */
  rootRegion?: string;
  /** STS endpoint from the profile's `services` section or `endpoint_url`. */
  endpointUrl?: string;
  mfaProcess?: string;
}

function sessionName(profile: Profile): string {
  if (profile.roleSessionName) {
    if (!/^[\w+=,.@-]{2,64}$/.test(profile.roleSessionName)) {
      throw new ConfigError(`Profile "${profile.name}": role_session_name must be 2–64 characters of letters, digits and +=,.@_-.`);
    }
    return profile.roleSessionName;
  }
  return `credd-${profile.name}`.replace(/[^\w+=,.@-]/g, '_').slice(0, 64);
}

/** A profile that gets its credentials from IAM Identity Center. */
const isSso = (p: Profile) => p.ssoSession !== undefined || p.ssoStartUrl !== undefined || p.ssoAccountId !== undefined;

/** The SSO source of a root profile, checked as the SDKs check it (every key present). */
function ssoSourceOf(config: AwsConfig, p: Profile): SsoSource {
  const bad = (what: string) => new ConfigError(`Profile "${p.name}" ${what}`);
  if (!p.ssoAccountId || !p.ssoRoleName) throw bad('needs both sso_account_id and sso_role_name for IAM Identity Center: add the missing one.');
  let base: Pick<SsoSource, 'cacheId' | 'loginName' | 'legacy' | 'startUrl' | 'region' | 'scopes'>;
  if (p.ssoSession !== undefined) {
    const s = config.ssoSessions.get(p.ssoSession);
    if (!s)
      throw bad(`names sso_session "${p.ssoSession}", but your AWS config has no [sso-session ${p.ssoSession}] section: add it (sso_start_url, sso_region).`);
    if (!s.startUrl || !s.region) throw new ConfigError(`[sso-session ${s.name}] needs sso_start_url and sso_region: add the missing one.`);
    if (p.ssoStartUrl && p.ssoStartUrl !== s.startUrl)
      throw bad(`has an sso_start_url that differs from its [sso-session ${s.name}]: remove it from the profile.`);
    base = { cacheId: s.name, loginName: s.name, legacy: false, startUrl: s.startUrl, region: s.region, scopes: s.scopes };
  } else {
    if (!p.ssoStartUrl || !p.ssoRegion)
      throw bad('needs sso_session (or the legacy sso_start_url and sso_region) for IAM Identity Center: add an [sso-session] section and sso_session = NAME.');
    base = { cacheId: p.ssoStartUrl, loginName: p.name, legacy: true, startUrl: p.ssoStartUrl, region: p.ssoRegion, scopes: [] };
  }
  return { ...base, accountId: p.ssoAccountId, roleName: p.ssoRoleName };
}

/** Walks the `source_profile` chain from `name` down to the profile with keys. */
function chainOf(config: AwsConfig, name: string): Profile[] {
  const chain: Profile[] = [];
  const seen = new Set<string>();
  let current = config.profiles.get(name);
  if (!current) throw new UnknownProfileError(name);
  for (;;) {
    if (seen.has(current.name)) {
      const path = [...chain.map((p) => p.name), current.name].join(' → ');
      throw new ConfigError(`source_profile cycle in your AWS config: ${path}; make one of them hold keys instead.`);
    }
    seen.add(current.name);
    chain.push(current);
    if (!current.roleArn) return chain;
    if (current.sourceProfile === undefined && isSso(current)) return chain;
    if (current.credentialSource) {
      throw new ConfigError(`Profile "${current.name}" uses credential_source, which credd does not support: use source_profile.`);
    }
    // A role profile that names itself as source uses its own keys, as botocore does.
    if (current.sourceProfile === current.name && current.keys) return chain;
    if (!current.sourceProfile) {
      throw new ConfigError(`Profile "${current.name}" has role_arn but no source_profile: add source_profile = NAME.`);
    }
    const next = config.profiles.get(current.sourceProfile);
    if (!next) {
      throw new ConfigError(`Profile "${current.name}" names source_profile "${current.sourceProfile}", which is not in your AWS config or credentials file.`);
    }
    current = next;
  }
}

/**
 * Resolves a profile into the steps that produce its credentials.
 * Throws UnknownProfileError for a missing name and ConfigError for a cycle,
 * a missing source or a root without keys.
 */
export function resolvePlan(config: AwsConfig, name: string): Plan {
  const chain = chainOf(config, name);
  const root = chain[chain.length - 1]!;
  const sso = !root.roleArn && isSso(root) ? ssoSourceOf(config, root) : undefined;
  if (!root.keys && !sso) {
    throw new ConfigError(`Profile "${root.name}" has no aws_access_key_id/aws_secret_access_key in your credentials file: add them.`);
  }
  // Roles from the one nearest the keys up to the requested profile.
  const roleProfiles = chain.filter((p) => p.roleArn).reverse();
  const mfaSerial = [root, ...roleProfiles].map((p) => p.mfaSerial).find((s) => s !== undefined);
  const useSession = !sso && (mfaSerial !== undefined || roleProfiles.length === 0);
  const roles = roleProfiles.map((p, i): RoleStep => {
    // A role assumed with temporary credentials (an MFA session, an SSO role, another role) is chained: 1 h at most.
    const chained = useSession || sso !== undefined || i > 0;
    const wanted = p.durationSeconds ?? DEFAULT_ROLE_SECONDS;
    const durationSeconds = chained ? Math.min(wanted, CHAINED_ROLE_MAX_SECONDS) : wanted;
    const step: RoleStep = { profile: p.name, roleArn: p.roleArn!, roleSessionName: sessionName(p), durationSeconds };
    if (p.externalId) step.externalId = p.externalId;
    if (durationSeconds < wanted) step.cappedFrom = wanted;
    return step;
  });
  const leaf = chain[0]!;
  const plan: Plan = {
    profile: name,
    root: root.name,
    ...(root.keys && !sso ? { rootKeys: root.keys } : {}),
    ...(sso ? { sso } : {}),
    useSession,
    roles,
    region: chain.map((p) => p.region).find((r) => r !== undefined),
    rootRegion: root.region,
    endpointUrl: leaf.stsEndpointUrl ?? leaf.endpointUrl ?? root.stsEndpointUrl ?? root.endpointUrl,
  };
  if (mfaSerial && !sso) plan.mfaSerial = mfaSerial;
  if (useSession) plan.sessionKey = `${root.name}|${mfaSerial ?? ''}`;
  const mfaProcess = chain.map((p) => p.mfaProcess).find((s) => s !== undefined);
  if (mfaProcess) plan.mfaProcess = mfaProcess;
  return plan;
}
