import type { TempCredentials } from '../sts.js';
import { silenceNodeVersionWarning } from '../quiet-sdk.js';
import { mapSsoError } from './sso-errors.js';

/** A client registration with the OIDC service (reused until it expires, about 90 days). */
export interface Registration {
  clientId: string;
  clientSecret: string;
  /** Epoch ms. */
  expiresAt: number;
}

/** What the token endpoint grants. */
export interface TokenGrant {
  accessToken: string;
  /** Epoch ms. */
  expiresAt: number;
  refreshToken?: string;
}

/** A device authorization in progress. */
export interface DeviceAuthorization {
  deviceCode: string;
  userCode: string;
  verificationUri: string;
  verificationUriComplete?: string;
  /** Epoch ms. */
  expiresAt: number;
  intervalSeconds: number;
}

/** Where the calls of one session go. */
export interface SsoTarget {
  region: string;
}

/** One account or role the portal offers. */
export interface PortalAccount {
  accountId: string;
  accountName?: string;
  emailAddress?: string;
}

/** The IAM Identity Center calls credd makes; tests inject a fake with this shape. */
export interface SsoApi {
  register(
    t: SsoTarget,
    input: { clientName: string; scopes: string[]; grantTypes: string[]; redirectUris?: string[]; issuerUrl?: string },
  ): Promise<Registration>;
  startDeviceAuthorization(t: SsoTarget, reg: Registration, startUrl: string): Promise<DeviceAuthorization>;
  /** `grant` is one of the three grants; errors carry the OIDC `error` (authorization_pending, slow_down, invalid_grant…) as their code. */
  createToken(
    t: SsoTarget,
    reg: Registration,
    grant:
      | { grantType: 'device_code'; deviceCode: string }
      | { grantType: 'authorization_code'; code: string; codeVerifier: string; redirectUri: string }
      | { grantType: 'refresh_token'; refreshToken: string },
  ): Promise<TokenGrant>;
  roleCredentials(t: SsoTarget, accessToken: string, accountId: string, roleName: string): Promise<TempCredentials>;
  listAccounts(t: SsoTarget, accessToken: string): Promise<PortalAccount[]>;
  listRoles(t: SsoTarget, accessToken: string, accountId: string): Promise<string[]>;
  logout(t: SsoTarget, accessToken: string): Promise<void>;
}

/** Endpoint overrides (`AWS_ENDPOINT_URL_SSO_OIDC`, `AWS_ENDPOINT_URL_SSO`, `AWS_ENDPOINT_URL`), read by the entry. */
export interface SsoEndpoints {
  oidc?: string;
  portal?: string;
}

const GRANT_TYPES = {
  device_code: 'urn:ietf:params:oauth:grant-type:device_code',
  authorization_code: 'authorization_code',
  refresh_token: 'refresh_token',
} as const;

type Oidc = typeof import('@aws-sdk/client-sso-oidc');
type Portal = typeof import('@aws-sdk/client-sso');
let oidcSdk: Promise<Oidc> | undefined;
let portalSdk: Promise<Portal> | undefined;

