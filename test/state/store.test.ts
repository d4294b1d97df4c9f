import t, { type Test } from 'tap';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createStateStore, validState, type PersistedState } from '../../src/state/store.js';

const here = dirname(fileURLToPath(import.meta.url));

function fixture(t: Test) {
  const dir = mkdtempSync(join(tmpdir(), 'credd-store-'));
  t.teardown(() => void import('node:fs').then((fs) => fs.rmSync(dir, { recursive: true, force: true })));
  const warnings: string[] = [];
  const file = join(dir, 'state', 'state.json');
  const store = createStateStore({ file, now: () => 1234, warn: (m) => warnings.push(m) });
  return { dir, file, store, warnings };
}

const SESSION = {
  key: 'management|arn',
  root: 'management',
  mfaSerial: 'arn',
  accessKeyId: 'ASIA',
  secretAccessKey: 's',
  sessionToken: 't',
  expiration: '2030-01-01T00:00:00.000Z',
};
const FULL: PersistedState = {
  version: 1,
  activeProfile: 'dev',
  sessions: [SESSION],
  credentials: [
    {
      profile: 'dev',
      roleArn: 'arn:aws:iam::222222222222:role/R',
      obtainedAt: 5,
      accessKeyId: 'ASIAR',
      secretAccessKey: 's',
      sessionToken: 't',
      expiration: '2030-01-01T01:00:00.000Z',
    },
  ],
  lastUse: { dev: 7 },
};

t.test('save then load round-trips; the file is 0600 in a 0700 directory', async (t) => {
  const { file, store } = fixture(t);
  t.same(store.load(), { version: 1, sessions: [] }, 'no file: empty state');
  store.save(FULL);
  t.same(store.load(), FULL);
  t.equal(statSync(file).mode & 0o777, 0o600);
  t.equal(statSync(dirname(file)).mode & 0o777, 0o700);
  t.same(readdirSync(dirname(file)), ['state.json'], 'no temporary file left behind');
  store.erase();
  t.notOk(existsSync(file));
  store.erase();
  t.pass('erasing twice is fine');
});

t.test('corrupt, truncated or wrongly shaped state is set aside with a warning, not a crash', async (t) => {
  const bad = [
    'not json at all',
    JSON.stringify(FULL).slice(0, 40),
    '',
    JSON.stringify({ version: 2, sessions: [] }),
    JSON.stringify({ version: 1, sessions: [{ ...SESSION, expiration: 'soon' }] }),
    JSON.stringify({ version: 1, sessions: [{ ...SESSION, key: 5 }] }),
    JSON.stringify({ version: 1, sessions: [], activeProfile: 3 }),
    JSON.stringify({ version: 1, sessions: [], credentials: [{ profile: 'dev' }] }),
    JSON.stringify({ version: 1, sessions: [], credentials: {} }),
    JSON.stringify({ version: 1, sessions: [], lastUse: { dev: 'yesterday' } }),
    JSON.stringify({ version: 1, sessions: [], lastUse: null }),
    'null',
  ];
  for (const text of bad) {
    const { file, store, warnings, dir } = fixture(t);
    store.save(FULL);
    writeFileSync(file, text);
    t.same(store.load(), { version: 1, sessions: [] }, `empty state for ${JSON.stringify(text.slice(0, 30))}`);
    t.equal(readFileSync(`${file}.corrupt-1234`, 'utf8'), text, 'the bad file is kept aside for a look');
    t.notOk(existsSync(file));
    t.match(warnings, [/unreadable and has been moved to .*corrupt-1234; run `credd mfa`/]);
    t.ok(dir);
  }
});

t.test('a corrupt file that cannot be moved aside still does not stop the start', async (t) => {
  const fs = await import('node:fs');
  const { createStateStore: create } = await t.mockImport<typeof import('../../src/state/store.js')>('../../src/state/store.js', {
    'node:fs': {
      ...fs,
      renameSync: () => {
        throw new Error('EACCES: permission denied');
      },
    },
  });
  const { file, warnings } = fixture(t);
  fs.mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, '{');
  const store = create({ file, now: () => 1, warn: (m) => warnings.push(m) });
  t.same(store.load(), { version: 1, sessions: [] });
  t.match(warnings, [/could not be moved aside \(EACCES: permission denied\); starting without it/]);
});

t.test('leftover temporary files of a killed writer are removed on load', async (t) => {
  const { file, store } = fixture(t);
  store.save(FULL);
  writeFileSync(`${file}.4242.0badc0de.tmp`, '{"version":1,"ses');
  writeFileSync(`${file}.notours`, 'keep');
  t.same(store.load(), FULL);
  t.same(readdirSync(dirname(file)).sort(), ['state.json', 'state.json.notours']);
});

t.test('older files without credentials or lastUse are still valid', async (t) => {
  t.ok(validState({ version: 1, sessions: [SESSION] }));
  t.notOk(validState(undefined));
});

t.test('kill -9 in the middle of writes never leaves a torn state file', async (t) => {
  const { file, store } = fixture(t);
  for (let round = 0; round < 5; round++) {
    // Only the TypeScript loader: the child is not part of the coverage run.
    const loader = process.execArgv.filter((a) => !a.includes('processinfo'));
    const child = spawn(process.execPath, [...loader, join(here, 'fixtures', 'write-loop.ts'), file], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      child.stdout!.once('data', () => resolve());
      child.once('exit', (code) => reject(new Error(`writer exited early (${code})`)));
    });
    // Let it write for a while, then kill it without warning.
    await new Promise((r) => setTimeout(r, 30 + round * 20));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const text = readFileSync(file, 'utf8');
    const parsed = JSON.parse(text) as PersistedState;
    t.ok(validState(parsed), `round ${round}: a whole document (${parsed.activeProfile})`);
    t.equal(parsed.sessions[0]!.key, `k|${parsed.activeProfile!.slice(1)}`, 'and a consistent one');
    t.equal(statSync(file).mode & 0o777, 0o600);
    t.same(store.load(), parsed, 'which loads, after the leftovers are swept');
    t.same(
      readdirSync(dirname(file)).filter((n) => n.endsWith('.tmp')),
      [],
    );
  }
});

t.test('a state file that cannot be read (a directory left by sudo) starts empty and is left in place', async (t) => {
  const { file, warnings } = fixture(t);
  const fs = await import('node:fs');
  // EISDIR stands in for EACCES, which root (the test user) never gets: any read error but ENOENT.
  fs.mkdirSync(file, { recursive: true });
  const store = createStateStore({ file, now: () => 1, warn: (m) => warnings.push(m) });
  t.same(store.load(), { version: 1, sessions: [] });
  t.match(warnings, [/cannot be read \(EISDIR\); starting without it/]);
  t.ok(fs.statSync(file).isDirectory(), 'not moved aside');
});
