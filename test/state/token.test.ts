import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { createTokenMatcher, loadOrCreateToken } from '../../src/state/token.js';

const mode = (p: string) => fs.statSync(p).mode & 0o777;

t.test('created 0600 in a 0700 dir, without a newline, and stable on the next call', async (t) => {
  const dir = join(t.testdir({}), 'run', 'credd');
  const file = join(dir, 'token');
  const token = loadOrCreateToken(file);
  t.match(token, /^[A-Za-z0-9_-]{43}$/, '32 random bytes, base64url');
  t.equal(fs.readFileSync(file, 'utf8'), token, 'exactly the token: no newline');
  t.equal(mode(file), 0o600);
  t.equal(mode(dir), 0o700);
  t.equal(loadOrCreateToken(file), token, 'the same token the second time');
  t.same(fs.readdirSync(dir), ['token'], 'no temporary files left');
});

t.test('garbage is replaced by a new token', async (t) => {
  for (const garbage of ['', 'short', 'has spaces in it but is long enough to pass.', 'x'.repeat(31), 'ü'.repeat(40)]) {
    const file = join(t.testdir({ token: garbage }), 'token');
    const token = loadOrCreateToken(file);
    t.not(token, garbage.trim());
    t.match(token, /^[A-Za-z0-9_-]{43}$/);
    t.equal(fs.readFileSync(file, 'utf8'), token, JSON.stringify(garbage));
    t.equal(mode(file), 0o600);
  }
});

t.test('a good token with a trailing newline is kept, and the file fixed', async (t) => {
  const good = `${'A'.repeat(20)}_-${'b9'.repeat(10)}`;
  const file = join(t.testdir({ token: `${good}\n` }), 'token');
  t.equal(loadOrCreateToken(file), good);
  t.equal(fs.readFileSync(file, 'utf8'), good, 'the SDKs refuse a token file with a newline');
  const untouched = join(t.testdir({ token: good }), 'token');
  const before = fs.statSync(untouched).mtimeMs;
  t.equal(loadOrCreateToken(untouched), good);
  t.equal(fs.statSync(untouched).mtimeMs, before, 'a clean file is not rewritten');
});

t.test('an unreadable token file is an error, not a silent new token', async (t) => {
  const dir = t.testdir({ token: {} });
  t.throws(() => loadOrCreateToken(join(dir, 'token')), { code: 'EISDIR' });
});

t.test('a token that another process creates first wins', async (t) => {
  const dir = t.testdir({});
  const file = join(dir, 'token');
  const theirs = 'T'.repeat(43);
  let reads = 0;
  const { loadOrCreateToken: load } = await t.mockImport<typeof import('../../src/state/token.js')>('../../src/state/token.js', {
    'node:fs': {
      ...fs,
      // The first look finds nothing; by the time we link, the other process has written its file.
      readFileSync: (p: string, enc: BufferEncoding) => {
        if (reads++ === 0) {
          fs.writeFileSync(file, theirs, { mode: 0o600 });
          throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
        }
        return fs.readFileSync(p, enc);
      },
    },
  });
  t.equal(load(file), theirs);
  t.equal(fs.readFileSync(file, 'utf8'), theirs);
  t.same(fs.readdirSync(dir), ['token'], 'our temporary file is gone');
});

t.test('without hard links the token is renamed into place', async (t) => {
  const dir = t.testdir({});
  const file = join(dir, 'token');
  const { loadOrCreateToken: load } = await t.mockImport<typeof import('../../src/state/token.js')>('../../src/state/token.js', {
    'node:fs': {
      ...fs,
      linkSync: () => {
        throw Object.assign(new Error('EPERM'), { code: 'EPERM' });
      },
    },
  });
  const token = load(file);
  t.equal(fs.readFileSync(file, 'utf8'), token);
  t.equal(mode(file), 0o600);
  t.same(fs.readdirSync(dir), ['token']);
});

t.test('processes racing on a fresh runtime dir all get the same token', async (t) => {
  const dir = join(t.testdir({}), 'fresh');
  const file = join(dir, 'token');
  const mod = new URL('../../src/state/token.ts', import.meta.url).href;
  const at = Date.now() + 1500;
  // Each child waits for the same moment, then reads or creates the token.
  const script = `import { loadOrCreateToken } from ${JSON.stringify(mod)};
    while (Date.now() < ${at}) {}
    process.stdout.write(loadOrCreateToken(${JSON.stringify(file)}));`;
  const run = () =>
    new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, [...process.execArgv, '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.on('error', reject);
      child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`child exited ${code}`))));
    });
  const tokens = await Promise.all(Array.from({ length: 6 }, run));
  t.equal(new Set(tokens).size, 1, 'one token for all');
  t.equal(tokens[0], fs.readFileSync(file, 'utf8'));
  t.same(fs.readdirSync(dir), ['token']);
});

t.test('createTokenMatcher: right and wrong tokens', async (t) => {
  const token = 'x'.repeat(43);
  const tokenMatches = (presented: string | undefined, expected: string) => createTokenMatcher(expected)(presented);
  t.equal(tokenMatches(token, token), true);
  t.equal(tokenMatches(`${token}y`, token), false, 'longer');
  t.equal(tokenMatches(token.slice(1), token), false, 'shorter');
  t.equal(tokenMatches('y'.repeat(43), token), false, 'same length');
  t.equal(tokenMatches('', token), false);
  t.equal(tokenMatches(undefined, token), false);
  t.equal(tokenMatches(['x'] as unknown as string, token), false, 'not a string (a repeated header)');
  t.equal(tokenMatches(`Bearer ${token}`, token), false, 'the raw token, no scheme');
});

t.test('createTokenMatcher: one expected Buffer, a length check, then the bytes', async (t) => {
  const token = 'Z'.repeat(43);
  const matches = createTokenMatcher(token);
  t.equal(matches(token), true);
  t.equal(matches(String(token)), true, 'equal content, another string');
  t.equal(matches(`${token}Z`), false, 'longer');
  t.equal(matches(token.slice(1)), false, 'shorter');
  t.equal(matches(`${token.slice(0, -1)}Y`), false, 'same length, last byte differs');
  t.equal(matches(`Y${token.slice(1)}`), false, 'same length, first byte differs');
  t.equal(matches(`${token.slice(0, -1)}\u00e9`), false, 'same characters, more bytes: no throw from timingSafeEqual');
  t.equal(matches(undefined), false);
  t.equal(matches(['Z'.repeat(43)]), false, 'a repeated header is an array');
  t.equal(matches(43), false);
  t.equal(createTokenMatcher('\u00e9'.repeat(2))('ab\u00e9'.slice(0, 2)), false, 'a non-ASCII expected token still compares bytes');
});
