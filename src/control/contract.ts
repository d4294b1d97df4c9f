import type { ConsoleKind } from '../aws/federation-credentials.js';
/**
 * The control socket's contract: every route's path, request and answer, shared by the
 * daemon's server (daemon/control-server.ts) and the CLI's client (cli/control-client.ts).
 * A leaf module: it imports nothing, so either side may use it without pulling in the other.
 * Errors travel as `{Code, Message}` with the status of the CreddError (errors.ts).
 */

/** One line of `credd profiles`. */
export interface ProfileInfo {
  name: string;
  account?: string;
  role?: string;
  region?: string;
  source?: string;
  mfa: boolean;
  /** `ready` (credentials cached), `mfa-needed`, `available` (obtained on first use), `error`. */
  state: 'ready' | 'mfa-needed' | 'available' | 'error';
  expiration?: string;
  error?: string;
}

/** The last failure for a profile: its CreddError code and message, and when (ms). */
export interface ProfileErrorInfo {
  code: string;
  message: string;
  at: number;
}

/** What the core knows for `credd status`. */
export interface StatusInfo {
  activeProfile?: string;
  configError?: string;
  sessions: Array<{ source: string; mfaSerial?: string; expiration: string; valid: boolean }>;
  /** Cached credentials: expiry, when they are renewed (or retried after a failure), whether the profile is kept warm. */
  profiles: Array<{ name: string; expiration: string; nextRefresh?: string; retryAt?: string; inUse?: boolean; lastError?: ProfileErrorInfo }>;
  errors: Array<{ name: string } & ProfileErrorInfo>;
  /** Things the user should act on soon, such as an MFA session about to end. */
  warnings: string[];
}

/** How the loopback endpoint is protected: IMDS on/off, and whether the peer-user check runs. */
export interface SecurityInfo {
  imds: boolean;
  peerCheck: { enabled: boolean; detail: string };
  /** Set when another user listens on the endpoint's port too: who, and what that means (`credd status` warns). */
  port?: string;
}

/** One IAM Identity Center session in `credd status`. */
export interface SsoSessionStatus {
  session: string;
  startUrl: string;
  region: string;
  legacy: boolean;
  state: 'signed-in' | 'signed-out' | 'ending' | 'ended';
  accessTokenExpires?: string;
  refreshToken: boolean;
  registrationExpires?: string;
  warning?: string;
}

/** How `credd login` signs in: authorization code with PKCE, or a device code. */
export type LoginMode = 'pkce' | 'device';

/** What the CLI shows while a sign-in runs. */
export interface LoginStarted {
  session: string;
  mode: LoginMode;
  /** The page to open: the authorize URL, or the verification URL of a device code. */
  url: string;
  /** Device code only: the code the user confirms on that page. */
  userCode?: string;
  /** True when this caller joined a sign-in already under way (then the CLI opens no second browser). */
  joined: boolean;
  expiresAt: string;
}

/** One account the IAM Identity Center portal offers, and its roles. */
export interface SsoAccountRoles {
  accountId: string;
  accountName?: string;
  roles: string[];
}

/** `GET /status`: the daemon's own facts and the core's status. */
export type DaemonStatus = StatusInfo & {
  running: true;
  version: string;
  pid: number;
  endpoint: string;
  startedAt: string;
  security?: SecurityInfo;
  /** The IAM Identity Center sessions of the AWS config. */
  ssoSessions?: SsoSessionStatus[];
};

/** What `credd reload` found in the settings: an error, or the keys whose value changed. */
export interface SettingsChanges {
  error?: string;
  /** Settings-file names of the keys that differ from what the daemon runs with. */
  changed: string[];
}

/** The container-credentials body of a profile, plus its region. */
export interface ProfileCredentials {
  AccessKeyId: string;
  SecretAccessKey: string;
  Token: string;
  Expiration: string;
  RoleArn?: string;
  AccountId?: string;
  Region?: string;
}

/**
 * A profile's MFA device, for `credd mfa` without a code. No `mfa_process`: the CLI reads that
 * command line from the AWS config itself, never from a socket.
 */
export interface MfaInfo {
  profile: string;
  mfaSerial?: string | undefined;
}

/** A started source session. */
export interface MfaStarted {
  profile: string;
  source: string;
  expiration: string;
}

/** The new active profile, whether it needs an MFA code first, and its region. */
export interface Switched {
  profile: string;
  needsMfa: boolean;
  region?: string | undefined;
}

/** What `credd switch`, `credd mfa` and `credd env NAME` learn about a profile they point at (`POST /warm`). */
export interface WarmResult {
  profile: string;
  /** Credentials are in hand. */
  ready: boolean;
  expiration?: string;
  /** Still being fetched when the wait ran out (STS is slow): the fetch goes on. */
  pending?: boolean;
  /** Why there are none (MfaRequired, AccessDenied, StsUnavailable…). */
  error?: { code: string; message: string };
}

/** The AWS config reload (the last good config stays on error) and the settings that changed. */
export interface Reloaded {
  ok: boolean;
  error?: string;
  settings: SettingsChanges;
}

