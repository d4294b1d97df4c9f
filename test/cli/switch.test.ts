import t from 'tap';
import { run } from '../../src/cli/run.js';
import { UnknownProfileError } from '../../src/errors.js';
import { fakeCliContext } from '../helpers/cli-context.js';

t.test('switch NAME makes it active', async (t) => {
  const cli = fakeCliContext({ routes: { 'POST /switch': () => ({ profile: 'dev', needsMfa: false, region: 'us-west-2' }) } });
  t.equal(await run(cli.ctx, ['switch', 'dev']), 0);
  t.equal(cli.stdout(), 'Active profile: dev\n');
  t.equal(cli.stderr(), '');
  t.same(cli.calls, [{ method: 'POST', path: '/switch', body: { profile: 'dev' } }]);
});

t.test('says when an MFA session is needed first', async (t) => {
  const cli = fakeCliContext({ routes: { 'POST /switch': () => ({ profile: 'prod', needsMfa: true }) } });
  t.equal(await run(cli.ctx, ['switch', 'prod']), 0);
  t.equal(cli.stdout(), 'Active profile: prod\n');
  t.equal(cli.stderr(), 'prod needs an MFA session: run `credd mfa`.\n');
});

t.test('an unknown profile: non-zero, the daemon’s message', async (t) => {
  const cli = fakeCliContext({ routes: { 'POST /switch': () => { throw new UnknownProfileError('nope'); } } });
  t.equal(await run(cli.ctx, ['switch', 'nope']), 1);
  t.equal(cli.stdout(), '');
  t.equal(cli.stderr(), `credd: ${new UnknownProfileError('nope').message}\n`);
});

t.test('no NAME or two names: exit 2 without calling the daemon', async (t) => {
  const none = fakeCliContext();
  t.equal(await run(none.ctx, ['switch']), 2);
  t.equal(none.stderr(), 'credd: Name the profile: credd switch NAME (see `credd profiles`).\n');
  const two = fakeCliContext();
  t.equal(await run(two.ctx, ['switch', 'a', 'b']), 2);
  t.same([...none.calls, ...two.calls], []);
});

t.test('no daemon: exit 3', async (t) => {
  t.equal(await run(fakeCliContext().ctx, ['switch', 'dev']), 3);
});
