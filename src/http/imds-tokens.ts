import { createHash, randomBytes } from 'node:crypto';

/** IMDSv2 session tokens, in memory only. */
export interface ImdsTokens {
  /** A new token valid for `ttlSeconds`. */
  issue(ttlSeconds: number): string;
  /** True when `token` was issued here and has not expired. */
  valid(token: string | undefined): boolean;
  size(): number;
}

export interface ImdsTokenOptions {
  now(): number;
  /** Most tokens kept at once (default 1000); the oldest goes when a new one needs room. */
  max?: number;
}

/** Longest token worth hashing; ours are 43 characters. */
const MAX_TOKEN_LENGTH = 256;

const digest = (token: string) => createHash('sha256').update(token).digest('base64url');

/**
 * Tokens are kept as their SHA-256, so the map holds nothing a memory dump could replay, and a
 * lookup by hash reveals nothing useful through timing. The count is bounded: any local process
 * may ask for tokens, and each costs memory until it expires.
 */
export function createImdsTokens(opts: ImdsTokenOptions): ImdsTokens {
  const max = opts.max ?? 1000;
  const expiries = new Map<string, number>();

  const purge = (now: number) => {
    for (const [k, exp] of expiries) if (exp <= now) expiries.delete(k);
  };

  return {
    issue(ttlSeconds) {
      const now = opts.now();
      if (expiries.size >= max) purge(now);
      // Map keeps insertion order: the first key is the oldest token.
      while (expiries.size >= max) expiries.delete(expiries.keys().next().value!);
      const token = randomBytes(32).toString('base64url');
      expiries.set(digest(token), now + ttlSeconds * 1000);
      return token;
    },
    valid(token) {
      if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) return false;
      const key = digest(token);
      const exp = expiries.get(key);
      if (exp === undefined) return false;
      if (exp <= opts.now()) {
        expiries.delete(key);
        return false;
      }
      return true;
    },
    size: () => expiries.size,
  };
}
