import t from 'tap';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { SEALED_PREFIX, sealedHeader, stateCipher, stateKey } from '../../src/keyring/state-cipher.js';
import { createStateStore } from '../../src/state/store.js';
import { memoryStore } from './memory-store.js';

const key = randomBytes(32);
const state = {
  version: 1 as const,
  sessions: [{ key: 'm|', root: 'm', accessKeyId: 'ASIA1', secretAccessKey: 'SECRETSECRET', sessionToken: 'TOKENTOKEN', expiration: '2030-01-01T00:00:00Z' }],
};

t.test('seal/open round trip; fresh nonce each time; tamper and wrong key refused', async (t) => {
  const c = stateCipher(key);
  const a = c.seal('hello');
  t.ok(a.startsWith(SEALED_PREFIX));
  t.not(a, c.seal('hello'), 'a fresh nonce per write');
  t.equal(c.open(a), 'hello');
  const raw = Buffer.from(a.slice(SEALED_PREFIX.length), 'base64');
  raw[raw.length - 1]! ^= 1;
  t.throws(() => c.open(SEALED_PREFIX + raw.toString('base64')), 'a flipped bit');
  t.throws(() => stateCipher(randomBytes(32)).open(a), 'another key');
  t.throws(() => c.open('{"version":1}'), /not an encrypted/);
  t.throws(() => c.open(`${SEALED_PREFIX}AAAA`), /truncated/);
  t.throws(() => stateCipher(randomBytes(16)), /32 bytes/);
});

t.test('a readable header line, authenticated with the ciphertext', async (t) => {
  const c = stateCipher(key);
  const sealed = c.seal('body', '{"activeProfile":"dev"}');
  t.equal(sealedHeader(sealed), '{"activeProfile":"dev"}');
  t.equal(c.open(sealed), 'body');
  t.throws(() => c.open(sealed.replace('dev', 'prod')), 'a changed header breaks the file');
  t.throws(() => c.open(sealed.slice(0, sealed.indexOf('\n'))), 'a removed header too');
  t.equal(sealedHeader(c.seal('body')), undefined);
  t.equal(sealedHeader('{"activeProfile":"x"}\n'), undefined, 'not a sealed file');
});

t.test('stateKey: made once, then read back; a damaged entry is replaced', async (t) => {
  const store = memoryStore();
  const k1 = stateKey(store);
  t.equal(k1.length, 32);
  t.same(stateKey(store), k1);
  store.set('state-key', 'short');
  t.not(stateKey(store).toString('hex'), k1.toString('hex'));
});

t.test('the state store encrypts with a cipher; tampered = corrupt, set aside', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'credd-sealed-'));
  const file = join(dir, 'state.json');
  const warnings: string[] = [];
  const store = createStateStore({ file, now: () => 42, warn: (m) => warnings.push(m), cipher: stateCipher(key) });
  store.save(state);
  const text = readFileSync(file, 'utf8');
  t.ok(text.startsWith(SEALED_PREFIX));
  t.notMatch(text, /SECRETSECRET|TOKENTOKEN/);
  t.same(store.load(), state);

  // A plain file from before the keyring: read, and encrypted at once.
  writeFileSync(file, JSON.stringify(state));
  t.same(store.load(), state);
  t.ok(readFileSync(file, 'utf8').startsWith(SEALED_PREFIX), 'rewritten encrypted');

  const raw = Buffer.from(readFileSync(file, 'utf8').slice(SEALED_PREFIX.length), 'base64');
  raw[40]! ^= 0xff;
  writeFileSync(file, SEALED_PREFIX + raw.toString('base64'));
  t.same(store.load(), { version: 1, sessions: [] });
  t.match(warnings.at(-1), /moved to .*corrupt-42/);
  t.ok(readdirSync(dir).includes('state.json.corrupt-42'));

  store.save({ ...state, activeProfile: 'dev' });
  t.match(readFileSync(file, 'utf8'), /\n\{"activeProfile":"dev"\}$/, 'the active profile stays readable');
  t.same(store.load(), { ...state, activeProfile: 'dev' });

  // Encrypted, but no keyring now: set aside with the reason.
  store.save(state);
  const plain = createStateStore({ file, now: () => 43, warn: (m) => warnings.push(m) });
  t.same(plain.load(), { version: 1, sessions: [] });
  t.match(warnings.join('\n'), /encrypted with a key from the keyring/);
});
