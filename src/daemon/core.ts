import { BadRequestError, NoActiveProfileError, toCreddError, UnknownProfileError } from '../errors.js';
import type { AwsConfig } from '../aws/config.js';
import type { EnvEndpoints } from '../aws/endpoints.js';
import { resolvePlan, type Plan } from '../aws/resolve-plan.js';
import type { Sts } from '../aws/sts.js';
import { createCredentialEngine, type CredentialEngine } from '../engine/credential-engine.js';
import type { RefreshSettings } from '../engine/refresh-policy.js';
import { isoSeconds, type Served } from '../engine/served.js';
import { createSessionManager, type SessionManager, type SourceSession } from '../engine/sessions.js';
import type { PersistedState, StateStore } from '../state/store.js';
import type { Logger } from '../log.js';
import { describeProfiles, describeStatus, type ProfileInfo, type StatusInfo } from './describe.js';

export interface CoreDeps {
  loadConfig(): AwsConfig;
  sts: Sts;
  store: StateStore;
  now(): number;
  endpoints: EnvEndpoints;
  refresh: RefreshSettings;
  sessionSeconds: number;
  log: Logger;
}

/** Everything the daemon does, behind the HTTP endpoint and the control socket. */
export interface Core {
  credentials(name?: string): Promise<Served>;
  activeProfile(): string | undefined;
  switchTo(name: string): { profile: string; needsMfa: boolean };
  mfa(code: string, profile?: string): Promise<{ profile: string; source: string; expiration: string }>;
  refresh(name?: string): Promise<Served>;
  reload(): { ok: boolean; error?: string };
  logout(): void;
  profiles(): ProfileInfo[];
  status(): StatusInfo;
  plan(name: string): Plan;
  /** The region the active (or named) profile uses, if any. */
  region(name?: string): string | undefined;
  engine: CredentialEngine;
  sessions: SessionManager;
}

function restoreSessions(state: PersistedState): SourceSession[] {
  return state.sessions.map((s) => {
    const session: SourceSession = {
      key: s.key,
      root: s.root,
      credentials: { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey, sessionToken: s.sessionToken, expiration: new Date(s.expiration) },
    };
    if (s.mfaSerial) session.mfaSerial = s.mfaSerial;
    return session;
  });
}

/** Wires config, sessions, the credential engine and persistence together. */
export function createCore(deps: CoreDeps): Core {
  const persisted = deps.store.load();
  let active = persisted.activeProfile;
  let config: AwsConfig = { profiles: new Map(), defaultHasKeys: false };
  let configError: string | undefined;
  let plans = new Map<string, Plan>();

  const persist = () => {
    const state: PersistedState = {
      version: 1,
      sessions: sessions.list().map((s) => ({
        key: s.key,
        root: s.root,
        ...(s.mfaSerial ? { mfaSerial: s.mfaSerial } : {}),
        accessKeyId: s.credentials.accessKeyId,
        secretAccessKey: s.credentials.secretAccessKey,
        sessionToken: s.credentials.sessionToken,
        expiration: s.credentials.expiration.toISOString(),
      })),
    };
    if (active) state.activeProfile = active;
    try {
      deps.store.save(state);
    } catch (err) {
      deps.log.error({ err: (err as Error).message }, 'could not write the state file; sessions will not survive a restart');
    }
  };

  const sessions = createSessionManager({
    sts: deps.sts,
    now: deps.now,
    endpoints: deps.endpoints,
    sessionSeconds: deps.sessionSeconds,
    minServeSeconds: deps.refresh.minServeSeconds,
    onChange: persist,
    initial: restoreSessions(persisted),
  });

  const plan = (name: string): Plan => {
    const cached = plans.get(name);
    if (cached) return cached;
    const p = resolvePlan(config, name);
    plans.set(name, p);
    return p;
  };

  const engine = createCredentialEngine({
    plan,
    sessions,
    sts: deps.sts,
    now: deps.now,
    endpoints: deps.endpoints,
    refresh: deps.refresh,
    onBackgroundError: (profile, err) => deps.log.warn({ profile, code: err.code }, err.message),
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
      deps.log.info({ profiles: config.profiles.size }, 'AWS config loaded');
      return { ok: true };
    } catch (err) {
      configError = toCreddError(err).message;
      deps.log.error(configError + ' Keeping the last good config.');
      return { ok: false, error: configError };
    }
  };
  const safePlan = (name: string): Plan | undefined => {
    try {
      return plan(name);
    } catch {
      return undefined;
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
    engine,
    sessions,
    plan,
    activeProfile: () => active,
    credentials: (name) => engine.get(target(name)),
    switchTo(name) {
      const p = plan(target(name));
      active = name;
      persist();
      const needsMfa = p.mfaSerial !== undefined && !sessions.get(p.sessionKey!) && !engine.peek(name);
      if (!needsMfa) engine.get(name).catch(() => undefined);
      return { profile: name, needsMfa };
    },
    async mfa(code, profile) {
      const name = target(profile);
      const p = plan(name);
      if (!p.mfaSerial) throw new BadRequestError(`Profile "${name}" needs no MFA code (no mfa_serial in its chain).`);
      const session = await sessions.start(p, code);
      // Profiles served straight from this session must pick up the new one.
      for (const served of engine.cached()) {
        const sp = safePlan(served.profile);
        if (sp?.sessionKey === session.key && sp.roles.length === 0) engine.forget(served.profile);
      }
      if (active) engine.get(active).catch(() => undefined);
      return { profile: name, source: p.root, expiration: isoSeconds(session.credentials.expiration.getTime()) };
    },
    refresh: (name) => engine.refresh(target(name)),
    reload,
    logout() {
      sessions.clear();
      engine.forget();
      active = undefined;
      deps.store.erase();
    },
    profiles: () => describeProfiles({ config, plan: safePlan, engine, sessions, now: deps.now }),
    status: () => describeStatus({ config, configError, active, plan: safePlan, engine, sessions, now: deps.now }),
    region(name) {
      const n = name ?? active;
      return n ? safePlan(n)?.region : undefined;
    },
  };
}
