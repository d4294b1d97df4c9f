import { readFileSync } from 'node:fs';
import { OidcError, toCreddError, type CreddError } from '../errors.js';
import type { SsoSession } from '../aws/resolve-plan.js';
import type { DeviceAuthorization, Registration, SsoApi } from '../aws/sso/sso-api.js';
import { listenForCallback } from '../aws/sso/loopback-callback.js';
import { authorizeUrl, createPkce } from '../aws/sso/pkce.js';
import type { CachedToken } from '../aws/sso/token-cache.js';
import { isoSeconds } from '../engine/served.js';
import type { SsoTokens } from '../engine/sso-tokens.js';
import { writeFileAtomic } from '../state/secure-fs.js';

import type { LoginMode, LoginStarted } from '../control/contract.js';

export type { LoginMode, LoginStarted };

export interface SsoLoginDeps {
  api: SsoApi;
  tokens: SsoTokens;
  now(): number;
  /** Where client registrations are kept between sign-ins (0600, credd's state dir). */
  registrationsFile: string;
  /** The OIDC base URL of a region (the endpoint override, else the regional one). */
  oidcBase(region: string): string;
  /** Told after a sign-in stored its token. */
  onSignedIn(src: SsoSession): void;
  /** Longest wait for the user (default 10 min). */
  timeoutMs?: number;
  sleep?(ms: number): Promise<void>;
}

/** Runs sign-ins, at most one per session however many callers ask. */
export interface SsoLogin {
  start(src: SsoSession, mode: LoginMode): Promise<LoginStarted>;
  /** Waits up to `ms` for the sign-in of `cacheId`: done, still pending, or its failure (thrown). */
  wait(cacheId: string, ms: number): Promise<{ done: boolean }>;
  /** The device authorizations started so far (a number for tests and status). */
  inProgress(): string[];
}

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
/** Registrations last about 90 days; one expiring within a day is not reused. */
const REUSE_MARGIN_MS = 24 * 3600_000;

/** Creates the sign-in runner. */
export function createSsoLogin(deps: SsoLoginDeps): SsoLogin {
  const running = new Map<string, { info: LoginStarted; done: Promise<void>; error?: CreddError; finished: boolean }>();
  const starting = new Map<string, Promise<LoginStarted>>();
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const timeoutMs = deps.timeoutMs ?? 600_000;

  const registrations = (): Record<string, Registration> => {
    try {
      return JSON.parse(readFileSync(deps.registrationsFile, 'utf8')) as Record<string, Registration>;
    } catch {
      return {};
    }
  };
  const registration = async (src: SsoSession, mode: LoginMode, scopes: string[]): Promise<Registration> => {
    const key = `${src.cacheId}|${src.region}|${mode}|${scopes.join(' ')}`;
    const known = registrations()[key];
    if (known && known.expiresAt - deps.now() > REUSE_MARGIN_MS) return known;
    const reg = await deps.api.register(
      { region: src.region },
      {
        clientName: `credd-${src.loginName}`.replace(/[^\w.-]/g, '-').slice(0, 64),
        scopes,
        grantTypes: mode === 'pkce' ? ['authorization_code', 'refresh_token'] : [DEVICE_GRANT, 'refresh_token'],
        ...(mode === 'pkce' ? { redirectUris: ['http://127.0.0.1/oauth/callback'], issuerUrl: src.startUrl } : {}),
      },
    );
    writeFileAtomic(deps.registrationsFile, JSON.stringify({ ...registrations(), [key]: reg }));
    return reg;
  };
  const save = (src: SsoSession, reg: Registration, grant: { accessToken: string; expiresAt: number; refreshToken?: string }) => {
    const token: CachedToken = {
      startUrl: src.startUrl,
      region: src.region,
      accessToken: grant.accessToken,
      expiresAt: grant.expiresAt,
      clientId: reg.clientId,
      clientSecret: reg.clientSecret,
      registrationExpiresAt: reg.expiresAt,
    };
    if (grant.refreshToken) token.refreshToken = grant.refreshToken;
    deps.tokens.store(src, token);
    deps.onSignedIn(src);
  };

  const poll = async (src: SsoSession, reg: Registration, auth: DeviceAuthorization): Promise<void> => {
    let interval = Math.max(1, auth.intervalSeconds);
    for (;;) {
      await sleep(interval * 1000);
      if (deps.now() > auth.expiresAt)
        throw new OidcError('expired_token', 'The device code expired before it was confirmed: run `credd login --device-code` again.');
      try {
        return save(src, reg, await deps.api.createToken({ region: src.region }, reg, { grantType: 'device_code', deviceCode: auth.deviceCode }));
      } catch (err) {
        if (err instanceof OidcError && err.error === 'authorization_pending') continue;
        if (err instanceof OidcError && err.error === 'slow_down') {
          interval += 5;
          continue;
        }
        throw err;
      }
    }
  };

  const begin = async (src: SsoSession, mode: LoginMode): Promise<{ info: LoginStarted; finish: Promise<void> }> => {
    const scopes = src.scopes.includes('sso:account:access') ? src.scopes : [...src.scopes, 'sso:account:access'];
    const reg = await registration(src, mode, scopes);
    const expiresAt = isoSeconds(deps.now() + timeoutMs);
    if (mode === 'device') {
      const auth = await deps.api.startDeviceAuthorization({ region: src.region }, reg, src.startUrl);
      const info: LoginStarted = {
        session: src.loginName,
        mode,
        url: auth.verificationUri,
        userCode: auth.userCode,
        joined: false,
        expiresAt: isoSeconds(auth.expiresAt),
      };
      return { info, finish: poll(src, reg, auth) };
    }
    const pkce = createPkce();
    const callback = await listenForCallback(pkce.state, timeoutMs);
    const url = authorizeUrl(deps.oidcBase(src.region), { clientId: reg.clientId, redirectUri: callback.redirectUri, scopes, pkce });
    const finish = callback.code.then(async (code) =>
      save(
        src,
        reg,
        await deps.api.createToken({ region: src.region }, reg, {
          grantType: 'authorization_code',
          code,
          codeVerifier: pkce.verifier,
          redirectUri: callback.redirectUri,
        }),
      ),
    );
    return { info: { session: src.loginName, mode, url, joined: false, expiresAt }, finish };
  };

  return {
    async start(src, mode) {
      const current = running.get(src.cacheId);
      if (current && !current.finished) return { ...current.info, joined: true };
      // Callers arriving while the first one registers join it: never a second authorization.
      const pending = starting.get(src.cacheId);
      if (pending) return { ...(await pending), joined: true };
      const p = begin(src, mode).then(({ info, finish }) => {
        const entry = { info, finished: false, error: undefined as CreddError | undefined, done: Promise.resolve() };
        entry.done = finish
          .then(
            () => undefined,
            (err: unknown) => {
              entry.error = toCreddError(err);
            },
          )
          .finally(() => {
            entry.finished = true;
          });
        running.set(src.cacheId, entry);
        return info;
      });
      starting.set(src.cacheId, p);
      try {
        return await p;
      } finally {
        starting.delete(src.cacheId);
      }
    },
    async wait(cacheId, ms) {
      const entry = running.get(cacheId);
      if (!entry) return { done: true };
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([entry.done, new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
      clearTimeout(timer);
      if (!entry.finished) return { done: false };
      if (entry.error) throw entry.error;
      return { done: true };
    },
    inProgress: () => [...running].filter(([, e]) => !e.finished).map(([k]) => k),
  };
}
