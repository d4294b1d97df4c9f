import { NoActiveProfileError, requireMfaSerial, toCreddError, UnknownProfileError } from '../errors.js';
import type { AwsConfig } from '../aws/config.js';
import type { EnvEndpoints } from '../aws/endpoints.js';
import { resolvePlan, type Plan } from '../aws/resolve-plan.js';
import type { Sts } from '../aws/sts.js';
import { createCredentialEngine, type CredentialEngineDeps } from '../engine/credential-engine.js';
import type { TickReport } from '../engine/keep-warm.js';
import { withDefaults, type RefreshSettings } from '../engine/refresh-policy.js';
import { imdsDocument, isoSeconds, type Served } from '../engine/served.js';
import { createSessionManager, pickSourceSession, type SourceSession } from '../engine/sessions.js';
import type { StateStore, StoredCredentials } from '../state/store.js';
import type { Logger } from '../log.js';
import type { MfaStarted, ProfileInfo, StatusInfo, Switched, WarmResult } from '../control/contract.js';
import { describeProfiles, describeStatus } from './describe.js';
import { matchCredentials, restoreSessions, snapshot } from './persistence.js';
import { createRefreshLoop } from '../engine/refresh-loop.js';
import { warmWithin } from './warm.js';

export interface CoreDeps {
  loadConfig(): AwsConfig;
  sts: Sts;
  store: StateStore;
  now(): number;
  endpoints: EnvEndpoints;
  refresh: RefreshSettings;
  sessionSeconds: number;
  log: Logger;
  /** Monotonic clock in ms; with it, sleeps and wall-clock jumps are noticed. */
  monotonic?(): number;
  /** A number in [0, 1) for jitter (default Math.random). */
  random?(): number;
  /** Shows a desktop notification (the session warning). */
  notify?(title: string, message: string): void;
  /** Asks for a refresh tick soon (the scheduler's kick). */
  requestTick?(): void;
  /** Told when the wall clock jumped (the scheduler re-arms its timer and ticks). */
  onClockJump?(): void;
  /** IAM Identity Center role credentials (profiles whose chain starts at an SSO role). */
  sso?: CredentialEngineDeps['sso'];
}

/** Everything the daemon does, behind the HTTP endpoint and the control socket. */
export interface Core {
  credentials(name?: string): Promise<Served>;
  /**
   * The body `credentials(name)` would serve, synchronously, when it is cached and fresh; else
   * undefined (then ask `credentials`). Checks the clock and counts as a use, as `credentials` does.
   * `kind` 'imds' gives the IMDS credential document instead (which name IMDS serves is the admission's rule)
   * (default 'container').
   */
  cachedBody(name?: string, kind?: 'container' | 'imds'): string | undefined;
  activeProfile(): string | undefined;
  switchTo(name: string): Omit<Switched, 'region'>;
  /** Fetches the credentials of `name` (default: the active profile) and waits for them up to `waitMs` (0: starts the fetch only). */
  warm(name: string | undefined, waitMs: number): Promise<WarmResult>;
  mfa(code: string, profile?: string): Promise<MfaStarted>;
  refresh(name?: string): Promise<Served>;
  reload(): { ok: boolean; error?: string };
  logout(): void;
  profiles(): ProfileInfo[];
  status(): StatusInfo;
  plan(name: string): Plan;
  /** The region the active (or named) profile uses, if any. */
  region(name?: string): string | undefined;
  /** One scheduler tick: notices clock jumps, warns before MFA sessions end, refreshes what is due. */
  tick(): Promise<TickReport>;
  /** True when the wall clock jumped since the last check (then backoffs are reset and `onClockJump` is told). */
  checkClock(): boolean;
  /** Resolves once no STS call is in flight, so a stop can let a refresh finish and persist what it obtained. */
  idle(): Promise<void>;
  /**
   * The session credd holds for IAM user `root`, still valid at `validAfterMs` (epoch ms), an MFA one first;
   * `credd rotate` signs its IAM calls with it.
   */
  sourceSession(root: string, validAfterMs: number): SourceSession | undefined;
  /** The AWS config in use (the last good one). */
  awsConfig(): AwsConfig;
  /** After a sign-in to (or out of) the SSO session `cacheId`: forget its profiles' credentials and failures. */
  ssoChanged(cacheId: string): void;
}

