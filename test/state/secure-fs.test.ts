import t, { type Test } from 'tap';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensurePrivateDir, removeStaleTemps, writeFileAtomic } from '../../src/state/secure-fs.js';

function tempDir(t: Test): string {
  const dir = fs.mkdtempSync(join(tmpdir(), 'credd-fs-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

t.test('atomic write: 0600 whatever was there, old content replaced whole, no leftovers', async (t) => {
  const dir = join(tempDir(t), 'deep', 'state');
  const file = join(dir, 'f.json');
  writeFileAtomic(file, 'one');
  t.equal(fs.readFileSync(file, 'utf8'), 'one');
  t.equal(fs.statSync(dir).mode & 0o777, 0o700, 'parent created 0700');
  fs.chmodSync(file, 0o644);
  const umask = process.umask(0);
  try {
    writeFileAtomic(file, 'two');
  } finally {
    process.umask(umask);
  }
  t.equal(fs.readFileSync(file, 'utf8'), 'two');
  t.equal(fs.statSync(file).mode & 0o777, 0o600, 'a 0644 file becomes 0600, even with umask 0');
  t.same(fs.readdirSync(dir), ['f.json']);
});

t.test('ensurePrivateDir creates 0700 directories and leaves the mode of an existing one alone', async (t) => {
  const base = tempDir(t);
  const made = join(base, 'a', 'b');
  ensurePrivateDir(made);
  t.equal(fs.statSync(made).mode & 0o777, 0o700);
  t.equal(fs.statSync(join(base, 'a')).mode & 0o777, 0o700, 'parents too');
  const dir = join(base, 'state');
  fs.mkdirSync(dir);
  fs.chmodSync(dir, 0o750);
  ensurePrivateDir(dir);
  writeFileAtomic(join(dir, 'f'), 'x');
  t.equal(fs.statSync(dir).mode & 0o777, 0o750, "the user's own chmod is not undone at every write");
});

t.test('a failed write or rename leaves no temporary file and the old content intact', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'f.json');
  fs.writeFileSync(file, 'old');
  const broken = await t.mockImport<typeof import('../../src/state/secure-fs.js')>('../../src/state/secure-fs.js', {
    'node:fs': {
      ...fs,
      renameSync: () => {
        throw new Error('EXDEV');
      },
    },
  });
  t.throws(() => broken.writeFileAtomic(file, 'new'), /EXDEV/);
  t.same(fs.readdirSync(dir), ['f.json']);
  t.equal(fs.readFileSync(file, 'utf8'), 'old');
  const full = await t.mockImport<typeof import('../../src/state/secure-fs.js')>('../../src/state/secure-fs.js', {
    'node:fs': {
      ...fs,
      fsyncSync: (fd: number) => {
        if (fs.fstatSync(fd).isFile()) throw new Error('ENOSPC');
      },
    },
  });
  t.throws(() => full.writeFileAtomic(file, 'new'), /ENOSPC/);
  t.same(fs.readdirSync(dir), ['f.json']);
  t.equal(fs.readFileSync(file, 'utf8'), 'old');
  const noDirSync = await t.mockImport<typeof import('../../src/state/secure-fs.js')>('../../src/state/secure-fs.js', {
    'node:fs': {
      ...fs,
      fsyncSync: (fd: number) => {
        if (fs.fstatSync(fd).isDirectory()) throw new Error('EINVAL');
      },
    },
  });
  noDirSync.writeFileAtomic(file, 'new');
  t.equal(fs.readFileSync(file, 'utf8'), 'new', 'a directory that cannot be synced is not an error');
});

t.test("removeStaleTemps: only this file's temporaries", async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'state.json');
  for (const n of ['state.json', 'state.json.12.abcdef01.tmp', 'state.json.7.00000000.tmp', 'state.json.tmp', 'other.json.12.abcdef01.tmp'])
    fs.writeFileSync(join(dir, n), '');
  t.same(removeStaleTemps(file).sort(), ['state.json.12.abcdef01.tmp', 'state.json.7.00000000.tmp']);
  t.same(fs.readdirSync(dir).sort(), ['other.json.12.abcdef01.tmp', 'state.json', 'state.json.tmp']);
  t.same(removeStaleTemps(join(dir, 'missing', 'state.json')), [], 'a missing directory is nothing to do');
  const racing = await t.mockImport<typeof import('../../src/state/secure-fs.js')>('../../src/state/secure-fs.js', {
    'node:fs': {
      ...fs,
      unlinkSync: () => {
        throw new Error('ENOENT');
      },
    },
  });
  fs.writeFileSync(join(dir, 'state.json.1.abcdef01.tmp'), '');
  t.same(racing.removeStaleTemps(file), ['state.json.1.abcdef01.tmp'], 'one that vanished meanwhile is no error');
});
