import t, { type Test } from 'tap';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from '../../src/cli/context.js';
import { run } from '../../src/cli/run.js';
import { AccessDeniedError } from '../../src/errors.js';
import { fakeCliContext } from '../helpers/cli-context.js';

const NOW = Date.parse('2030-01-01T12:00:00Z');
const MFA = 'arn:aws:iam::111111111111:mfa/u';
const started = (body: unknown) => ({ profile: (body as { profile?: string }).profile ?? 'dev', source: 'management', expiration: '2030-01-02T00:00:00Z' });

t.test('a CODE on the command line, then the profile is warmed', async (t) => {
  const cli = fakeCliContext({
    now: NOW,
    routes: { 'POST /mfa': started, 'POST /warm': () => ({ profile: 'dev', ready: true, expiration: '2030-01-01T12:59:00Z' }) },
  });
  t.equal(await run(cli.ctx, ['mfa', '123456']), 0);
  t.equal(cli.stdout(), 'MFA session for management started: valid until 2030-01-02T00:00:00Z (12h 00m left).\ndev: credentials ready, 59m left\n');
  t.same(cli.calls, [
    { method: 'POST', path: '/mfa', body: { code: '123456' } },
    { method: 'POST', path: '/warm', body: { profile: 'dev', waitMs: 10000 } },
  ]);
});

t.test('the session is in hand even when warming fails', async (t) => {
  const cli = fakeCliContext({
    now: NOW,
    routes: { 'POST /mfa': started, 'POST /warm': () => ({ profile: 'dev', ready: false, error: { code: 'AccessDenied', message: 'STS refused the role' } }) },
  });
  t.equal(await run(cli.ctx, ['mfa', '123456']), 0);
  t.equal(cli.stderr(), 'dev: no credentials: STS refused the role\n');
});

t.test('--profile / -p is passed on', async (t) => {
  for (const flag of ['--profile', '-p']) {
    const cli = fakeCliContext({ now: NOW, routes: { 'POST /mfa': started } });
    t.equal(await run(cli.ctx, ['mfa', '123456', flag, 'prod']), 0);
    t.same(cli.calls[0], { method: 'POST', path: '/mfa', body: { code: '123456', profile: 'prod' } });
  }
});

/** A HOME whose AWS config gives `prod` (and `dev`) an mfa_process. */
const withProcess = (t: Test, command: string) =>
  t.testdir({
    home: {
      '.aws': {
        credentials: '[management]\naws_access_key_id = AKIA\naws_secret_access_key = s\n',
        config: ['prod', 'dev']
          .map(
            (p) => `[profile ${p}]\nsource_profile = management\nrole_arn = arn:aws:iam::555555555555:role/R\nmfa_serial = ${MFA}\nmfa_process = ${command}\n`,
          )
          .join('\n'),
      },
    },
  });

t.test('without CODE: mfa_process from the local AWS config gives it, never one from the socket', async (t) => {
  const root = withProcess(t, "printf '  246810\\n'");
  const planted = join(root, 'pwned');
  const cli = fakeCliContext({
    root,
    now: NOW,
    env: { HOME: join(root, 'home') },
    routes: { 'GET /mfa?profile=prod': () => ({ profile: 'prod', mfaSerial: MFA, mfaProcess: `touch ${planted}` }), 'POST /mfa': started },
  });
  t.equal(await run(cli.ctx, ['mfa', '--profile', 'prod']), 0);
  t.same(cli.calls[1], { method: 'POST', path: '/mfa', body: { code: '246810', profile: 'prod' } }, 'trimmed output of the command');
  t.notOk(existsSync(planted), 'the command line that came over the socket never ran');
});

