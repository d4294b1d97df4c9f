import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../state/secure-fs.js';

/** One sign-in as the AWS CLI and every SDK keep it in `~/.aws/sso/cache/<sha1>.json`. Times are epoch ms. */
export interface CachedToken {
  startUrl: string;
  region: string;
  accessToken: string;
  expiresAt: number;
  refreshToken?: string;
  clientId?: string;
  clientSecret?: string;
  registrationExpiresAt?: number;
}

/**
 * The cache file of a session: sha1 of the `[sso-session]` name, or of the start URL for a
 * legacy profile (no sso_session), as the AWS CLI, botocore and the JS SDK name it.
 */
export function tokenCacheFile(cacheDir: string, id: string): string {
  return join(cacheDir, `${createHash('sha1').update(id).digest('hex')}.json`);
}

/** RFC 3339 with `Z` and whole seconds, as the AWS CLI writes it. */
const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Reads a cache file; undefined when it is missing, unreadable or lacks a token. */
export function readCachedToken(file: string): CachedToken | undefined {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const str = (k: string) => (typeof raw[k] === 'string' && raw[k] !== '' ? (raw[k] as string) : undefined);
  const time = (k: string) => {
    const v = str(k);
    const ms = v === undefined ? NaN : Date.parse(v.replace(/UTC$/, 'Z'));
    return Number.isFinite(ms) ? ms : undefined;
  };
  const accessToken = str('accessToken');
  const expiresAt = time('expiresAt');
  if (!accessToken || expiresAt === undefined) return undefined;
  const out: CachedToken = { startUrl: str('startUrl') ?? '', region: str('region') ?? '', accessToken, expiresAt };
  const refreshToken = str('refreshToken');
  const clientId = str('clientId');
  const clientSecret = str('clientSecret');
  const registrationExpiresAt = time('registrationExpiresAt');
  if (refreshToken) out.refreshToken = refreshToken;
  if (clientId && clientSecret) Object.assign(out, { clientId, clientSecret });
  if (registrationExpiresAt !== undefined) out.registrationExpiresAt = registrationExpiresAt;
  return out;
}

/** Writes a cache file in the shared format: atomic rename, mode 0600, directory 0700. */
export function writeCachedToken(file: string, t: CachedToken): void {
  const body: Record<string, string> = { startUrl: t.startUrl, region: t.region, accessToken: t.accessToken, expiresAt: rfc3339(t.expiresAt) };
  if (t.clientId && t.clientSecret) Object.assign(body, { clientId: t.clientId, clientSecret: t.clientSecret });
  if (t.registrationExpiresAt !== undefined) body.registrationExpiresAt = rfc3339(t.registrationExpiresAt);
  if (t.refreshToken) body.refreshToken = t.refreshToken;
  writeFileAtomic(file, `${JSON.stringify(body, null, 2)}\n`);
}

/** Removes a cache file, as `aws sso logout` does; a missing one is fine. */
export function removeCachedToken(file: string): void {
  rmSync(file, { force: true });
}
