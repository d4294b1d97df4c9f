import { BadRequestError, toCreddError } from '../errors.js';
import type { AwsConfig } from '../aws/config.js';
import type { Plan, SsoSession } from '../aws/resolve-plan.js';
import type { SsoApi } from '../aws/sso/sso-api.js';
import { removeCachedToken } from '../aws/sso/token-cache.js';
import { isoSeconds } from '../engine/served.js';
import { ssoPhase } from '../engine/sso-policy.js';
import type { SsoTokens } from '../engine/sso-tokens.js';
import type { LoginMode, LoginStarted, SsoAccountRoles, SsoSessionStatus } from '../control/contract.js';
import type { SsoLogin } from './sso-login.js';

export type { SsoSessionStatus };

export interface SsoServiceDeps {
  config(): AwsConfig;
  plan(name: string): Plan;
  active(): string | undefined;
  tokens: SsoTokens;
  login: SsoLogin;
  api: SsoApi;
  now(): number;
  /** Warn this long before a session that cannot be refreshed ends (ms). */
  warnMs: number;
  /** After a sign-in or sign-out: forget the session's served credentials. */
  changed(cacheId: string): void;
  notify?(title: string, message: string): void;
  log(level: 'info' | 'warn', message: string): void;
}

/** The IAM Identity Center side of the daemon: sign-in, sign-out, discovery, status and the background token refresh. */
export interface SsoService {
  /** The session a name stands for: an `[sso-session]`, an SSO (or chained) profile; none: the active profile's, or the only one. */
  session(name?: string): SsoSession;
  sessions(): SsoSession[];
  login(name: string | undefined, mode: LoginMode): Promise<LoginStarted & { cacheId: string }>;
  wait(name: string, ms: number): Promise<{ done: boolean }>;
  logout(name?: string): Promise<string[]>;
  roles(name?: string): Promise<SsoAccountRoles[]>;
  status(): SsoSessionStatus[];
  tick(): Promise<void>;
}

/** Creates the service. */
export function createSsoService(deps: SsoServiceDeps): SsoService {
  const warned = new Set<string>();
  const sessions = (): SsoSession[] => {
    const out = new Map<string, SsoSession>();
    for (const s of deps.config().ssoSessions.values()) {
      if (s.startUrl && s.region)
        out.set(s.name, { cacheId: s.name, loginName: s.name, legacy: false, startUrl: s.startUrl, region: s.region, scopes: s.scopes });
    }
    for (const p of deps.config().profiles.values()) {
      if (p.ssoSession === undefined && p.ssoStartUrl && p.ssoRegion && !out.has(p.ssoStartUrl)) {
        out.set(p.ssoStartUrl, { cacheId: p.ssoStartUrl, loginName: p.name, legacy: true, startUrl: p.ssoStartUrl, region: p.ssoRegion, scopes: [] });
      }
    }
    return [...out.values()];
  };
  const fromProfile = (name: string): SsoSession | undefined => {
    const sso = deps.plan(name).sso;
    if (!sso) return undefined;
    const { accountId: _a, roleName: _r, ...session } = sso;
    return session;
  };
  const session = (name?: string): SsoSession => {
    const all = sessions();
    const list = all.map((s) => s.loginName).join(', ') || 'none';
    if (name !== undefined) {
      const s = all.find((x) => x.loginName === name || x.cacheId === name) ?? (deps.config().profiles.has(name) ? fromProfile(name) : undefined);
      if (!s) throw new BadRequestError(`"${name}" is neither an [sso-session] nor an IAM Identity Center profile in your AWS config (sessions: ${list}).`);
      return s;
    }
    const active = deps.active();
    const fromActive = active
      ? (() => {
          try {
            return fromProfile(active);
          } catch {
            return undefined;
          }
        })()
      : undefined;
    if (fromActive) return fromActive;
    if (all.length === 1) return all[0]!;
    throw new BadRequestError(
      all.length ? `Name the session: credd login SESSION (sessions: ${list}).` : 'Your AWS config has no [sso-session] section: see docs/sso.md.',
    );
  };

  const status = (s: SsoSession): SsoSessionStatus => {
    const st = deps.tokens.state(s);
    const token = deps.tokens.peek(s);
    const phase = ssoPhase(token, deps.now(), deps.warnMs, st.ended);
    const out: SsoSessionStatus = {
      session: s.loginName,
      startUrl: s.startUrl,
      region: s.region,
      legacy: s.legacy,
      state: !token ? 'signed-out' : phase === 'ended' ? 'ended' : phase === 'warning' ? 'ending' : 'signed-in',
      refreshToken: st.hasRefreshToken,
    };
    if (st.accessExpiresAt !== undefined) out.accessTokenExpires = isoSeconds(st.accessExpiresAt);
    if (st.registrationExpiresAt !== undefined) out.registrationExpires = isoSeconds(st.registrationExpiresAt);
    if (phase === 'warning')
      out.warning = `IAM Identity Center session "${s.loginName}" ends at ${out.accessTokenExpires} and cannot be refreshed: run \`credd login ${s.loginName}\`.`;
    return out;
  };

  return {
    session,
    sessions,
    async login(name, mode) {
      const s = session(name);
      return { ...(await deps.login.start(s, mode)), cacheId: s.cacheId };
    },
    wait: (name, ms) => deps.login.wait(session(name).cacheId, ms),
    async logout(name) {
      const targets = name === undefined ? sessions() : [session(name)];
      const done: string[] = [];
      for (const s of targets) {
        const t = deps.tokens.peek(s);
        if (t) {
          // As `aws sso logout`: tell the portal, then drop the file whatever it said.
          await deps.api
            .logout({ region: s.region }, t.accessToken)
            .catch((err: unknown) => deps.log('warn', `the portal did not confirm the sign-out of "${s.loginName}": ${toCreddError(err).message}`));
          done.push(s.loginName);
        }
        removeCachedToken(deps.tokens.file(s));
        deps.changed(s.cacheId);
      }
      return done;
    },
    async roles(name) {
      const s = session(name);
      const token = await deps.tokens.accessToken(s);
      const accounts = await deps.api.listAccounts({ region: s.region }, token);
      const out = [];
      for (const a of accounts.sort((x, y) => x.accountId.localeCompare(y.accountId))) {
        out.push({ ...a, roles: (await deps.api.listRoles({ region: s.region }, token, a.accountId)).sort() });
      }
      return out;
    },
    status: () => sessions().map(status),
    async tick() {
      const all = sessions();
      await deps.tokens.refreshDue(all);
      for (const s of all) {
        const st = status(s);
        const key = `${s.cacheId}|${st.accessTokenExpires}`;
        if (st.warning && !warned.has(key)) {
          warned.add(key);
          deps.log('warn', st.warning);
          deps.notify?.('credd: IAM Identity Center session ends soon', st.warning);
        }
      }
    },
  };
}
