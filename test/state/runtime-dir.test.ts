import t from 'tap';
import { chmodSync, mkdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkRuntimeDir, ensureRuntimeDir } from '../../src/state/runtime-dir.js';

const me = process.getuid!();

t.test('ensureRuntimeDir creates 0700 (parents too), and accepts our own 0700 directory', async (t) => {
  const dir = join(t.testdir({}), 'run', 'credd');
  ensureRuntimeDir(dir, me);
  t.equal(statSync(dir).mode & 0o777, 0o700);
  ensureRuntimeDir(dir, me);
  t.equal(checkRuntimeDir(dir, me), true);
  t.equal(checkRuntimeDir(join(dir, 'nope'), me), false, 'missing: nothing to refuse');
});

t.test('refused: another owner, a symlink, a file, a mode open to others', async (t) => {
  const root = t.testdir({ file: 'x' });
  const other = join(root, 'other');
  mkdirSync(other, { mode: 0o700 });
  t.throws(() => checkRuntimeDir(other, me + 4242), {
    code: 'UnsafeRuntimeDir',
    message: new RegExp(`it is owned by root \\(uid 0\\), not by you \\(uid ${me + 4242}\\)`),
  });
  t.throws(() => ensureRuntimeDir(other, me + 4242), { code: 'UnsafeRuntimeDir' }, 'ensure refuses what is there too');
  const link = join(root, 'link');
  symlinkSync(other, link);
  t.throws(() => checkRuntimeDir(link, me), { message: /it is a symbolic link \(to .*other\), owned by root/ });
  t.throws(() => checkRuntimeDir(join(root, 'file'), me), { message: /it is not a directory/ });
  const open = join(root, 'open');
  mkdirSync(open);
  chmodSync(open, 0o755);
  t.throws(() => checkRuntimeDir(open, me), { message: /others may use it \(mode 0755\)\. Run `chmod 700 .*open`\./ });
  writeFileSync(join(root, 'x2'), '');
});

t.test('an lstat error other than ENOENT is not swallowed', async (t) => {
  const root = t.testdir({ file: 'x' });
  t.throws(() => checkRuntimeDir(join(root, 'file', 'below'), me), { code: 'ENOTDIR' });
  t.throws(() => ensureRuntimeDir(join(root, 'file', 'below'), me), { code: /EEXIST|ENOTDIR/ });
});
