import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { SecretStore } from './secret-store.js';
import { PROBE_ACCOUNT } from './open-keyring.js';

/** Turns the state file's JSON into what lies on disk and back. `open` throws on anything tampered with. */
export interface StateCipher {
  /** `header`: a line left readable (and authenticated) after the ciphertext. */
  seal(plain: string, header?: string): string;
  open(sealed: string): string;
}

/** The first bytes of an encrypted state file: tells it from a plain JSON one. */
export const SEALED_PREFIX = 'credd-aes256gcm-v1:';
// Binds the ciphertext to its use: the same key sealing anything else would not open here.
const AAD = Buffer.from('credd state file v1');

/** The readable header line of a sealed file (what the CLI may know without the keyring), if any. */
export function sealedHeader(sealed: string): string | undefined {
  const nl = sealed.indexOf('\n');
  return sealed.startsWith(SEALED_PREFIX) && nl !== -1 ? sealed.slice(nl + 1) : undefined;
}

const aad = (header: string) => Buffer.concat([AAD, Buffer.from(`\0${header}`)]);

/**
 * AES-256-GCM with a fresh 96-bit nonce per write. The file is
 * `credd-aes256gcm-v1:` + base64(nonce ‖ tag ‖ ciphertext), then optionally a newline and a
 * plain header line, which is authenticated with the ciphertext: changing it breaks the file.
 */
export function stateCipher(key: Buffer): StateCipher {
  if (key.length !== 32) throw new Error('the state key must be 32 bytes');
  return {
    seal(plain, header) {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, iv);
      c.setAAD(aad(header ?? ''));
      const data = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
      return SEALED_PREFIX + Buffer.concat([iv, c.getAuthTag(), data]).toString('base64') + (header === undefined ? '' : `\n${header}`);
    },
    open(sealed) {
      if (!sealed.startsWith(SEALED_PREFIX)) throw new Error('not an encrypted state file');
      const header = sealedHeader(sealed);
      const body = header === undefined ? sealed : sealed.slice(0, sealed.length - header.length - 1);
      const raw = Buffer.from(body.slice(SEALED_PREFIX.length), 'base64');
      if (raw.length < 28) throw new Error('encrypted state file is truncated');
      const d = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
      d.setAAD(aad(header ?? ''));
      d.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString('utf8');
    },
  };
}

/** The state key from the keyring, made (32 random bytes) and stored there on first use. */
export function stateKey(store: SecretStore): Buffer {
  const held = store.get(PROBE_ACCOUNT);
  if (held !== undefined) {
    const key = Buffer.from(held, 'base64');
    if (key.length === 32) return key;
  }
  const key = randomBytes(32);
  store.set(PROBE_ACCOUNT, key.toString('base64'));
  return key;
}
