import { BadRequestError, MfaRequiredError, NoMfaNeededError, requireMfaSerial } from '../errors.js';
import type { StaticKeys } from '../aws/config.js';
import { FALLBACK_REGION, resolveStsEndpoint, type EnvEndpoints } from '../aws/endpoints.js';
import type { Plan } from '../aws/resolve-plan.js';
import type { Sts, TempCredentials } from '../aws/sts.js';
import { createSingleFlight } from './single-flight.js';
import { accountFromArn } from '../aws/arn.js';

/** The MFA-authenticated (or plain) GetSessionToken session of one IAM user, shared by every profile built on it. */
export interface SourceSession {
  /** `root|mfaSerial` */
  key: string;
  root: string;
  mfaSerial?: string;
  credentials: TempCredentials;
  accountId?: string;
}

export interface SessionManagerDeps {
  sts: Sts;
  now(): number;
  endpoints: EnvEndpoints;
  /** Requested session length (default 43200 s; STS caps it). */
  sessionSeconds: number;
  /** Seconds of validity below which a session counts as gone (default 60). */
  minServeSeconds: number;
  /**
   * A session without MFA (long-term keys served as they are) is renewed by itself once
   * less than this many seconds are left (default minServeSeconds), so what is served keeps a margin.
   */
  renewPlainSeconds?: number;
  /** Called after every change, with all sessions, so they can be persisted. */
  onChange(sessions: SourceSession[]): void;
  initial?: SourceSession[];
}

/** Keeps source sessions, one per (root profile, MFA device). */
export interface SessionManager {
  /** The session if it is still usable. */
  get(key: string): SourceSession | undefined;
  /** Calls GetSessionToken with the MFA code; on refusal the previous session stays. */
  start(plan: Plan, code: string): Promise<SourceSession>;
  /** Base credentials for a plan: the live session, the long-term keys, or MfaRequired. */
  ensure(plan: Plan): Promise<StaticKeys>;
  list(): SourceSession[];
  drop(key: string): void;
  clear(): void;
}

/**
 * The session of IAM user `root` to sign its own calls with (IAM may refuse calls made without MFA):
 * one still valid at `validAfterMs` (epoch ms), an MFA session before a plain one; undefined if none.
 */
export function pickSourceSession(sessions: readonly SourceSession[], root: string, validAfterMs: number): SourceSession | undefined {
  return sessions
    .filter((s) => s.root === root && s.credentials.expiration.getTime() > validAfterMs)
    .sort((a, b) => Number(Boolean(b.mfaSerial)) - Number(Boolean(a.mfaSerial)))[0];
}

/** Creates the session manager. */
export function createSessionManager(deps: SessionManagerDeps): SessionManager {
  const sessions = new Map<string, SourceSession>((deps.initial ?? []).map((s) => [s.key, s]));
  const flight = createSingleFlight<SourceSession>();
  const changed = () => deps.onChange([...sessions.values()]);
  const usable = (s: SourceSession | undefined, minSeconds = deps.minServeSeconds) =>
    s !== undefined && s.credentials.expiration.getTime() - deps.now() > minSeconds * 1000 ? s : undefined;

  const call = async (plan: Plan, code?: string): Promise<SourceSession> => {
    const credentials = await deps.sts.getSessionToken(plan.rootKeys!, {
      region: plan.rootRegion ?? plan.region ?? FALLBACK_REGION,
      endpoint: resolveStsEndpoint(deps.endpoints, plan.endpointUrl),
      serialNumber: plan.mfaSerial,
      tokenCode: code,
      durationSeconds: deps.sessionSeconds,
    });
    const session: SourceSession = { key: plan.sessionKey!, root: plan.root, credentials };
    if (plan.mfaSerial) session.mfaSerial = plan.mfaSerial;
    const account = accountFromArn(plan.mfaSerial);
    if (account) session.accountId = account;
    sessions.set(session.key, session);
    changed();
    return session;
  };

  return {
    get: (key) => usable(sessions.get(key)),
    async start(plan, code) {
      requireMfaSerial(plan);
      if (!plan.sessionKey) throw new NoMfaNeededError(plan.profile);
      if (!/^\d{6}$/.test(code)) throw new BadRequestError('An MFA code is 6 digits: run `credd mfa 123456` with the code your device shows.');
      return flight.run(`mfa:${plan.sessionKey}`, () => call(plan, code));
    },
    async ensure(plan) {
      if (!plan.useSession) return plan.rootKeys!;
      const live = usable(sessions.get(plan.sessionKey!), plan.mfaSerial ? deps.minServeSeconds : Math.max(deps.minServeSeconds, deps.renewPlainSeconds ?? 0));
      if (live) return live.credentials;
      if (plan.mfaSerial) {
        const known = sessions.has(plan.sessionKey!);
        throw new MfaRequiredError(plan.profile, known ? 'needs a new MFA session (the last one has expired)' : 'needs an MFA session');
      }
      return (await flight.run(plan.sessionKey!, () => call(plan))).credentials;
    },
    list: () => [...sessions.values()],
    drop(key) {
      if (sessions.delete(key)) changed();
    },
    clear() {
      sessions.clear();
      changed();
    },
  };
}
