import { LoginRequiredError, OidcError, toCreddError, type CreddError } from '../errors.js';
import type { SsoSession, SsoSource } from '../aws/resolve-plan.js';
import type { SsoApi } from '../aws/sso/sso-api.js';
import type { TempCredentials } from '../aws/sts.js';
import { readCachedToken, tokenCacheFile, writeCachedToken, type CachedToken } from '../aws/sso/token-cache.js';
import { ssoTokenDue as due } from './sso-policy.js';
import { createSingleFlight } from './single-flight.js';

export interface SsoTokensDeps {
  api: SsoApi;
  /** `~/.aws/sso/cache` */
  cacheDir: string;
  now(): number;
  /** Refresh the access token when less than this is left (default 10 min). */
  marginMs?: number;
  /** Told after a refresh failed in the background, or a session ended. */
  onEvent?(session: string, level: 'info' | 'warn', message: string): void;
}

/** What `credd status` shows of one session (times in epoch ms). */
export interface SsoTokenState {
  cacheId: string;
  startUrl: string;
  accessExpiresAt?: number;
  hasRefreshToken: boolean;
  registrationExpiresAt?: number;
  /** Set when the last refresh found the session over. */
  ended?: string;
}

/**
 * The IAM Identity Center tokens, kept in the shared cache files (`~/.aws/sso/cache`), never
 * in credd's own state: the file is read on every use, so a sign-in by the AWS CLI counts at once,
 * and written back after every refresh. One refresh per session at a time; `invalid_grant` re-reads
 * the file first, since another program may have refreshed (and so rotated the refresh token).
 */
export interface SsoTokens {
  /** A valid access token for the session, refreshed first when due; LoginRequired when none can be had. */
  accessToken(src: SsoSession): Promise<string>;
  /** The role credentials of `src` (one portal call); a 401 refreshes the token once and retries. */
  roleCredentials(src: SsoSource): Promise<TempCredentials>;
  /** Stores a new sign-in (from `credd login`) in the cache file. */
  store(src: Pick<SsoSource, 'cacheId' | 'startUrl' | 'region'>, token: CachedToken): void;
  /** The cached token as it stands, without refreshing. */
  peek(src: Pick<SsoSource, 'cacheId'>): CachedToken | undefined;
  /** Refreshes, in the background, the access tokens of the given sessions that are due. */
  refreshDue(sessions: SsoSession[]): Promise<void>;
  state(src: Pick<SsoSource, 'cacheId' | 'startUrl'>): SsoTokenState;
  file(src: Pick<SsoSource, 'cacheId'>): string;
}