/** Builds the real client over @aws-sdk/client-sso-oidc and @aws-sdk/client-sso, loaded on first use. `now` dates the grants. */
export function createSsoApi(endpoints: SsoEndpoints = {}, now: () => number = Date.now): SsoApi {
  const requestHandler = { connectionTimeout: 3000, requestTimeout: 10000, throwOnRequestTimeout: true };
  const oidc = async (t: SsoTarget) => {
    silenceNodeVersionWarning();
    oidcSdk ??= import('@aws-sdk/client-sso-oidc');
    const m = await oidcSdk;
    return { m, c: new m.SSOOIDCClient({ region: t.region, endpoint: endpoints.oidc, maxAttempts: 2, requestHandler }) };
  };
  const portal = async (t: SsoTarget) => {
    silenceNodeVersionWarning();
    portalSdk ??= import('@aws-sdk/client-sso');
    const m = await portalSdk;
    return { m, c: new m.SSOClient({ region: t.region, endpoint: endpoints.portal, maxAttempts: 2, requestHandler }) };
  };
  const call = async <T>(what: string, run: () => Promise<T>, destroy: () => void): Promise<T> => {
    try {
      return await run();
    } catch (err) {
      throw mapSsoError(err, what);
    } finally {
      destroy();
    }
  };
  return {
    async register(t, input) {
      const { m, c } = await oidc(t);
      const out = await call(
        'RegisterClient',
        () => c.send(new m.RegisterClientCommand({ clientType: 'public', ...input })),
        () => c.destroy(),
      );
      return { clientId: out.clientId!, clientSecret: out.clientSecret!, expiresAt: (out.clientSecretExpiresAt ?? 0) * 1000 };
    },
    async startDeviceAuthorization(t, reg, startUrl) {
      const { m, c } = await oidc(t);
      const out = await call(
        'StartDeviceAuthorization',
        () => c.send(new m.StartDeviceAuthorizationCommand({ clientId: reg.clientId, clientSecret: reg.clientSecret, startUrl })),
        () => c.destroy(),
      );
      return {
        deviceCode: out.deviceCode!,
        userCode: out.userCode!,
        verificationUri: out.verificationUri!,
        ...(out.verificationUriComplete ? { verificationUriComplete: out.verificationUriComplete } : {}),
        expiresAt: now() + (out.expiresIn ?? 600) * 1000,
        intervalSeconds: out.interval ?? 5,
      };
    },
    async createToken(t, reg, grant) {
      const { m, c } = await oidc(t);
      const { grantType, ...rest } = grant;
      const out = await call(
        'CreateToken',
        () => c.send(new m.CreateTokenCommand({ clientId: reg.clientId, clientSecret: reg.clientSecret, grantType: GRANT_TYPES[grantType], ...rest })),
        () => c.destroy(),
      );
      return {
        accessToken: out.accessToken!,
        expiresAt: now() + (out.expiresIn ?? 3600) * 1000,
        ...(out.refreshToken ? { refreshToken: out.refreshToken } : {}),
      };
    },
    async roleCredentials(t, accessToken, accountId, roleName) {
      const { m, c } = await portal(t);
      const out = await call(
        `the role ${roleName} in account ${accountId}`,
        () => c.send(new m.GetRoleCredentialsCommand({ accessToken, accountId, roleName })),
        () => c.destroy(),
      );
      const r = out.roleCredentials;
      if (!r?.accessKeyId || !r.secretAccessKey || !r.sessionToken || !r.expiration)
        throw mapSsoError(new Error('no credentials in the answer'), 'GetRoleCredentials');
      return { accessKeyId: r.accessKeyId, secretAccessKey: r.secretAccessKey, sessionToken: r.sessionToken, expiration: new Date(r.expiration) };
    },
    async listAccounts(t, accessToken) {
      const { m, c } = await portal(t);
      const all: PortalAccount[] = [];
      let nextToken: string | undefined;
      await call(
        'ListAccounts',
        async () => {
          do {
            const out = await c.send(new m.ListAccountsCommand({ accessToken, nextToken }));
            for (const a of out.accountList ?? [])
              all.push({
                accountId: a.accountId!,
                ...(a.accountName ? { accountName: a.accountName } : {}),
                ...(a.emailAddress ? { emailAddress: a.emailAddress } : {}),
              });
            nextToken = out.nextToken;
          } while (nextToken);
        },
        () => c.destroy(),
      );
      return all;
    },
    async listRoles(t, accessToken, accountId) {
      const { m, c } = await portal(t);
      const all: string[] = [];
      let nextToken: string | undefined;
      await call(
        'ListAccountRoles',
        async () => {
          do {
            const out = await c.send(new m.ListAccountRolesCommand({ accessToken, accountId, nextToken }));
            for (const r of out.roleList ?? []) if (r.roleName) all.push(r.roleName);
            nextToken = out.nextToken;
          } while (nextToken);
        },
        () => c.destroy(),
      );
      return all;
    },
    async logout(t, accessToken) {
      const { m, c } = await portal(t);
      await call(
        'Logout',
        () => c.send(new m.LogoutCommand({ accessToken })),
        () => c.destroy(),
      );
    },
  };
}
