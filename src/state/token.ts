import { randomBytes, timingSafeEqual } from 'node:crypto';
import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ensurePrivateDir, writeFileAtomic } from './secure-fs.js';

const TOKEN = /^[A-Za-z0-9_-]{32,}$/;

function readIfExists(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * Creates `file` holding `token` only if no file is there yet: the daemon and a `credd env`
 * in a login shell often start together on a fresh runtime dir, and must not each write
 * their own token. False when another process won.
 */
function createExclusive(file: string, token: string): boolean {
  ensurePrivateDir(dirname(file));
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(tmp, token, { mode: 0o600, flag: 'wx' });
  let created = true;
  try {
    linkSync(tmp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
      // A file system without hard links: fall back to a plain (still atomic) rename.
      renameSync(tmp, file);
      return true;
    }
    created = false;
  }
  unlinkSync(tmp);
  return created;
}

/**
 * Returns the token in `file`, creating it (0600, no trailing newline, as the SDKs'
 * `..._TOKEN_FILE` readers require) when missing, so it stays stable across restarts.
 * A token with surrounding whitespace (an editor's newline) is kept and the file rewritten
 * without it; anything else is replaced by a new token.
 */
export function loadOrCreateToken(file: string): string {
  const existing = readIfExists(file);
  if (existing === undefined) {
    const token = randomBytes(32).toString('base64url');
    // When another process created the file first, use its token.
    return createExclusive(file, token) ? token : loadOrCreateToken(file);
  }
  const trimmed = existing.trim();
  if (TOKEN.test(trimmed)) {
    if (trimmed !== existing) writeFileAtomic(file, trimmed);
    return trimmed;
  }
  const token = randomBytes(32).toString('base64url');
  writeFileAtomic(file, token);
  return token;
}

/**
 * Builds the check of a presented `Authorization` value against `expected`, made once at
 * startup. The token's length is no secret (always 43 base64url characters), so a length
 * check comes first and `timingSafeEqual` compares the bytes: constant time for every
 * presented value of the right length, with no hashing on the request path.
 */
export function createTokenMatcher(expected: string): (presented: unknown) => boolean {
  const want = Buffer.from(expected);
  return (presented) => {
    // String length first: most wrong values stop here without a Buffer being made.
    if (typeof presented !== 'string' || presented.length !== expected.length) return false;
    const got = Buffer.from(presented);
    // A non-ASCII value can have the right character count but another byte count.
    return got.length === want.length && timingSafeEqual(got, want);
  };
}