/** Creates the token keeper. */
export function createSsoTokens(deps: SsoTokensDeps): SsoTokens {
  const flight = createSingleFlight<CachedToken>();
  /** Why a session ended, and the access token it had then (a new sign-in elsewhere lifts it). */
  const ended = new Map<string, { why: string; token: string }>();
  const lastTry = new Map<string, number>();
  const file = (src: Pick<SsoSource, 'cacheId'>) => tokenCacheFile(deps.cacheDir, src.cacheId);
  const ssoTokenDue = (t: CachedToken, now: number) => due(t, now, deps.marginMs);
  const usable = (t: CachedToken | undefined) => t !== undefined && t.expiresAt - deps.now() > 60_000;

  const refresh = (src: SsoSession, used: CachedToken): Promise<CachedToken> =>
    flight.run(src.cacheId, async () => {
      // Another caller (or program) may have refreshed while this one waited.
      const current = readCachedToken(file(src));
      if (current && current.accessToken !== used.accessToken && !ssoTokenDue(current, deps.now())) return current;
      const t = current ?? used;
      if (!t.refreshToken || !t.clientId || !t.clientSecret) {
        if (usable(t)) return t;
        throw new LoginRequiredError(src.loginName, src.legacy ? 'has expired (a legacy profile without sso_session gets no refresh token)' : 'has expired');
      }
      lastTry.set(src.cacheId, deps.now());
      try {
        const grant = await deps.api.createToken(
          { region: src.region },
          { clientId: t.clientId, clientSecret: t.clientSecret, expiresAt: t.registrationExpiresAt ?? 0 },
          { grantType: 'refresh_token', refreshToken: t.refreshToken },
        );
        const next: CachedToken = { ...t, accessToken: grant.accessToken, expiresAt: grant.expiresAt, refreshToken: grant.refreshToken ?? t.refreshToken };
        writeCachedToken(file(src), next);
        ended.delete(src.cacheId);
        return next;
      } catch (err) {
        if (err instanceof OidcError && (err.error === 'invalid_grant' || err.error === 'invalid_client' || err.error === 'expired_token')) {
          const again = readCachedToken(file(src));
          if (again && again.accessToken !== t.accessToken && usable(again)) return again;
          const why = err.error === 'invalid_client' ? 'has ended (its client registration expired)' : 'has ended';
          ended.set(src.cacheId, { why, token: t.accessToken });
          deps.onEvent?.(src.loginName, 'warn', `IAM Identity Center session "${src.loginName}" ${why}: run \`credd login ${src.loginName}\`.`);
          throw new LoginRequiredError(src.loginName, why);
        }
        // Transient trouble: the current token serves while it lasts.
        if (usable(t)) return t;
        throw err;
      }
    });

  const token = async (src: SsoSession, force = false): Promise<CachedToken> => {
    const t = readCachedToken(file(src));
    if (!t) throw new LoginRequiredError(src.loginName);
    if (!force && !ssoTokenDue(t, deps.now())) return t;
    return refresh(src, t);
  };

  return {
    file,
    accessToken: async (src) => (await token(src)).accessToken,
    async roleCredentials(src) {
      const t = await token(src);
      try {
        return await deps.api.roleCredentials({ region: src.region }, t.accessToken, src.accountId, src.roleName);
      } catch (err) {
        if (!(err instanceof OidcError && err.error === 'unauthorized')) throw err;
        // Revoked or expired early: refresh once; if that gives nothing new, the session is over.
        const fresh = await refresh(src, { ...t, expiresAt: 0 }).catch((e: CreddError) => Promise.reject(e.code === 'LoginRequired' ? e : toCreddError(e)));
        if (fresh.accessToken === t.accessToken) throw new LoginRequiredError(src.loginName, 'was signed out (the portal refused its token)');
        return await deps.api.roleCredentials({ region: src.region }, fresh.accessToken, src.accountId, src.roleName).catch((e: unknown) => {
          throw e instanceof OidcError && e.error === 'unauthorized'
            ? new LoginRequiredError(src.loginName, 'was signed out (the portal refused its token)')
            : e;
        });
      }
    },
    store(src, t) {
      writeCachedToken(file(src), { ...t, startUrl: src.startUrl, region: src.region });
      ended.delete(src.cacheId);
    },
    peek: (src) => readCachedToken(file(src)),
    async refreshDue(sessions) {
      for (const src of sessions) {
        const t = readCachedToken(file(src));
        const tried = lastTry.get(src.cacheId) ?? -Infinity;
        // At most one attempt per 30 s per session, as the SDKs do.
        if (!t?.refreshToken || !ssoTokenDue(t, deps.now()) || deps.now() - tried < 30_000 || ended.get(src.cacheId)?.token === t.accessToken) continue;
        await refresh(src, t).catch((err: CreddError) => {
          if (err.code !== 'LoginRequired')
            deps.onEvent?.(src.loginName, 'warn', `could not refresh the IAM Identity Center token of "${src.loginName}": ${err.message}`);
        });
      }
    },
    state(src) {
      const t = readCachedToken(file(src));
      const out: SsoTokenState = { cacheId: src.cacheId, startUrl: src.startUrl, hasRefreshToken: Boolean(t?.refreshToken) };
      if (t) out.accessExpiresAt = t.expiresAt;
      if (t?.registrationExpiresAt !== undefined) out.registrationExpiresAt = t.registrationExpiresAt;
      const e = ended.get(src.cacheId);
      if (e && e.token === t?.accessToken) out.ended = e.why;
      return out;
    },
  };
}