/** Wires config, sessions, the credential engine, the refresh schedule and persistence together. */
export function createCore(deps: CoreDeps): Core {
  const settings = withDefaults(deps.refresh);
  const { log } = deps;
  const persisted = deps.store.load();
  let active = persisted.activeProfile;
  let config: AwsConfig = { profiles: new Map(), defaultHasKeys: false, ssoSessions: new Map(), warnings: [] };
  let configError: string | undefined;
  let plans = new Map<string, Plan>();
  let unmatched: StoredCredentials[] = persisted.credentials ?? [];

  const persist = () => {
    try {
      deps.store.save(snapshot({ active, sessions: sessions.list(), served: engine.cached(), unmatched, lastUse: engine.lastUse(), now: deps.now() }));
    } catch (err) {
      log.error({ err: (err as Error).message }, 'could not write the state file; sessions will not survive a restart');
    }
  };

  const sessions = createSessionManager({
    sts: deps.sts,
    now: deps.now,
    endpoints: deps.endpoints,
    sessionSeconds: deps.sessionSeconds,
    minServeSeconds: settings.minServeSeconds,
    renewPlainSeconds: settings.marginSeconds + settings.jitterSeconds,
    onChange: persist,
    initial: restoreSessions(persisted),
  });

  const capWarned = new Set<string>();
  const plan = (name: string): Plan => {
    const cached = plans.get(name);
    if (cached) return cached;
    const p = resolvePlan(config, name);
    plans.set(name, p);
    warnCapped(p);
    return p;
  };
  // Real STS refuses a chained AssumeRole over an hour, so the plan asks for less: say so once per profile and value.
  const warnCapped = (p: Plan) => {
    for (const step of p.roles) {
      const key = `${step.profile}\0${step.cappedFrom}`;
      if (step.cappedFrom === undefined || capWarned.has(key)) continue;
      capWarned.add(key);
      log.warn(
        { profile: step.profile, durationSeconds: step.cappedFrom },
        `Profile "${step.profile}" asks for duration_seconds = ${step.cappedFrom}, but AWS caps a role assumed with temporary (MFA session or role) credentials at 3600 s (role chaining). credd asks for 3600 s and renews the role before it ends; lower duration_seconds to 3600 to silence this.`,
      );
    }
  };
  const safePlan = (name: string): Plan | undefined => {
    try {
      return plan(name);
    } catch {
      return undefined;
    }
  };

  const engine = createCredentialEngine({
    plan,
    sessions,
    sts: deps.sts,
    now: deps.now,
    endpoints: deps.endpoints,
    refresh: settings,
    random: deps.random,
    onObtained: persist,
    sso: deps.sso,
    onBackgroundError: (profile, err) => log.warn({ profile, code: err.code }, err.message),
  });
  for (const [name, at] of Object.entries(persisted.lastUse ?? {})) engine.noteUse(name, at);

  const loop = createRefreshLoop({
    engine,
    sessions,
    plan: safePlan,
    active: () => active,
    now: deps.now,
    monotonic: deps.monotonic,
    settings,
    log,
    notify: deps.notify,
    onClockJump: deps.onClockJump,
  });

  const reload = (): { ok: boolean; error?: string } => {
    try {
      const next = deps.loadConfig();
      const before = plans;
      config = next;
      plans = new Map();
      configError = undefined;
      // Keep credentials whose recipe did not change: no needless STS calls after an edit.
      for (const [name, p] of before) {
        if (!config.profiles.has(name) || JSON.stringify(p) !== JSON.stringify(safePlan(name))) engine.forget(name);
      }
      const matched = matchCredentials(unmatched, safePlan, deps.now());
      for (const served of matched.restored) engine.seed(served);
      unmatched = matched.unmatched;
      log.info({ profiles: config.profiles.size, restored: matched.restored.length || undefined }, 'AWS config loaded');
      return { ok: true };
    } catch (err) {
      configError = toCreddError(err).message;
      log.error(`${configError} Keeping the last good config.`);
      return { ok: false, error: configError };
    }
  };

  const target = (name?: string): string => {
    const n = name ?? active;
    if (!n) throw new NoActiveProfileError();
    if (!config.profiles.has(n)) throw new UnknownProfileError(n);
    return n;
  };

  reload();

  return {
    plan,
    activeProfile: () => active,
    credentials(name) {
      loop.checkClock();
      try {
        return engine.get(target(name));
      } catch (err) {
        return Promise.reject(err);
      }
    },
    cachedBody(name, kind = 'container') {
      loop.checkClock();
      const n = name ?? active;
      if (n === undefined || !config.profiles.has(n)) return undefined;
      const s = engine.cachedFresh(n);
      return s && (kind === 'imds' ? imdsDocument(s) : s.body);
    },
    switchTo(name) {
      const p = plan(target(name));
      active = name;
      persist();
      const needsMfa = p.mfaSerial !== undefined && !sessions.get(p.sessionKey!) && !engine.peek(name);
      if (!needsMfa) engine.get(name).catch(() => undefined);
      return { profile: name, needsMfa };
    },
    warm(name, waitMs) {
      const n = target(name);
      return warmWithin(n, engine.get(n), waitMs);
    },
    async mfa(code, profile) {
      const name = target(profile);
      const p = plan(name);
      requireMfaSerial(p);
      const session = await sessions.start(p, code);
      // Profiles served straight from this session must pick up the new one.
      for (const served of engine.cached()) {
        const sp = safePlan(served.profile);
        if (sp?.sessionKey === session.key && sp.roles.length === 0) engine.forget(served.profile);
      }
      if (active) engine.get(active).catch(() => undefined);
      deps.requestTick?.();
      return { profile: name, source: p.root, expiration: isoSeconds(session.credentials.expiration.getTime()) };
    },
    refresh: (name) => engine.refresh(target(name)),
    reload() {
      const out = reload();
      if (out.ok) persist();
      return out;
    },
    logout() {
      sessions.clear();
      engine.forget();
      unmatched = [];
      active = undefined;
      deps.store.erase();
    },
    profiles: () => describeProfiles({ config, plan: safePlan, engine, sessions, now: deps.now }),
    status: () =>
      describeStatus({
        config,
        configError,
        active,
        plan: safePlan,
        engine,
        sessions,
        now: deps.now,
        warnings: loop.warnings(),
        refresh: settings,
      }),
    region(name) {
      const n = name ?? active;
      return n ? safePlan(n)?.region : undefined;
    },
    async tick() {
      const report = await loop.tick();
      if (report.pruned.length) persist();
      return report;
    },
    checkClock: () => loop.checkClock(),
    idle: () => engine.idle(),
    sourceSession: (root, validAfterMs) => pickSourceSession(sessions.list(), root, validAfterMs),
    awsConfig: () => config,
    ssoChanged(cacheId) {
      for (const name of config.profiles.keys()) if (safePlan(name)?.sso?.cacheId === cacheId) engine.forget(name);
      persist();
      if (active && safePlan(active)?.sso?.cacheId === cacheId) engine.get(active).catch(() => undefined);
    },
  };
}
