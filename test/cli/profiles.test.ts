import t from 'tap';
import { run } from '../../src/cli/run.js';
import { fakeCliContext } from '../helpers/cli-context.js';

const list = [
  { name: 'default', mfa: false, state: 'error', error: 'this profile cannot be resolved' },
  {
    name: 'dev',
    account: '222222222222',
    role: 'arn:aws:iam::222222222222:role/Dev',
    region: 'us-west-2',
    source: 'management',
    mfa: true,
    state: 'ready',
    expiration: '2030-01-01T13:00:00Z',
  },
  { name: 'management', account: '111111111111', region: 'us-west-2', mfa: true, state: 'mfa-needed' },
];

t.test('a table with a header, aligned columns, - for unknowns', async (t) => {
  const cli = fakeCliContext({ routes: { 'GET /profiles': () => list } });
  t.equal(await run(cli.ctx, ['profiles']), 0);
  t.equal(
    cli.stdout(),
    [
      'PROFILE     ACCOUNT       REGION     SOURCE      MFA  STATE       ROLE',
      'default     -             -          -           no   error       -',
      'dev         222222222222  us-west-2  management  yes  ready       arn:aws:iam::222222222222:role/Dev',
      'management  111111111111  us-west-2  -           yes  mfa-needed  -',
      '',
    ].join('\n'),
  );
});

t.test('no profiles: just the header', async (t) => {
  const cli = fakeCliContext({ routes: { 'GET /profiles': () => [] } });
  t.equal(await run(cli.ctx, ['profiles']), 0);
  t.equal(cli.stdout(), 'PROFILE  ACCOUNT  REGION  SOURCE  MFA  STATE  ROLE\n');
});

t.test('--json prints the list', async (t) => {
  const cli = fakeCliContext({ routes: { 'GET /profiles': () => list } });
  t.equal(await run(cli.ctx, ['profiles', '--json']), 0);
  t.same(JSON.parse(cli.stdout()), list);
});

t.test('no daemon: exit 3; extra arguments: exit 2', async (t) => {
  t.equal(await run(fakeCliContext().ctx, ['profiles']), 3);
  t.equal(await run(fakeCliContext().ctx, ['profiles', 'dev']), 2);
});
