import t from 'tap';
import { run } from '../../src/cli/run.js';
import { MfaRequiredError } from '../../src/errors.js';
import { fakeCliContext } from '../helpers/cli-context.js';

const creds = {
  AccessKeyId: 'ASIAEXAMPLE',
  SecretAccessKey: 'secret',
  Token: 'token',
  Expiration: '2030-01-01T13:00:00Z',
  RoleArn: 'arn:aws:iam::2:role/D',
  Region: 'us-west-2',
};

t.test('prints Version 1 JSON with SessionToken', async (t) => {
  const cli = fakeCliContext({ routes: { 'GET /credentials/dev': () => creds } });
  t.equal(await run(cli.ctx, ['credential-process', 'dev']), 0);
  t.equal(cli.stdout(), '{"Version":1,"AccessKeyId":"ASIAEXAMPLE","SecretAccessKey":"secret","SessionToken":"token","Expiration":"2030-01-01T13:00:00Z"}\n');
  t.equal(cli.stderr(), '');
});

t.test('the name is URL-encoded', async (t) => {
  const cli = fakeCliContext({ routes: { 'GET /credentials/a%2Fb': () => creds } });
  t.equal(await run(cli.ctx, ['credential-process', 'a/b']), 0);
});

t.test('no NAME: exit 2; errors: the daemon’s message and nothing on stdout', async (t) => {
  const none = fakeCliContext();
  t.equal(await run(none.ctx, ['credential-process']), 2);
  t.equal(none.stderr(), 'credd: Name the profile: credd credential-process NAME.\n');
  const mfa = fakeCliContext({
    routes: {
      'GET /credentials/prod': () => {
        throw new MfaRequiredError('prod');
      },
    },
  });
  t.equal(await run(mfa.ctx, ['credential-process', 'prod']), 1);
  t.equal(mfa.stdout(), '');
  t.match(mfa.stderr(), 'Profile "prod" needs an MFA session');
});
