import t from 'tap';
import { run } from '../../src/cli/run.js';
import { UnknownProfileError } from '../../src/errors.js';
import { fakeCliContext } from '../helpers/cli-context.js';

const NOW = Date.parse('2030-01-01T12:00:00Z');

t.test('switch NAME makes it active, then waits until its credentials are in hand', async (t) => {
  const cli = fakeCliContext({
    now: NOW,
    routes: {
      'POST /switch': () => ({ profile: 'dev', needsMfa: false, region: 'us-west-2' }),
      'POST /warm': () => ({ profile: 'dev', ready: true, expiration: '2030-01-01T12:59:30Z' }),
    },
  });
  t.equal(await run(cli.ctx, ['switch', 'dev']), 0);
  t.equal(cli.stdout(), 'Active profile: dev\ndev: credentials ready, 59m left\n');
  t.equal(cli.stderr(), '');
  t.same(cli.calls, [
    { method: 'POST', path: '/switch', body: { profile: 'dev' } },
    { method: 'POST', path: '/warm', body: { profile: 'dev', waitMs: 10000 } },
  ]);
});

t.test('--no-wait: the switch only', async (t) => {
  const cli = fakeCliContext({ routes: { 'POST /switch': () => ({ profile: 'dev', needsMfa: false }) } });
  t.equal(await run(cli.ctx, ['switch', 'dev', '--no-wait']), 0);
  t.equal(cli.calls.length, 1);
});

t.test('not ready: exit 1, the switch stands, and why', async (t) => {
  for (const [answer, why] of [
    [{ profile: 'prod', ready: false, pending: true }, /^prod: no credentials yet after 10 s \(STS has not answered\); credd keeps trying/],
    [{ profile: 'prod', ready: false, error: { code: 'AccessDenied', message: 'STS refused' } }, /^prod: no credentials: STS refused\n$/],
    [{ profile: 'prod', ready: false }, /^prod: no credentials: unknown error\n$/],
  ] as const) {
    const cli = fakeCliContext({ routes: { 'POST /switch': () => ({ profile: 'prod', needsMfa: false }), 'POST /warm': () => answer } });
    t.equal(await run(cli.ctx, ['switch', 'prod']), 1);
    t.equal(cli.stdout(), 'Active profile: prod\n');
    t.match(cli.stderr(), why);
  }
});

t.test('says when an MFA session is needed first', async (t) => {
  const cli = fakeCliContext({ routes: { 'POST /switch': () => ({ profile: 'prod', needsMfa: true }) } });
  t.equal(await run(cli.ctx, ['switch', 'prod']), 0);
  t.equal(cli.stdout(), 'Active profile: prod\n');
  t.equal(cli.stderr(), 'prod needs an MFA session: run `credd mfa`.\n');
});

t.test('an unknown profile: non-zero, the daemon’s message', async (t) => {
  const cli = fakeCliContext({
    routes: {
      'POST /switch': () => {
        throw new UnknownProfileError('nope');
      },
    },
  });
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