t.test('a failing mfa_process: exit 2, nothing sent', async (t) => {
  const root = withProcess(t, 'echo oops >&2; exit 3');
  const cli = fakeCliContext({ root, env: { HOME: join(root, 'home') }, routes: { 'GET /mfa': () => ({ profile: 'dev', mfaSerial: MFA }) } });
  t.equal(await run(cli.ctx, ['mfa']), 2);
  t.match(cli.stderr(), /^credd: mfa_process failed \(Command failed: .*\): fix it in your AWS config or pass the code: credd mfa CODE\.\n$/);
  t.equal(cli.calls.length, 1, 'no POST');
});

t.test('without CODE or mfa_process, not on a terminal: one line from stdin', async (t) => {
  for (const [stdin, code] of [
    ['135790\nignored\n', '135790'],
    ['  975310  ', '975310'],
    ['', ''],
  ]) {
    const cli = fakeCliContext({ now: NOW, stdin, routes: { 'GET /mfa': () => ({ profile: 'dev', mfaSerial: MFA }), 'POST /mfa': started } });
    t.equal(await run(cli.ctx, ['mfa']), 0, JSON.stringify(stdin));
    t.same(cli.calls[1]!.body, { code }, JSON.stringify(stdin));
  }
});

t.test('stdin in several chunks', async (t) => {
  const { Readable } = await import('node:stream');
  const cli = fakeCliContext({ now: NOW, routes: { 'GET /mfa': () => ({ profile: 'dev', mfaSerial: MFA }), 'POST /mfa': started } });
  cli.ctx.stdin = Readable.from([Buffer.from('12'), Buffer.from('34'), Buffer.from('56\n78')]);
  t.equal(await run(cli.ctx, ['mfa']), 0);
  t.same(cli.calls[1]!.body, { code: '123456' });
});

t.test('on a terminal: a hidden prompt naming the device', async (t) => {
  const prompts: Array<Record<string, unknown>> = [];
  // The prompt lives in ask-code.js (shared with `credd console --long`): mock `read` there.
  const askCode = await t.mockImport('../../src/cli/ask-code.js', {
    read: {
      read: async (opts: Record<string, unknown>) => {
        prompts.push(opts);
        return ' 112233 ';
      },
    },
  });
  const { default: mfa } = await t.mockImport<{ default: Command }>('../../src/cli/commands/mfa.js', { '../../src/cli/ask-code.js': askCode });
  const cli = fakeCliContext({ now: NOW, isTTY: true, routes: { 'GET /mfa': () => ({ profile: 'dev', mfaSerial: MFA }), 'POST /mfa': started } });
  t.equal(await mfa(cli.ctx, []), 0);
  t.same(cli.calls[1]!.body, { code: '112233' });
  t.equal(prompts.length, 1);
  t.match(prompts[0], { prompt: `MFA code for ${MFA}: `, silent: true, replace: '*' });
});

t.test('a profile without mfa_serial needs no code', async (t) => {
  const cli = fakeCliContext({ routes: { 'GET /mfa': () => ({ profile: 'ci' }) } });
  t.equal(await run(cli.ctx, ['mfa']), 2);
  t.equal(cli.stderr(), 'credd: Profile "ci" needs no MFA code (no mfa_serial in its chain).\n');
});

t.test('a rejected code: the daemon’s message, exit 1', async (t) => {
  const cli = fakeCliContext({
    routes: {
      'POST /mfa': () => {
        throw new AccessDeniedError('STS refused the MFA code for arn (check the code and try again): AccessDenied: MultiFactorAuthentication failed');
      },
    },
  });
  t.equal(await run(cli.ctx, ['mfa', '000000']), 1);
  t.equal(cli.stdout(), '');
  t.match(cli.stderr(), /^credd: STS refused the MFA code/);
  t.notMatch(cli.stderr(), '000000');
});

t.test('no daemon: exit 3', async (t) => {
  const cli = fakeCliContext();
  t.equal(await run(cli.ctx, ['mfa', '123456']), 3);
});

t.test('too many arguments', async (t) => {
  const cli = fakeCliContext();
  t.equal(await run(cli.ctx, ['mfa', '123456', '654321']), 2);
  t.same(cli.calls, []);
});
