import { BadRequestError, CreddError } from '../errors.js';
import type { Served } from '../engine/served.js';
import { FALLBACK_REGION, resolveStsEndpoint, type EnvEndpoints } from './endpoints.js';
import type { Plan } from './resolve-plan.js';
import type { Sts, TempCredentials } from './sts.js';

/** Where a console session's credentials come from; it decides how long the session lasts. */
export type ConsoleKind = 'role-chained' | 'role' | 'role-long' | 'federation-token';

/** Credentials for the sign-in endpoint, with the lifetime they give the console session. */
export interface ConsoleCredentials {
  kind: ConsoleKind;
  credentials: TempCredentials;
  /** When the console session ends (the credentials' end, or now + SessionDuration). */
  endsAt: number;
  /** Sent to getSigninToken only for a role assumed straight from long-term keys (never for chained credentials). */
  sessionDuration?: number;
  /** The federated user's name (GetFederationToken). */
  federatedUser?: string;
}

export interface ConsoleCredentialDeps {
  sts: Sts;
  endpoints: EnvEndpoints;
  now(): number;
  /** The daemon's credentials for a profile (cached or renewed). */
  served(name: string): Promise<Served>;
  /** New credentials for a profile now. */
  refresh(name: string): Promise<Served>;
}

/** The console's longest session, and the role durations `--long` tries from the top when a role allows less. */
export const CONSOLE_MAX_SECONDS = 43200;
const LADDER = [43200, 28800, 21600, 14400, 7200, 3600];
/** Below this many seconds left, daemon credentials are renewed before they become a console session. */
const MIN_LEFT_SECONDS = 900;
/** Without a session policy a federated user may do nothing; with this one, what the IAM user may do. */
export const ALLOW_ALL_POLICY = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });

/** `credd-PROFILE` in GetFederationToken's alphabet and 2–32 characters. */
export function federatedUserName(profile: string): string {
  return `credd-${profile}`.replace(/[^\w+=,.@-]/g, '_').slice(0, 32);
}

/**
 * Picks the credentials for `credd console`:
 * - a profile without a role: GetFederationToken from the long-term keys (12 h, no MFA context);
 * - `long`: the role assumed straight from the long-term keys with a fresh MFA code, for up to 12 h;
 * - otherwise the role credentials the daemon serves, which the console session cannot outlive.
 */
export async function consoleCredentials(deps: ConsoleCredentialDeps, plan: Plan, opts: { long?: boolean; code?: string }): Promise<ConsoleCredentials> {
  const endpoint = resolveStsEndpoint(deps.endpoints, plan.endpointUrl);
  // An IAM Identity Center root has no long-term keys: the console gets the role credentials the daemon serves.
  if (plan.sso && opts.long) {
    throw new BadRequestError(
      `Profile "${plan.profile}" gets its role from IAM Identity Center, which sets the session length itself: --long cannot help. Use \`credd console ${plan.profile}\`.`,
    );
  }
  if (plan.roles.length === 0 && plan.rootKeys) {
    const name = federatedUserName(plan.profile);
    const credentials = await deps.sts.getFederationToken(plan.rootKeys, {
      region: plan.rootRegion ?? plan.region ?? FALLBACK_REGION,
      endpoint,
      name,
      durationSeconds: CONSOLE_MAX_SECONDS,
      policy: ALLOW_ALL_POLICY,
    });
    return { kind: 'federation-token', credentials, endsAt: credentials.expiration.getTime(), federatedUser: name };
  }
  if (opts.long) return assumeLong(deps, plan, endpoint, opts.code);
  let served = await deps.served(plan.profile);
  if (served.expiresAt - deps.now() < MIN_LEFT_SECONDS * 1000) served = await deps.refresh(plan.profile);
  const chained = plan.sso ? plan.roles.length > 0 : plan.useSession || plan.roles.length > 1;
  return { kind: chained ? 'role-chained' : 'role', credentials: served.credentials, endsAt: served.expiresAt };
}

async function assumeLong(deps: ConsoleCredentialDeps, plan: Plan, endpoint: string | undefined, code: string | undefined): Promise<ConsoleCredentials> {
  if (plan.roles.length > 1) {
    throw new BadRequestError(
      `Profile "${plan.profile}" is reached through ${plan.roles.length} roles; AWS caps a chained role at 1 h, so --long cannot help. Use \`credd console ${plan.profile}\`.`,
    );
  }
  if (plan.mfaSerial && !/^\d{6}$/.test(code ?? '')) throw new BadRequestError('--long needs a fresh 6-digit MFA code (prompted, or from mfa_process).');
  const step = plan.roles[0]!;
  const keys = plan.rootKeys!;
  // duration_seconds above 1 h says what the role allows; else try 12 h and step down.
  const wanted = step.cappedFrom ?? step.durationSeconds;
  const ladder = wanted > 3600 ? [wanted, ...LADDER.filter((d) => d < wanted)] : LADDER;
  for (let i = 0; ; i++) {
    const durationSeconds = ladder[i]!;
    try {
      const out = await deps.sts.assumeRole(keys, {
        region: plan.region ?? FALLBACK_REGION,
        endpoint,
        roleArn: step.roleArn,
        roleSessionName: step.roleSessionName,
        externalId: step.externalId,
        durationSeconds,
        ...(plan.mfaSerial ? { serialNumber: plan.mfaSerial, tokenCode: code } : {}),
      });
      const sessionDuration = Math.min(durationSeconds, CONSOLE_MAX_SECONDS);
      return { kind: 'role-long', credentials: out, endsAt: deps.now() + sessionDuration * 1000, sessionDuration };
    } catch (err) {
      // STS checks the duration before the MFA code, so the same code may be tried again.
      if (i === ladder.length - 1 || !(err instanceof CreddError) || !/MaxSessionDuration/.test(err.message)) throw err;
    }
  }
}
