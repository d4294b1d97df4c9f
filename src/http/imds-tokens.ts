import { randomBytes } from 'node:crypto';

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

/** Longest token worth looking up; ours are 43 characters. */
const MAX_TOKEN_LENGTH = 256;

/**
 * Tokens are kept as they are: an IMDS token is no secret from the processes that can reach
 * the endpoint (any of them may PUT for one), and the memory that holds it also holds the
 * credentials it unlocks, so hashing each lookup (a few µs on the hot IMDS path) protected
 * nothing. The count is bounded: any local process may ask for tokens, and each costs memory
 * until it expires.
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
      expiries.set(token, now + ttlSeconds * 1000);
      return token;
    },
    valid(token) {
      if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) return false;
      const exp = expiries.get(token);
      if (exp === undefined) return false;
      if (exp <= opts.now()) {
        expiries.delete(token);
        return false;
      }
      return true;
    },
    size: () => expiries.size,
  };
}
