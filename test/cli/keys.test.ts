import t, { type Test } from 'tap';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createKeysCommand } from '../../src/cli/commands/keys.js';
import { run } from '../../src/cli/run.js';
import { CreddError } from '../../src/errors.js';
import type { KeyringChoice } from '../../src/keyring/open-keyring.js';
import { profileKeyring } from '../../src/keyring/profile-keys.js';
import { fakeCliContext } from '../helpers/cli-context.js';
import { memoryStore } from '../keyring/memory-store.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const FILE = `[default]\nregion = eu-west-1\n\n[management]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = ${SECRET}\n# kept\n`;

function setup(t: Test, opts: { file?: string; stdin?: string; choice?: KeyringChoice; routes?: Record<string, () => unknown> } = {}) {
  const root = t.testdir({});
  mkdirSync(join(root, 'home', '.aws'), { recursive: true });
  const credentialsFile = join(root, 'home', '.aws', 'credentials');
  if (opts.file !== undefined) writeFileSync(credentialsFile, opts.file);
  const store = memoryStore();
  const cli = fakeCliContext({
    root,
    ...(opts.stdin !== undefined ? { stdin: opts.stdin } : {}),
    routes: opts.routes ?? { 'POST /reload': () => ({ ok: true }) },
  });
  const keys = createKeysCommand({ openKeyring: async () => opts.choice ?? { store } });
  const go = async (...args: string[]) => {
    try {
      return await keys(cli.ctx, args);
    } catch (err) {
      cli.ctx.err(`credd: ${(err as Error).message}\n`);
      return (err as CreddError).exitCode ?? 1;
    }
  };
  return { cli, go, store, kr: profileKeyring(store), credentialsFile, root };
}

t.test('import moves the pair, keeps the rest of the file, tells the daemon', async (t) => {
  const s = setup(t, { file: FILE });
  t.equal(await s.go('import', 'management'), 0, s.cli.stderr());
  t.equal(readFileSync(s.credentialsFile, 'utf8'), '[default]\nregion = eu-west-1\n\n[management]\n# kept\n');
  t.same(s.kr.get('management'), { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: SECRET });
  t.notMatch(s.cli.stdout(), SECRET);
  t.match(s.cli.stdout(), /Keys of management \(AKIAIOSFODNN7EXAMPLE\) are in the keyring now/);
  t.same(
    s.cli.calls.map((c) => c.path),
    ['/reload'],
  );
  // Again: nothing left to import, and it says the keyring has them.
  t.equal(await s.go('import', 'management'), 2);
  t.match(s.cli.stderr(), /No aws_access_key_id\/aws_secret_access_key under \[management\].*\(the keyring already has keys for it\)/);
});

t.test('import refuses temporary keys and a missing section, and writes nothing', async (t) => {
  const s = setup(t, { file: '[tmp]\naws_access_key_id = ASIA1\naws_secret_access_key = s\naws_session_token = tok\n' });
  t.equal(await s.go('import', 'tmp'), 2);
  t.match(s.cli.stderr(), /temporary credentials/);
  t.equal(await s.go('import', 'nope'), 2);
  t.same(s.kr.names(), []);
  t.equal(readFileSync(s.credentialsFile, 'utf8'), '[tmp]\naws_access_key_id = ASIA1\naws_secret_access_key = s\naws_session_token = tok\n');
});

t.test('no usable keyring: a clear error, the file untouched, nothing written anywhere', async (t) => {
  const s = setup(t, { file: FILE, choice: { reason: 'the secret-service keyring did not answer (no D-Bus)' } });
  const before = readdirSync(s.root, { recursive: true }).sort();
  t.equal(await s.go('import', 'management'), 1);
  t.match(
    s.cli.stderr(),
    /No keyring to keep keys in \(the secret-service keyring did not answer \(no D-Bus\)\): run a Secret Service .* Nothing was written\./,
  );
  t.equal(readFileSync(s.credentialsFile, 'utf8'), FILE);
  t.same(readdirSync(s.root, { recursive: true }).sort(), before, 'no new file');
});

t.test('add reads two lines from standard input; list and remove', async (t) => {
  const s = setup(t, { file: FILE, stdin: `AKIANEWKEY1234567\n${SECRET}\n` });
  t.equal(await s.go('add', 'management'), 0, s.cli.stderr());
  t.same(s.kr.get('management'), { accessKeyId: 'AKIANEWKEY1234567', secretAccessKey: SECRET });
  t.match(s.cli.stdout(), /The keyring wins over the copy still in/);
  t.equal(await s.go('list'), 0);
  t.match(s.cli.stdout(), /^management {2}\(a plaintext copy is still in the credentials file/m);
  t.equal(await s.go('remove', 'management'), 0);
  t.same(s.kr.names(), []);
  t.equal(await s.go('remove', 'management'), 2);
  t.match(s.cli.stderr(), /holds no keys for management/);
  t.equal(await s.go('list'), 0);
  t.match(s.cli.stdout(), /No profile has keys in the keyring/);
});

t.test('add refuses what is not a key pair', async (t) => {
  for (const stdin of ['', 'not a key\nx\n', 'AKIAGOODKEY123456\n\n', 'AKIAGOODKEY123456\nhas space\n']) {
    const s = setup(t, { stdin });
    t.equal(await s.go('add', 'p'), 2, JSON.stringify(stdin));
    t.same(s.kr.names(), []);
  }
});

t.test('usage errors; a daemon that is down is fine, other daemon errors are not', async (t) => {
  const s = setup(t, { file: FILE, routes: {} });
  t.equal(await s.go(), 2);
  t.equal(await s.go('frob'), 2);
  t.equal(await s.go('import'), 2);
  t.equal(await s.go('import', 'bad name'), 2);
  t.equal(await s.go('import', 'management'), 0, 'no daemon: fine');
  const broken = setup(t, {
    file: FILE,
    routes: {
      'POST /reload': () => {
        throw new CreddError('InternalError', 'boom');
      },
    },
  });
  t.equal(await broken.go('import', 'management'), 1);
  t.match(broken.cli.stderr(), /boom/);
});

t.test('credd keys and credd rotate are wired into the CLI with help', async (t) => {
  const cli = fakeCliContext({ routes: { 'POST /rotate': () => ({ profile: 'management', oldKeyId: 'AKIAOLD', newKeyId: 'AKIANEW', where: 'keyring' }) } });
  t.equal(await run(cli.ctx, ['rotate', 'management']), 0);
  t.equal(cli.stdout(), 'Rotated management: the new key AKIANEW is stored in the keyring, and the old key AKIAOLD is deleted.\n');
  t.same(cli.calls, [{ method: 'POST', path: '/rotate', body: { profile: 'management' } }], 'only the name crosses the socket');
  const none = fakeCliContext();
  t.equal(await run(none.ctx, ['rotate']), 2);
  t.equal(await run(none.ctx, ['rotate', 'management']), 3, 'no daemon: exit 3');
  const help = fakeCliContext();
  t.equal(await run(help.ctx, ['keys', '--help']), 0);
  t.match(help.stdout(), /Usage: credd keys import\|add/);
  t.equal(await run(help.ctx, ['rotate', '--help']), 0);
  t.match(help.stdout(), /credd rotate PROFILE/);
  t.match(help.stdout(), /keys import\|add\|remove\|list/);
});
