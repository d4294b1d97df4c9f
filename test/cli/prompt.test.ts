import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';
import { compactLeft, PROMPT_TIMEOUT_MS, promptLine } from '../../src/cli/commands/prompt.js';
import { run } from '../../src/cli/run.js';
import type { StatusInfo } from '../../src/control/contract.js';
import { CreddError } from '../../src/errors.js';
import { fakeCliContext } from '../helpers/cli-context.js';
import { reachableImports } from './import-graph.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const NOW = Date.parse('2030-01-01T12:00:00Z');
const at = (minutes: number) => new Date(NOW + minutes * 60000).toISOString().replace(/\.\d+Z$/, 'Z');
const MFA = 'arn:aws:iam::111111111111:mfa/user.name';

/** A home with the spec's management + dev profiles, plus `ci` (keys, role, no MFA). */
function home(t: Test): string {
  return t.testdir({
    home: {
      '.aws': {
        credentials: '[management]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = s\n',
        config: `[profile management]\nregion = us-west-2\n\n[profile dev]\nsource_profile = management\nrole_arn = arn:aws:iam::222222222222:role/R\nmfa_serial = ${MFA}\n\n[profile ci]\nsource_profile = management\nrole_arn = arn:aws:iam::333333333333:role/R\n`,
      },
    },
  });
}

function status(over: Partial<StatusInfo>): StatusInfo {
  return { sessions: [], profiles: [], errors: [], warnings: [], ...over };
}

async function prompt(t: Test, s: StatusInfo | (() => never)) {
  const cli = fakeCliContext({ root: home(t), now: NOW, routes: { 'GET /status': typeof s === 'function' ? s : () => s } });
  const code = await run(cli.ctx, ['prompt']);
  return { code, out: cli.stdout(), err: cli.stderr(), calls: cli.calls };
}

t.test('compactLeft', async (t) => {
  t.equal(compactLeft(0), '0m');
  t.equal(compactLeft(59 * 60000 + 59000), '59m');
  t.equal(compactLeft(60 * 60000), '1h00m');
  t.equal(compactLeft(65 * 60000), '1h05m');
  t.equal(compactLeft((11 * 60 + 58) * 60000 + 30000), '11h58m');
});

t.test('the active profile and the time until the next MFA code', async (t) => {
  const r = await prompt(
    t,
    status({
      activeProfile: 'dev',
      sessions: [{ source: 'management', mfaSerial: MFA, expiration: at(42.5), valid: true }],
      profiles: [{ name: 'dev', expiration: at(55) }],
    }),
  );
  t.same(
    r,
    { code: 0, out: 'dev 42m\n', err: '', calls: [{ method: 'GET', path: '/status', timeoutMs: PROMPT_TIMEOUT_MS }] },
    'the session, not the role credentials, and a short timeout',
  );
  const long = await prompt(t, status({ activeProfile: 'dev', sessions: [{ source: 'management', mfaSerial: MFA, expiration: at(718), valid: true }] }));
  t.equal(long.out, 'dev 11h58m\n');
});

t.test('mfa! when the session the profile needs is missing or over', async (t) => {
  t.equal((await prompt(t, status({ activeProfile: 'dev' }))).out, 'dev mfa!\n');
  t.equal(
    (await prompt(t, status({ activeProfile: 'dev', sessions: [{ source: 'management', mfaSerial: MFA, expiration: at(-1), valid: false }] }))).out,
    'dev mfa!\n',
  );
  const other = status({
    activeProfile: 'dev',
    sessions: [{ source: 'management', mfaSerial: 'arn:aws:iam::111111111111:mfa/other', expiration: at(60), valid: true }],
  });
  t.equal((await prompt(t, other)).out, 'dev mfa!\n', "another device's session does not count");
});

t.test('a profile without MFA shows its credentials, or its name', async (t) => {
  t.equal((await prompt(t, status({ activeProfile: 'ci', profiles: [{ name: 'ci', expiration: at(30) }] }))).out, 'ci 30m\n');
  t.equal((await prompt(t, status({ activeProfile: 'ci' }))).out, 'ci\n');
  t.equal((await prompt(t, status({ activeProfile: 'ci', errors: [{ name: 'ci', code: 'AccessDenied', message: 'no', at: NOW }] }))).out, 'ci err!\n');
  t.equal(
    (await prompt(t, status({ activeProfile: 'gone', profiles: [{ name: 'gone', expiration: at(5) }] }))).out,
    'gone 5m\n',
    'a profile the local config does not know',
  );
});

t.test('silent, exit 0, whenever there is nothing to show', async (t) => {
  t.same(
    await prompt(t, status({})),
    { code: 0, out: '', err: '', calls: [{ method: 'GET', path: '/status', timeoutMs: PROMPT_TIMEOUT_MS }] },
    'no active profile',
  );
  const none = fakeCliContext({ now: NOW });
  t.equal(await run(none.ctx, ['prompt']), 0, 'no daemon');
  t.equal(none.stdout() + none.stderr(), '');
  const broken = await prompt(t, () => {
    throw new CreddError('InternalError', 'boom');
  });
  t.same([broken.code, broken.out, broken.err], [0, '', ''], 'a daemon that answers with an error');
  const usage = fakeCliContext();
  t.equal(await run(usage.ctx, ['prompt', '--long']), 2, 'only a usage error is an error');
  t.equal(promptLine(status({ activeProfile: 'x' }), { root: 'r', mfaSerial: 'm' }, NOW), 'x mfa!');
});

t.test('never loads the AWS SDK', async (t) => {
  const imports = [...reachableImports(join(ROOT, 'src', 'cli', 'commands', 'prompt.ts'))];
  t.ok(imports.includes('../../aws/resolve-plan.js'), 'the walk sees the imports');
  t.same(
    imports.filter((s) => s.startsWith('@aws-sdk') || s.startsWith('@smithy')),
    [],
  );
});

t.test('the built binary: silent without a daemon, and when the daemon hangs', async (t) => {
  const bin = join(ROOT, 'dist', 'bin', 'credd.js');
  if (!existsSync(join(ROOT, 'dist', 'cli', 'commands', 'prompt.js'))) {
    t.fail('dist/ has no prompt command: run `npm run build` first');
    return;
  }
  // Short: the control socket path must fit in 108 bytes.
  const dir = mkdtempSync(join(tmpdir(), 'credd-prompt-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const env = {
    PATH: process.env.PATH,
    HOME: join(dir, 'home'),
    XDG_RUNTIME_DIR: join(dir, 'run'),
    XDG_STATE_HOME: join(dir, 'state'),
    XDG_CONFIG_HOME: join(dir, 'config'),
  };
  const once = () =>
    new Promise<{ code: number | null; out: string }>((done) => {
      const child = spawn(process.execPath, [bin, 'prompt'], { env });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      child.on('close', (code) => done({ code, out }));
    });
  t.same(await once(), { code: 0, out: '' }, 'no daemon');
  // A daemon that accepts the connection and never answers: the prompt must still return.
  mkdirSync(join(dir, 'run', 'credd'), { recursive: true, mode: 0o700 }); // as credd makes it: an open one is refused
  let connections = 0;
  const hung = createServer(() => void connections++);
  await new Promise<void>((r) => hung.listen(join(dir, 'run', 'credd', 'control.sock'), r));
  t.teardown(() => hung.close());
  t.same(await once(), { code: 0, out: '' }, 'a hung daemon');
  t.equal(connections, 1, 'the prompt did reach the hung daemon');
});
