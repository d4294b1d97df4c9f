import t from 'tap';
import { run } from '../../src/cli/run.js';
import { MfaRequiredError } from '../../src/errors.js';
import { fakeCliContext } from '../helpers/cli-context.js';

const refreshed = (body: unknown) => ({ profile: (body as { profile?: string }).profile ?? 'active-one', expiration: '2030-01-01T13:00:00Z' });

t.test('refresh: the active profile', async (t) => {
  const cli = fakeCliContext({ routes: { 'POST /refresh': refreshed } });
  t.equal(await run(cli.ctx, ['refresh']), 0);
  t.equal(cli.stdout(), 'active-one: new credentials valid until 2030-01-01T13:00:00Z\n');
  t.same(cli.calls, [{ method: 'POST', path: '/refresh', body: {} }]);
});

t.test('refresh NAME', async (t) => {
  const cli = fakeCliContext({ routes: { 'POST /refresh': refreshed } });
  t.equal(await run(cli.ctx, ['refresh', 'prod']), 0);
  t.equal(cli.stdout(), 'prod: new credentials valid until 2030-01-01T13:00:00Z\n');
  t.same(cli.calls[0]!.body, { profile: 'prod' });
});

t.test('errors pass through', async (t) => {
  const cli = fakeCliContext({
    routes: {
      'POST /refresh': () => {
        throw new MfaRequiredError('prod');
      },
    },
  });
  t.equal(await run(cli.ctx, ['refresh', 'prod']), 1);
  t.match(cli.stderr(), 'needs an MFA session');
  t.equal(await run(fakeCliContext().ctx, ['refresh', 'a', 'b']), 2);
});