/** `endpoint.json` in the runtime directory: where `credd env` finds the running daemon's real address (useful with `--port 0`). */
export interface EndpointRecord {
  url: string;
  host: string;
  port: number;
  pid: number;
}

/** What `credd console` asks the daemon for. */
export interface ConsoleRequest {
  profile?: string;
  long?: boolean;
  code?: string;
  destination?: string;
  /** CREDD_SIGNIN_URL of the CLI's environment. */
  signinUrl?: string;
  logoutFirst?: boolean;
  /** true: answer the sign-in URL itself (`--stdout`); else the path of a page that forwards to it. */
  stdout?: boolean;
}

/** The answer: when the console session ends and why, and the URL or the page to open. */
export interface ConsoleAnswer {
  profile: string;
  kind: ConsoleKind;
  endsAt: string;
  sessionDuration?: number;
  federatedUser?: string;
  url?: string;
  page?: string;
}

/** What `credd eks-token` asks the daemon for. */
export interface EksTokenRequest {
  cluster: string;
  profile?: string;
  region?: string;
}

/** The token and its ExecCredential `expirationTimestamp`. */
export interface EksTokenAnswer {
  profile: string;
  cluster: string;
  token: string;
  expirationTimestamp: string;
}

/** `credd rotate`: the old and new access key IDs (never a secret) and where the new one is kept. */
export interface Rotated {
  profile: string;
  oldKeyId: string;
  newKeyId: string;
  /** Where the new key is kept: the keyring or the credentials file. */
  where: string;
}

/** The GET routes: `params` fill `:name` in the path, the rest becomes the query. */
export interface ControlGet {
  '/eks-token': { params: { cluster: string; profile?: string | undefined; region?: string | undefined }; response: EksTokenAnswer };
  '/status': { response: DaemonStatus };
  '/profiles': { response: ProfileInfo[] };
  '/mfa': { params: { profile?: string | undefined }; response: MfaInfo };
  '/credentials/:name': { params: { name: string }; response: ProfileCredentials };
  '/sso/roles': { params: { session?: string | undefined }; response: { session: string; accounts: SsoAccountRoles[] } };
  '/sso/sessions': { response: SsoSessionStatus[] };
}

/** The POST routes: their JSON body (`{}` when they take none) and answer. */
export interface ControlPost {
  '/switch': { body: { profile: string }; response: Switched };
  /** Fetch a profile's credentials (default: the active one) and wait up to `waitMs` (0: start the fetch only). */
  '/warm': { body: { profile?: string; waitMs?: number }; response: WarmResult };
  '/mfa': { body: { code: string; profile?: string }; response: MfaStarted };
  '/refresh': { body: { profile?: string }; response: { profile: string; expiration: string } };
  '/reload': { response: Reloaded };
  '/logout': { response: { ok: true } };
  '/console': { body: ConsoleRequest; response: ConsoleAnswer };
  /** Present when the daemon runs with keyring support (always, in credd itself). */
  '/rotate': { body: { profile: string }; response: Rotated };
  /** Starts (or joins) the sign-in of a session; `cacheId` is what `/sso/login/wait` takes. */
  '/sso/login': { body: { session?: string; device?: boolean }; response: LoginStarted & { cacheId: string } };
  /** Waits up to `waitMs` (at most 25 s) for that sign-in. */
  '/sso/login/wait': { body: { session: string; waitMs?: number }; response: { done: boolean } };
  /** Signs out of one session (or every one without `session`): the sessions signed out. */
  '/sso/logout': { body: { session?: string }; response: { signedOut: string[] } };
  /** The daemon answers, then stops. */
  '/stop': { response: { ok: true } };
}

/** The arguments of a GET after its path: the params when the route has any, then the per-call timeout. */
export type GetArgs<P extends keyof ControlGet> = ControlGet[P] extends { params: infer Q }
  ? [opts: { params: Q; timeoutMs?: number }]
  : [opts?: { timeoutMs?: number }];

/** Per-call options of a POST: `timeoutMs` overrides the client's timeout (and so the deadline it sends). */
export interface PostOptions {
  timeoutMs?: number;
}

/** The arguments of a POST after its path: the body when the route takes one, then the per-call options. */
export type PostArgs<P extends keyof ControlPost> = ControlPost[P] extends { body: infer B }
  ? [body: B, opts?: PostOptions]
  : [body?: undefined, opts?: PostOptions];

/**
 * The header in which the CLI says until when its command waits for a POST's answer (epoch ms).
 * The daemon drops a request that arrives later (408 `RequestExpired`), so a command that reported
 * a timeout is not applied behind the user's back.
 */
export const DEADLINE_HEADER = 'x-credd-deadline';

/** The path a GET is sent to: `:name` filled in (encoded), the other params as the query; undefined ones left out. */
export function controlPath(route: string, params: Record<string, string | undefined> = {}): string {
  const query = new URLSearchParams();
  let path = route;
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) continue;
    if (path.includes(`:${key}`)) path = path.replace(`:${key}`, encodeURIComponent(value));
    else query.set(key, value);
  }
  const q = query.toString();
  return q ? `${path}?${q}` : path;
}
