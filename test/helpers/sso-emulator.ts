/**
 * A loopback emulator of IAM Identity Center (no such thing exists in moto): the OIDC service
 * (register, device authorization, the authorize redirect with real PKCE verification, the three
 * token grants) and the portal (role credentials, accounts, roles, logout), speaking the JSON the
 * AWS SDKs and botocore expect (errors carry `x-amzn-errortype` and `{error, error_description}`).
 * Both services live on one port: point AWS_ENDPOINT_URL_SSO_OIDC and AWS_ENDPOINT_URL_SSO at `url`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Role credentials as the portal hands them out (expiration in epoch ms). */
export interface EmuCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: number;
}

export interface SsoEmulatorOptions {
  /** account → role names assigned to the signed-in user. */
  accounts: Record<string, string[]>;
  /** Real credentials for a role (moto AssumeRole); fake ones when unset. */
  assume?(accountId: string, roleName: string): Promise<EmuCredentials>;
  now?(): number;
}

/** The knobs a test turns; counters it reads. */
export interface SsoEmulator {
  url: string;
  knobs: {
    accessTokenSeconds: number;
    /** How long a session (its refresh token) lasts after sign-in; invalid_grant after. */
    sessionSeconds: number;
    registrationSeconds: number;
    /** Cap on role credentials' lifetime (s); undefined keeps what `assume` gave. */
    roleSeconds?: number;
    /** The next device-code polls answer authorization_pending, then slow_down, this many times. */
    pendingPolls: number;
    slowDownPolls: number;
    /** The next refresh_token grants answer invalid_grant this many times. */
    invalidGrants: number;
    /** The next portal calls answer 401 this many times. */
    portal401: number;
    /** Device authorizations are approved at once (else `approveDevices()`). */
    autoApprove: boolean;
    /** Rotate the refresh token on every refresh (as some IdPs do). */
    rotateRefresh: boolean;
  };
  counts: { register: number; deviceAuthorization: number; authorize: number; token: Record<string, number>; roleCredentials: number; logout: number };
  /** Requests in order: `METHOD path grant?` */
  log: string[];
  approveDevices(): void;
  /** Ends every session now: refreshes give invalid_grant, the portal 401. */
  revokeAll(): void;
  close(): Promise<void>;
}

const ERRTYPE: Record<string, string> = {
  authorization_pending: 'AuthorizationPendingException',
  slow_down: 'SlowDownException',
  invalid_grant: 'InvalidGrantException',
  invalid_client: 'InvalidClientException',
  expired_token: 'ExpiredTokenException',
  invalid_request: 'InvalidRequestException',
};
const b64url = (b: Buffer) => b.toString('base64url');
const id = (prefix: string) => `${prefix}${randomBytes(12).toString('hex')}`;

