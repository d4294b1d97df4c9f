import { AccessDeniedError, CreddError, StsUnavailableError } from '../errors.js';
import type { StaticKeys } from './config.js';
import { silenceNodeVersionWarning } from './quiet-sdk.js';

/** Temporary credentials as STS returns them. */
export interface TempCredentials extends StaticKeys {
  sessionToken: string;
  expiration: Date;
}

/** Where an STS call goes. */
export interface StsTarget {
  region: string;
  endpoint?: string;
}

export interface GetSessionTokenInput extends StsTarget {
  serialNumber?: string;
  tokenCode?: string;
  durationSeconds?: number;
}

export interface AssumeRoleInput extends StsTarget {
  roleArn: string;
  roleSessionName: string;
  externalId?: string;
  durationSeconds: number;
  /** MFA device and code, when the role is assumed straight from long-term keys (`credd console --long`). */
  serialNumber?: string;
  tokenCode?: string;
}

export interface GetFederationTokenInput extends StsTarget {
  /** The federated user's name: 2–32 of letters, digits and +=,.@-. */
  name: string;
  durationSeconds: number;
  /** Inline session policy (JSON); without one the federated user may do nothing. */
  policy: string;
}

/** The STS calls credd makes; tests inject a fake with this shape. */
export interface Sts {
  getSessionToken(keys: StaticKeys, input: GetSessionTokenInput): Promise<TempCredentials>;
  assumeRole(keys: StaticKeys, input: AssumeRoleInput): Promise<TempCredentials & { assumedRoleArn?: string }>;
  /** For the console of a profile without a role (long-term keys only; no MFA context). */
  getFederationToken(keys: StaticKeys, input: GetFederationTokenInput): Promise<TempCredentials>;
}

/** Options of the real STS client. */
export interface StsOptions {
  /** Connect timeout in ms (default 3000). */
  connectTimeoutMs?: number;
  /** Whole-request timeout in ms (default 10000). */
  requestTimeoutMs?: number;
}

interface SdkError {
  name?: string;
  Code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $fault?: string;
}

const TRANSIENT = new Set([
  'Throttling',
  'ThrottlingException',
  'RequestLimitExceeded',
  'ServiceUnavailable',
  'InternalFailure',
  'IDPCommunicationError',
  'TimeoutError',
  'RequestTimeout',
]);

/**
 * Maps an SDK failure to a CreddError: transient trouble (network, throttling, 5xx)
 * becomes StsUnavailable, a refusal becomes AccessDenied with STS's own first line.
 * `what` names the call for the message ("the MFA code for …", "role …").
 */
export function mapStsError(err: unknown, what: string): CreddError {
  if (err instanceof CreddError) return err;
  const e = (err ?? {}) as SdkError;
  const code = e.name ?? e.Code ?? 'Error';
  const status = e.$metadata?.httpStatusCode;
  const first = (e.message ?? String(err)).split('\n')[0]!.trim();
  if (TRANSIENT.has(code) || status === undefined || status >= 500 || e.$fault === 'server') {
    return new StsUnavailableError(`STS is unreachable or busy (${code}: ${first}); credd keeps serving what is still valid and will retry.`);
  }
  if (code === 'ExpiredToken' || code === 'ExpiredTokenException') {
    return new CreddError('ExpiredToken', `STS says the source session has expired (${what}): run \`credd mfa\`.`, 403);
  }
  return new AccessDeniedError(`STS refused ${what}: ${code}: ${first}`);
}

type StsModule = typeof import('@aws-sdk/client-sts');
let sdk: Promise<StsModule> | undefined;

/** Loads the SDK on first use, so CLI commands that never call STS start fast and quiet. */
function loadSdk(): Promise<StsModule> {
  silenceNodeVersionWarning();
  sdk ??= import('@aws-sdk/client-sts');
  return sdk;
}

/** Builds the real STS client over @aws-sdk/client-sts. */
export function createSts(opts: StsOptions = {}): Sts {
  // Without throwOnRequestTimeout the SDK only warns when requestTimeout passes and keeps waiting.
  const requestHandler = { connectionTimeout: opts.connectTimeoutMs ?? 3000, requestTimeout: opts.requestTimeoutMs ?? 10000, throwOnRequestTimeout: true };
  const client = async (keys: StaticKeys, target: StsTarget, maxAttempts: number) => {
    const { STSClient } = await loadSdk();
    return new STSClient({ region: target.region, endpoint: target.endpoint, credentials: { ...keys }, maxAttempts, requestHandler });
  };
  const toTemp = (c: { AccessKeyId?: string; SecretAccessKey?: string; SessionToken?: string; Expiration?: Date } | undefined): TempCredentials => {
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) {
      throw new StsUnavailableError('STS answered without credentials; will retry.');
    }
    return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: new Date(c.Expiration) };
  };
  return {
    async getSessionToken(keys, input) {
      const { GetSessionTokenCommand } = await loadSdk();
      // One attempt: STS may refuse an MFA code that it has already seen once.
      const c = await client(keys, input, 1);
      const what = input.serialNumber ? `the MFA code for ${input.serialNumber} (check the code and try again)` : 'GetSessionToken';
      const out = await c
        .send(new GetSessionTokenCommand({ SerialNumber: input.serialNumber, TokenCode: input.tokenCode, DurationSeconds: input.durationSeconds }))
        .catch((err: unknown) => Promise.reject(mapStsError(err, what)))
        .finally(() => c.destroy());
      return toTemp(out.Credentials);
    },
    async assumeRole(keys, input) {
      const { AssumeRoleCommand } = await loadSdk();
      // With an MFA code, one attempt: STS may refuse a code it has already seen.
      const c = await client(keys, input, input.tokenCode ? 1 : 2);
      const out = await c
        .send(
          new AssumeRoleCommand({
            RoleArn: input.roleArn,
            RoleSessionName: input.roleSessionName,
            ExternalId: input.externalId,
            DurationSeconds: input.durationSeconds,
            SerialNumber: input.serialNumber,
            TokenCode: input.tokenCode,
          }),
        )
        .catch((err: unknown) => Promise.reject(mapStsError(err, `role ${input.roleArn}`)))
        .finally(() => c.destroy());
      return { ...toTemp(out.Credentials), assumedRoleArn: out.AssumedRoleUser?.Arn };
    },
    async getFederationToken(keys, input) {
      const { GetFederationTokenCommand } = await loadSdk();
      const c = await client(keys, input, 2);
      const out = await c
        .send(new GetFederationTokenCommand({ Name: input.name, DurationSeconds: input.durationSeconds, Policy: input.policy }))
        .catch((err: unknown) => Promise.reject(mapStsError(err, 'GetFederationToken (it needs the long-term keys of an IAM user)')))
        .finally(() => c.destroy());
      return toTemp(out.Credentials);
    },
  };
}
