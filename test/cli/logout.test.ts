import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import t from 'tap';
import { run } from '../../src/cli/run.js';
import { CreddError } from '../../src/errors.js';
import { fakeCliContext } from '../helpers/cli-context.js';

t.test('through the daemon', async (t) => {
  const cli = fakeCliContext({ routes: { 'POST /logout': () => ({ ok: true }), 'POST /sso/logout': () => ({ signedOut: ['corp'] }) } });
  t.equal(await run(cli.ctx, ['logout']), 0);
  t.equal(cli.stdout(), 'Logged out: sessions and credentials erased.\n');
  t.same(
    cli.calls,
    [
      { method: 'POST', path: '/sso/logout', body: {} },
      { method: 'POST', path: '/logout', body: {} },
    ],
    'every SSO session too',
  );
});

t.test('credd logout SESSION: that IAM Identity Center session only', async (t) => {
  const cli = fakeCliContext({ routes: { 'POST /sso/logout': (b) => ({ signedOut: (b as { session: string }).session === 'corp' ? ['corp'] : [] }) } });
  t.equal(await run(cli.ctx, ['logout', 'corp']), 0);
  t.equal(await run(cli.ctx, ['logout', 'other']), 0);
  t.equal(cli.stdout(), 'Signed out of "corp".\n"other" was not signed in.\n');
  t.same(
    cli.calls.map((c) => c.body),
    [{ session: 'corp' }, { session: 'other' }],
  );
});

t.test('no daemon: the state file is erased on disk', async (t) => {
  const cli = fakeCliContext({ root: t.testdir({}) });
  const file = cli.ctx.paths.stateFile;
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify({ version: 1, activeProfile: 'dev', sessions: [] }));
  t.equal(await run(cli.ctx, ['logout']), 0);
  t.equal(existsSync(file), false);
  t.equal(cli.stdout(), 'Logged out: sessions and credentials erased.\n');
  t.equal(await run(cli.ctx, ['logout']), 0, 'again, with no file: still fine');
});

t.test('other errors are reported, nothing erased', async (t) => {
  const cli = fakeCliContext({
    root: t.testdir({}),
    routes: {
      'POST /sso/logout': () => ({ signedOut: [] }),
      'POST /logout': () => {
        throw new CreddError('InternalError', 'disk full', 500);
      },
    },
  });
  mkdirSync(dirname(cli.ctx.paths.stateFile), { recursive: true });
  writeFileSync(cli.ctx.paths.stateFile, '{}');
  t.equal(await run(cli.ctx, ['logout']), 1);
  t.equal(cli.stderr(), 'credd: disk full\n');
  t.equal(existsSync(cli.ctx.paths.stateFile), true);
  t.equal(await run(fakeCliContext().ctx, ['logout', 'a', 'b']), 2);
});