/** Starts the emulator on 127.0.0.1 (an ephemeral port). */
export async function startSsoEmulator(opts: SsoEmulatorOptions): Promise<SsoEmulator> {
  const now = opts.now ?? Date.now;
  const clients = new Map<string, { secret: string; expiresAt: number; scopes: string[]; redirectUris: string[] }>();
  const devices = new Map<string, { clientId: string; approved: boolean; expiresAt: number; userCode: string }>();
  const codes = new Map<string, { clientId: string; challenge: string; redirectUri: string; scopes: string[] }>();
  const access = new Map<string, { expiresAt: number; revoked: boolean }>();
  const refresh = new Map<string, { clientId: string; sessionEndsAt: number; revoked: boolean }>();
  const emu: SsoEmulator = {
    url: '',
    knobs: {
      accessTokenSeconds: 3600,
      sessionSeconds: 8 * 3600,
      registrationSeconds: 90 * 86400,
      pendingPolls: 0,
      slowDownPolls: 0,
      invalidGrants: 0,
      portal401: 0,
      autoApprove: true,
      rotateRefresh: true,
    },
    counts: { register: 0, deviceAuthorization: 0, authorize: 0, token: {}, roleCredentials: 0, logout: 0 },
    log: [],
    approveDevices: () => {
      for (const d of devices.values()) d.approved = true;
    },
    revokeAll() {
      for (const a of access.values()) a.revoked = true;
      for (const r of refresh.values()) r.revoked = true;
    },
    close: () =>
      new Promise((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
  const k = emu.knobs;

  const json = (res: ServerResponse, status: number, body: unknown, errType?: string) => {
    res.writeHead(status, { 'content-type': 'application/json', ...(errType ? { 'x-amzn-errortype': errType } : {}) });
    res.end(JSON.stringify(body));
  };
  const oauthError = (res: ServerResponse, error: string, status = 400) =>
    json(res, status, { error, error_description: error }, ERRTYPE[error] ?? 'InvalidRequestException');
  const unauthorized = (res: ServerResponse) => json(res, 401, { message: 'Session token not found or invalid' }, 'UnauthorizedException');
  const grant = (clientId: string, scopes: string[], sessionEndsAt: number) => {
    const accessToken = id('at-');
    access.set(accessToken, { expiresAt: now() + k.accessTokenSeconds * 1000, revoked: false });
    const out: Record<string, unknown> = { accessToken, tokenType: 'Bearer', expiresIn: k.accessTokenSeconds };
    // As AWS: a refresh token only for a client registered with a scope.
    if (scopes.includes('sso:account:access')) {
      const refreshToken = id('rt-');
      refresh.set(refreshToken, { clientId, sessionEndsAt, revoked: false });
      out.refreshToken = refreshToken;
    }
    return out;
  };

  const oidc = (req: IncomingMessage, res: ServerResponse, path: string, body: Record<string, any>, url: URL): boolean => {
    if (req.method === 'POST' && path === '/client/register') {
      emu.counts.register++;
      const clientId = id('client-');
      const secret = id('secret-');
      const expiresAt = now() + k.registrationSeconds * 1000;
      clients.set(clientId, { secret, expiresAt, scopes: body.scopes ?? [], redirectUris: body.redirectUris ?? [] });
      json(res, 200, { clientId, clientSecret: secret, clientIdIssuedAt: Math.floor(now() / 1000), clientSecretExpiresAt: Math.floor(expiresAt / 1000) });
      return true;
    }
    const client = (cid: string, secret?: string) => {
      const c = clients.get(cid);
      return c && (secret === undefined || c.secret === secret) && c.expiresAt > now() ? c : undefined;
    };
    if (req.method === 'POST' && path === '/device_authorization') {
      if (!client(body.clientId, body.clientSecret)) return (oauthError(res, 'invalid_client', 401), true);
      emu.counts.deviceAuthorization++;
      const deviceCode = id('dc-');
      const userCode = randomBytes(4)
        .toString('hex')
        .toUpperCase()
        .replace(/^(.{4})/, '$1-');
      devices.set(deviceCode, { clientId: body.clientId, approved: k.autoApprove, expiresAt: now() + 600_000, userCode });
      json(res, 200, {
        deviceCode,
        userCode,
        verificationUri: `${emu.url}/device`,
        verificationUriComplete: `${emu.url}/device?user_code=${userCode}`,
        expiresIn: 600,
        interval: 1,
      });
      return true;
    }
    if (req.method === 'GET' && path === '/authorize') {
      emu.counts.authorize++;
      const q = url.searchParams;
      const c = client(q.get('client_id') ?? '');
      const redirect = q.get('redirect_uri') ?? '';
      // AWS accepts only http://127.0.0.1:PORT/oauth/callback.
      if (
        !c ||
        !/^http:\/\/127\.0\.0\.1:\d+\/oauth\/callback$/.test(redirect) ||
        q.get('code_challenge_method') !== 'S256' ||
        !q.get('code_challenge') ||
        q.get('response_type') !== 'code'
      ) {
        res.writeHead(400).end('bad authorize request');
        return true;
      }
      const code = id('code-');
      codes.set(code, { clientId: q.get('client_id')!, challenge: q.get('code_challenge')!, redirectUri: redirect, scopes: c.scopes });
      res.writeHead(302, { location: `${redirect}?code=${code}&state=${encodeURIComponent(q.get('state') ?? '')}` }).end();
      return true;
    }
    if (req.method === 'POST' && path === '/token') {
      const kind = String(body.grantType).replace('urn:ietf:params:oauth:grant-type:', '');
      emu.counts.token[kind] = (emu.counts.token[kind] ?? 0) + 1;
      emu.log.push(`token ${kind}`);
      const c = client(body.clientId, body.clientSecret);
      if (!c) return (oauthError(res, 'invalid_client', 401), true);
      const endsAt = now() + k.sessionSeconds * 1000;
      if (kind === 'device_code') {
        const d = devices.get(body.deviceCode);
        if (!d || d.clientId !== body.clientId) return (oauthError(res, 'invalid_grant'), true);
        if (k.pendingPolls > 0) return (k.pendingPolls--, oauthError(res, 'authorization_pending'), true);
        if (k.slowDownPolls > 0) return (k.slowDownPolls--, oauthError(res, 'slow_down'), true);
        if (!d.approved) return (oauthError(res, 'authorization_pending'), true);
        devices.delete(body.deviceCode);
        return (json(res, 200, grant(body.clientId, c.scopes, endsAt)), true);
      }
      if (kind === 'authorization_code') {
        const a = codes.get(body.code);
        codes.delete(body.code);
        const verified =
          a !== undefined && typeof body.codeVerifier === 'string' && b64url(createHash('sha256').update(body.codeVerifier).digest()) === a.challenge;
        if (!a || !verified || a.clientId !== body.clientId || a.redirectUri !== body.redirectUri) return (oauthError(res, 'invalid_grant'), true);
        return (json(res, 200, grant(body.clientId, a.scopes, endsAt)), true);
      }
      if (kind === 'refresh_token') {
        const r = refresh.get(body.refreshToken);
        if (k.invalidGrants > 0) return (k.invalidGrants--, oauthError(res, 'invalid_grant'), true);
        if (!r || r.revoked || r.clientId !== body.clientId || r.sessionEndsAt <= now()) return (oauthError(res, 'invalid_grant'), true);
        const out = grant(body.clientId, c.scopes, r.sessionEndsAt);
        if (k.rotateRefresh) r.revoked = true;
        else {
          refresh.delete(out.refreshToken as string);
          out.refreshToken = body.refreshToken;
        }
        return (json(res, 200, out), true);
      }
      return (oauthError(res, 'unsupported_grant_type'), true);
    }
    return false;
  };

  const portal = async (req: IncomingMessage, res: ServerResponse, path: string, url: URL): Promise<boolean> => {
    if (!['/federation/credentials', '/assignment/accounts', '/assignment/roles', '/logout'].includes(path)) return false;
    const token = String(req.headers['x-amz-sso_bearer_token'] ?? '');
    const a = access.get(token);
    if (k.portal401 > 0) return (k.portal401--, unauthorized(res), true);
    if (!a || a.revoked || a.expiresAt <= now()) return (unauthorized(res), true);
    const q = url.searchParams;
    if (path === '/logout') {
      emu.counts.logout++;
      a.revoked = true;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      return true;
    }
    if (path === '/assignment/accounts') {
      const all = Object.keys(opts.accounts).map((accountId) => ({ accountId, accountName: `acct-${accountId}`, emailAddress: `${accountId}@example.com` }));
      const start = Number(q.get('next_token') ?? 0);
      const page = all.slice(start, start + 2);
      return (json(res, 200, { accountList: page, ...(start + 2 < all.length ? { nextToken: String(start + 2) } : {}) }), true);
    }
    const accountId = q.get('account_id') ?? '';
    if (path === '/assignment/roles')
      return (json(res, 200, { roleList: (opts.accounts[accountId] ?? []).map((roleName) => ({ roleName, accountId })) }), true);
    const roleName = q.get('role_name') ?? '';
    if (!opts.accounts[accountId]?.includes(roleName)) return (json(res, 403, { message: 'No access' }, 'ForbiddenException'), true);
    emu.counts.roleCredentials++;
    const c = opts.assume
      ? await opts.assume(accountId, roleName)
      : { accessKeyId: id('ASIA'), secretAccessKey: id('s'), sessionToken: id('t'), expiration: now() + 3600_000 };
    const expiration = k.roleSeconds === undefined ? c.expiration : Math.min(c.expiration, now() + k.roleSeconds * 1000);
    return (json(res, 200, { roleCredentials: { ...c, expiration } }), true);
  };

  const server = createServer((req, res) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString()));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      emu.log.push(`${req.method} ${url.pathname}`);
      let body: Record<string, any> = {};
      try {
        body = data ? (JSON.parse(data) as Record<string, any>) : {};
      } catch {
        return oauthError(res, 'invalid_request');
      }
      void (async () => {
        if (oidc(req, res, url.pathname, body, url)) return;
        if (await portal(req, res, url.pathname, url)) return;
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"not found"}');
      })().catch((err: Error) => json(res, 500, { message: err.message }, 'InternalServerException'));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  emu.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return emu;
}
