import { ConfigError, CreddError, MfaRequiredError, toCreddError } from '../errors.js';
import { FALLBACK_REGION, resolveStsEndpoint, type EnvEndpoints } from '../aws/endpoints.js';
import type { Plan } from '../aws/resolve-plan.js';
import type { Sts, TempCredentials } from '../aws/sts.js';
import { accountFromArn } from '../aws/arn.js';
import { createRetryBook, type RetryBook } from './retry-book.js';
import { freshness, refreshAt, withDefaults, type RefreshSettings } from './refresh-policy.js';
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
  /** A number in [0, 1) for jitter (default Math.random). */
  random?(): number;
  /** Told after new credentials were cached (to persist them). */
  onObtained?(served: Served): void;
  /** IAM Identity Center role credentials, for plans that start from an SSO role. */
  sso?: { roleCredentials(src: NonNullable<Plan['sso']>): Promise<TempCredentials> };
}

/** Serves each profile's credentials from memory, renewing through STS with one call per profile at a time. */
export interface CredentialEngine {
  /** Valid credentials for `name`: cached, or obtained now (one STS call however many callers). Counts as a use of `name`. */
  get(name: string): Promise<Served>;
  /**
   * The cached entry of `name` (with its prebuilt bodies), synchronously, only while it is fresh
   * (not due for renewal); else undefined and nothing happens (`get` takes it from there). An
   * entry returned counts as a use of `name`, as with `get`.
   */
  cachedFresh(name: string): Served | undefined;
  /** The cached entry, valid or not, without side effects. */
  peek(name: string): Served | undefined;
  /** Obtains new credentials now, whatever the cache holds (shares a call already in flight). */
  refresh(name: string): Promise<Served>;
  lastError(name: string): ProfileError | undefined;
  cached(): Served[];
  /** Forgets `name` (or everything). */
  forget(name?: string): void;
  /** When each profile was last requested through `get`. */
  lastUse(): ReadonlyMap<string, number>;
  /** Drops the uses older than `before`, so the map stays as small as the set of profiles in use. */
  pruneUse(before: number): void;
  /** Failure counts and retry times after STS trouble. */
  retries: RetryBook;
  /** Puts credentials restored from disk (or elsewhere) into the cache. */
  seed(served: Served): void;
  /** Records a use of `name` at `at` (restored from disk), keeping the later of the two. */
  noteUse(name: string, at: number): void;
  /** Resolves once no STS call of this engine is in flight. */
  idle(): Promise<void>;
}

