import type { TempCredentials } from '../aws/sts.js';

/** Credentials ready to serve: the response body is built once, when they arrive. */
export interface Served {
  profile: string;
  credentials: TempCredentials;
  /** The container-credentials JSON, prebuilt for the hot path. */
  body: string;
  accountId?: string;
  roleArn?: string;
  obtainedAt: number;
  expiresAt: number;
  /** When the engine renews these (margin plus jitter before expiry, set when they are cached). */
  refreshAt?: number;
}

/** ISO-8601 UTC with `Z` and whole seconds: the one form every SDK accepts. */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Builds the Served entry and its container-credentials body. */
export function toServed(profile: string, c: TempCredentials, now: number, extra: { roleArn?: string; accountId?: string }): Served {
  const expiresAt = c.expiration.getTime();
  const body: Record<string, string> = {
    AccessKeyId: c.accessKeyId,
    SecretAccessKey: c.secretAccessKey,
    Token: c.sessionToken,
    Expiration: isoSeconds(expiresAt),
  };
  if (extra.roleArn) body.RoleArn = extra.roleArn;
  if (extra.accountId) body.AccountId = extra.accountId;
  const served: Served = { profile, credentials: c, body: JSON.stringify(body), obtainedAt: now, expiresAt };
  if (extra.roleArn) served.roleArn = extra.roleArn;
  if (extra.accountId) served.accountId = extra.accountId;
  return served;
}
