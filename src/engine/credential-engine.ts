import { CreddError, MfaRequiredError, toCreddError } from '../errors.js';
import { FALLBACK_REGION, resolveStsEndpoint, type EnvEndpoints } from '../aws/endpoints.js';
import type { Plan } from '../aws/resolve-plan.js';
import type { Sts, TempCredentials } from '../aws/sts.js';
import { accountFromArn } from './arn.js';
import { freshness, type RefreshSettings } from './refresh-policy.js';
import type { SessionManager } from './sessions.js';
import { createSingleFlight } from './single-flight.js';
import { toServed, type Served } from './served.js';

/** The last failure seen for a profile, for `credd status`. */
export interface ProfileError {
  code: string;
  message: string;
  at: number;
}

export interface CredentialEngineDeps {
  plan(name: string): Plan;
  sessions: SessionManager;
  sts: Sts;
  now(): number;
  endpoints: EnvEndpoints;
  refresh: RefreshSettings;
  /** Told about background failures (already recorded as the profile's last error). */
  onBackgroundError(profile: string, err: CreddError): void;
}

/** Serves each profile's credentials from memory, renewing through STS with one call per profile at a time. */
export interface CredentialEngine {
  /** Valid credentials for `name`: cached, or obtained now (one STS call however many callers). */
  get(name: string): Promise<Served>;
  /** The cached entry, valid or not, without side effects. */
  peek(name: string): Served | undefined;
  /** Obtains new credentials now, whatever the cache holds. */
  refresh(name: string): Promise<Served>;
  lastError(name: string): ProfileError | undefined;
  cached(): Served[];
  /** Forgets `name` (or everything). */
  forget(name?: string): void;
}

/** Creates the credential engine. */
export function createCredentialEngine(deps: CredentialEngineDeps): CredentialEngine {
  const cache = new Map<string, Served>();
  const errors = new Map<string, ProfileError>();
  const flight = createSingleFlight<Served>();

  const obtain = async (name: string): Promise<Served> => {
    const plan = deps.plan(name);
    const last = plan.roles[plan.roles.length - 1];
    const base: TempCredentials | Awaited<ReturnType<SessionManager['ensure']>> =
      plan.roles.length > 1 ? (await engine.get(plan.roles[plan.roles.length - 2]!.profile)).credentials : await deps.sessions.ensure(plan);
    if (!last) {
      const session = deps.sessions.get(plan.sessionKey!)!;
      return toServed(name, session.credentials, deps.now(), { accountId: session.accountId });
    }
    try {
      const out = await deps.sts.assumeRole(base, {
        region: plan.region ?? FALLBACK_REGION,
        endpoint: resolveStsEndpoint(deps.endpoints, plan.endpointUrl),
        roleArn: last.roleArn,
        roleSessionName: last.roleSessionName,
        externalId: last.externalId,
        durationSeconds: last.durationSeconds,
      });
      return toServed(name, out, deps.now(), { roleArn: last.roleArn, accountId: accountFromArn(out.assumedRoleArn) ?? accountFromArn(last.roleArn) });
    } catch (err) {
      // The session was revoked or expired under us: only a new MFA code helps.
      if (err instanceof CreddError && err.code === 'ExpiredToken' && plan.sessionKey && plan.roles.length === 1) {
        deps.sessions.drop(plan.sessionKey);
        throw new MfaRequiredError(name, 'needs a new MFA session (STS says the last one expired)');
      }
      throw err;
    }
  };

  const renew = (name: string): Promise<Served> =>
    flight.run(name, async () => {
      try {
        const served = await obtain(name);
        cache.set(name, served);
        errors.delete(name);
        return served;
      } catch (err) {
        const e = toCreddError(err);
        errors.set(name, { code: e.code, message: e.message, at: deps.now() });
        throw e;
      }
    });

  const engine: CredentialEngine = {
    get(name) {
      const entry = cache.get(name);
      if (entry) {
        const state = freshness(entry.expiresAt, entry.obtainedAt, deps.now(), deps.refresh);
        if (state === 'fresh') return Promise.resolve(entry);
        if (state === 'renew') {
          renew(name).catch((err: CreddError) => deps.onBackgroundError(name, err));
          return Promise.resolve(entry);
        }
        cache.delete(name);
      }
      return renew(name);
    },
    peek: (name) => cache.get(name),
    refresh: (name) => renew(name),
    lastError: (name) => errors.get(name),
    cached: () => [...cache.values()],
    forget(name) {
      if (name === undefined) {
        cache.clear();
        errors.clear();
      } else {
        cache.delete(name);
        errors.delete(name);
      }
    },
  };
  return engine;
}