/** Creates the credential engine. */
export function createCredentialEngine(deps: CredentialEngineDeps): CredentialEngine {
  const settings = withDefaults(deps.refresh);
  const random = deps.random ?? Math.random;
  const cache = new Map<string, Served>();
  const errors = new Map<string, ProfileError>();
  const used = new Map<string, number>();
  const flight = createSingleFlight<Served>();
  const retries = createRetryBook({ settings, random });
  const pending = new Set<Promise<unknown>>();

  const stamp = (served: Served, sessionBound: boolean): Served => {
    served.refreshAt = sessionBound ? served.expiresAt : refreshAt(served.expiresAt, served.obtainedAt, settings, random());
    return served;
  };

  const baseOf = (plan: Plan) => {
    if (!plan.sso) return deps.sessions.ensure(plan);
    if (!deps.sso) throw new ConfigError(`Profile "${plan.profile}" uses IAM Identity Center, which this credd was built without.`);
    return deps.sso.roleCredentials(plan.sso);
  };

  const obtain = async (name: string): Promise<Served> => {
    const plan = deps.plan(name);
    const last = plan.roles[plan.roles.length - 1];
    const base: TempCredentials | Awaited<ReturnType<SessionManager['ensure']>> =
      plan.roles.length > 1 ? (await engine.get(plan.roles[plan.roles.length - 2]!.profile)).credentials : await baseOf(plan);
    if (!last && plan.sso) {
      // The SSO role itself: renewed from the portal like an assumed role, not bound to a session.
      return stamp(toServed(name, base as TempCredentials, deps.now(), { accountId: plan.sso.accountId }), false);
    }
    if (!last) {
      const session = deps.sessions.get(plan.sessionKey!)!;
      // An MFA session cannot be renewed without a code: its credentials are due only at their end.
      return stamp(toServed(name, session.credentials, deps.now(), { accountId: session.accountId }), plan.mfaSerial !== undefined);
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
      return stamp(
        toServed(name, out, deps.now(), { roleArn: last.roleArn, accountId: accountFromArn(out.assumedRoleArn) ?? accountFromArn(last.roleArn) }),
        false,
      );
    } catch (err) {
      // The session was revoked or expired under us: only a new MFA code helps.
      if (err instanceof CreddError && err.code === 'ExpiredToken' && plan.sessionKey && plan.roles.length === 1) {
        deps.sessions.drop(plan.sessionKey);
        throw new MfaRequiredError(name, 'needs a new MFA session (STS says the last one expired)');
      }
      throw err;
    }
  };

  const renew = (name: string): Promise<Served> => {
    const p = flight.run(name, async () => {
      try {
        const served = await obtain(name);
        cache.set(name, served);
        errors.delete(name);
        retries.succeeded(name);
        deps.onObtained?.(served);
        return served;
      } catch (err) {
        const e = toCreddError(err);
        errors.set(name, { code: e.code, message: e.message, at: deps.now() });
        retries.failed(name, e, deps.now());
        throw e;
      }
    });
    if (!pending.has(p)) {
      pending.add(p);
      void p.then(
        () => pending.delete(p),
        () => pending.delete(p),
      );
    }
    return p;
  };

  const engine: CredentialEngine = {
    get(name) {
      const now = deps.now();
      used.set(name, now);
      const entry = cache.get(name);
      if (entry) {
        // Checked against the wall clock on every request: after a sleep or a clock jump nothing past expiry is served.
        const state = freshness(entry.expiresAt, entry.obtainedAt, now, settings, entry.refreshAt);
        if (state === 'fresh') return Promise.resolve(entry);
        if (state === 'renew') {
          // Static stability: serve what is still valid; renew unless a backoff after STS trouble is running.
          // Only the request that starts the renewal reports its failure: the others join it (one log line, not one per request).
          if (retries.mayCall(name, now) && !flight.has(name)) renew(name).catch((err: CreddError) => deps.onBackgroundError(name, err));
          return Promise.resolve(entry);
        }
        cache.delete(name);
      }
      const gated = retries.gate(name, now);
      if (gated) return Promise.reject(gated);
      return renew(name);
    },
    cachedFresh(name) {
      const entry = cache.get(name);
      if (!entry) return undefined;
      const now = deps.now();
      if (freshness(entry.expiresAt, entry.obtainedAt, now, settings, entry.refreshAt) !== 'fresh') return undefined;
      used.set(name, now);
      return entry;
    },
    peek: (name) => cache.get(name),
    refresh: (name) => renew(name),
    lastError: (name) => errors.get(name),
    cached: () => [...cache.values()],
    forget(name) {
      if (name === undefined) {
        cache.clear();
        errors.clear();
        used.clear();
        retries.clear();
      } else {
        // The last use stays: a profile whose recipe changed is still in use.
        cache.delete(name);
        errors.delete(name);
        retries.clear(name);
      }
    },
    lastUse: () => used,
    pruneUse(before) {
      for (const [name, at] of used) if (at < before) used.delete(name);
    },
    retries,
    seed(served) {
      if (served.refreshAt === undefined) stamp(served, false);
      cache.set(served.profile, served);
    },
    noteUse(name, at) {
      used.set(name, Math.max(at, used.get(name) ?? -Infinity));
    },
    async idle() {
      while (pending.size) await Promise.allSettled([...pending]);
    },
  };
  return engine;
}
