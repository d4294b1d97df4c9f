import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { lifetimeNote } from '../../src/cli/commands/console.js';
import { run } from '../../src/cli/run.js';
import type { ConsoleAnswer } from '../../src/control/contract.js';
import { fakeCliContext } from '../helpers/cli-context.js';

const NOW = Date.parse('2030-01-01T12:00:00Z');
const URL_ = 'https://signin.aws.amazon.com/federation?Action=login&SigninToken=SECRET';
const answer = (body: unknown, extra: Partial<ConsoleAnswer> = {}): ConsoleAnswer => ({
  profile: (body as { profile?: string }).profile ?? 'dev',
  kind: 'role-chained',
  endsAt: '2030-01-01T12:40:00Z',
  ...((body as { stdout?: boolean }).stdout ? { url: URL_ } : { page: '/run/credd/console-x.html' }),
  ...extra,
});

t.test('--stdout prints the URL on stdout and the lifetime on stderr', async (t) => {
  const cli = fakeCliContext({ now: NOW, env: { CREDD_SIGNIN_URL: 'http://127.0.0.1:1' }, routes: { 'POST /console': (b) => answer(b) } });
  t.equal(await run(cli.ctx, ['console', 'dev', '--stdout', '--destination', 's3', '--logout-first']), 0);
  t.equal(cli.stdout(), `${URL_}\n`);
  t.match(
    cli.stderr(),
    /^Console for dev until 2030-01-01T12:40:00Z \(40m left\): it lasts only as long as the role credentials .*credd console dev --long\.\n$/,
  );
  t.same(cli.calls, [
    { method: 'POST', path: '/console', body: { stdout: true, profile: 'dev', destination: 's3', logoutFirst: true, signinUrl: 'http://127.0.0.1:1' } },
  ]);
});

t.test('without --stdout: the browser gets the private page, never the URL', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'credd-browser-'));
  const script = join(dir, 'browser.sh');
  const out = join(dir, 'argv');
  writeFileSync(script, `#!/bin/sh\nprintf '%s\\n' "$@" > ${out}\n`);
  chmodSync(script, 0o755);
  const cli = fakeCliContext({ now: NOW, env: { BROWSER: script }, routes: { 'POST /console': (b) => answer(b) } });
  t.equal(await run(cli.ctx, ['console']), 0);
  t.equal(cli.stdout(), '', 'nothing on stdout');
  for (let i = 0; i < 50 && !readable(out); i++) await new Promise((r) => setTimeout(r, 50));
  t.equal(readFileSync(out, 'utf8'), '/run/credd/console-x.html\n');
  t.same(cli.calls[0]!.body, { stdout: false });
});

const readable = (f: string) => {
  try {
    return readFileSync(f, 'utf8').length > 0;
  } catch {
    return false;
  }
};

t.test('--long asks for a code (mfa_process from the local AWS config, never from the socket) and sends it', async (t) => {
  const root = t.testdir({
    home: {
      '.aws': {
        credentials: '[management]\naws_access_key_id = AKIA\naws_secret_access_key = s\n',
        config:
          '[profile prod]\nsource_profile = management\nrole_arn = arn:aws:iam::555555555555:role/R\nmfa_serial = arn:aws:iam::1:mfa/u\nmfa_process = echo 424242\n',
      },
    },
  });
  const cli = fakeCliContext({
    root,
    env: { HOME: `${root}/home` },
    now: NOW,
    routes: {
      'GET /mfa?profile=prod': () => ({ profile: 'prod', mfaSerial: 'arn:aws:iam::1:mfa/u', mfaProcess: 'echo 999999' }),
      'POST /console': (b) => answer(b, { kind: 'role-long', sessionDuration: 43200, endsAt: '2030-01-02T00:00:00Z' }),
    },
  });
  t.equal(await run(cli.ctx, ['console', 'prod', '--long', '--stdout']), 0);
  t.same(cli.calls[1]!.body, { stdout: true, profile: 'prod', long: true, code: '424242' });
  t.match(cli.stderr(), /new MFA code, for 12 h/);
  const noMfa = fakeCliContext({ now: NOW, routes: { 'GET /mfa': () => ({ profile: 'dev' }), 'POST /console': (b) => answer(b) } });
  t.equal(await run(noMfa.ctx, ['console', '--long', '--stdout']), 0);
  t.same(noMfa.calls[1]!.body, { stdout: true, long: true }, 'no code for a role without mfa_serial');
});

t.test('the lifetime notes say what the session is', async (t) => {
  const base = { profile: 'p', endsAt: '2030-01-01T13:00:00Z' };
  t.match(lifetimeNote({ ...base, kind: 'role' }, NOW), /as long as the role credentials it was made from/);
  t.match(
    lifetimeNote({ ...base, kind: 'federation-token', federatedUser: 'credd-p' }, NOW),
    /federated user credd-p \(GetFederationToken: p has no role\)\. This session carries no MFA context/,
  );
});

t.test('errors: bad flags, a browser that cannot start', async (t) => {
  const cli = fakeCliContext({ routes: {} });
  t.equal(await run(cli.ctx, ['console', '--bogus']), 2);
  const nob = fakeCliContext({ now: NOW, env: { BROWSER: '/nonexistent/browser' }, routes: { 'POST /console': (b) => answer(b) } });
  t.equal(await run(nob.ctx, ['console']), 2);
  t.match(nob.stderr(), /Cannot start \/nonexistent\/browser \(ENOENT\): set BROWSER, or use --stdout/);
  t.notMatch(nob.stderr(), /SECRET/);
});
