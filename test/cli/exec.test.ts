import { existsSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { run } from '../../src/cli/run.js';
import { MfaRequiredError } from '../../src/errors.js';
import { fakeCliContext } from '../helpers/cli-context.js';

const creds = () => ({ AccessKeyId: 'ASIA', SecretAccessKey: 's', Token: 't', Expiration: '2030-01-01T13:00:00Z' });

/** A fake CLI in a fresh root whose environment carries PATH, a shadowing AWS_PROFILE and a stale token file. */
function sandbox(t: Test, routes: Record<string, () => unknown> = { 'GET /credentials/dev': creds }) {
  const root = t.testdir({});
  const env = {
    PATH: process.env.PATH,
    HOME: join(root, 'home'),
    XDG_RUNTIME_DIR: join(root, 'run'),
    XDG_STATE_HOME: join(root, 'state'),
    XDG_CONFIG_HOME: join(root, 'config'),
    AWS_PROFILE: 'would-shadow',
    AWS_ACCESS_KEY_ID: 'AKIASHADOW',
    AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: '/stale/token',
    KEEP_ME: 'kept',
  };
  return { root, cli: fakeCliContext({ root, env, routes }) };
}

t.test('mirrors the command’s exit status', async (t) => {
  const { cli } = sandbox(t);
  t.equal(await run(cli.ctx, ['exec', 'dev', '--', 'sh', '-c', 'exit 7']), 7);
  t.same(cli.calls, [{ method: 'GET', path: '/credentials/dev' }], 'checked NAME first');
  t.equal(await run(cli.ctx, ['exec', 'dev', '--', 'sh', '-c', 'exit 0']), 0);
});

t.test('runs the command with the environment of `credd env NAME`', async (t) => {
  const { cli } = sandbox(t);
  const script = [
    'test "$AWS_CONTAINER_CREDENTIALS_FULL_URI" = "http://127.0.0.1:9911/creds/dev" || exit 11',
    'test -n "$AWS_CONTAINER_AUTHORIZATION_TOKEN" || exit 12',
    'test -z "${AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE+x}" || exit 13',
    'test -z "${AWS_PROFILE+x}" || exit 14',
    'test -z "${AWS_ACCESS_KEY_ID+x}" || exit 15',
    'test "$KEEP_ME" = kept || exit 16',
    'test "$1" = "two words" || exit 17',
  ].join('\n');
  t.equal(await run(cli.ctx, ['exec', 'dev', '--', 'sh', '-c', script, 'sh', 'two words']), 0);
});

t.test('a command killed by a signal: 128 + the signal number', async (t) => {
  const { cli } = sandbox(t);
  t.equal(await run(cli.ctx, ['exec', 'dev', '--', 'sh', '-c', 'kill -TERM $$']), 128 + 15);
});

t.test('a command that cannot be run: exit 2', async (t) => {
  const { cli } = sandbox(t);
  t.equal(await run(cli.ctx, ['exec', 'dev', '--', 'credd-no-such-command-xyz']), 2);
  t.match(cli.stderr(), /^credd: Cannot run credd-no-such-command-xyz: spawn credd-no-such-command-xyz ENOENT\n$/);
});

t.test('a profile that cannot be served: its error, and the command never runs', async (t) => {
  const { cli, root } = sandbox(t, {
    'GET /credentials/prod': () => {
      throw new MfaRequiredError('prod');
    },
  });
  const marker = join(root, 'ran');
  t.equal(await run(cli.ctx, ['exec', 'prod', '--', 'touch', marker]), 1);
  t.match(cli.stderr(), 'Profile "prod" needs an MFA session');
  t.equal(existsSync(marker), false);
});

t.test('usage errors: exit 2 without calling the daemon', async (t) => {
  const usage = 'credd: Usage: credd exec NAME -- CMD [ARGS...] (see `credd exec --help`)\n';
  for (const [argv, message] of [
    [['exec', 'dev'], usage],
    [['exec', 'dev', '--'], usage],
    [['exec', '--', 'true'], usage],
    [['exec', 'a', 'b', '--', 'true'], 'credd: Too many arguments for `credd exec`: b (see `credd exec --help`)\n'],
  ] as const) {
    const { cli } = sandbox(t);
    t.equal(await run(cli.ctx, [...argv]), 2, argv.join(' '));
    t.equal(cli.stderr(), message);
    t.same(cli.calls, []);
  }
});
