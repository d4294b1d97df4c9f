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
  /** The IMDS credential document, built on first use by {@link imdsDocument}. */
  imdsBody?: string;
}

/** ISO-8601 UTC with `Z` and whole seconds: the one form every SDK accepts. */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The IMDS credential document of `s`, as EC2 writes it (`Code: Success`, which Go and Rust
 * require), built once per credential: the IMDS route and the fast path send the same bytes.
 */
export function imdsDocument(s: Served): string {
  s.imdsBody ??= JSON.stringify(
    {
      Code: 'Success',
      LastUpdated: isoSeconds(s.obtainedAt),
      Type: 'AWS-HMAC',
      AccessKeyId: s.credentials.accessKeyId,
      SecretAccessKey: s.credentials.secretAccessKey,
      Token: s.credentials.sessionToken,
      Expiration: isoSeconds(s.expiresAt),
    },
    null,
    2,
  );
  return s.imdsBody;
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
