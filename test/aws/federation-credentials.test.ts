import t from 'tap';
import { parseAwsConfig } from '../../src/aws/config.js';
import { ALLOW_ALL_POLICY, consoleCredentials, federatedUserName, type ConsoleCredentialDeps } from '../../src/aws/federation-credentials.js';
import { resolvePlan } from '../../src/aws/resolve-plan.js';
import { toServed } from '../../src/engine/served.js';
import { fakeClock, fakeSts } from '../engine/fakes.js';

const MFA = 'arn:aws:iam::111111111111:mfa/u';
const CONFIG = `[profile management]
region = us-west-2
[profile dev]
source_profile = management
role_arn = arn:aws:iam::222222222222:role/Dev
mfa_serial = ${MFA}
region = eu-west-1
[profile plain]
source_profile = management
role_arn = arn:aws:iam::333333333333:role/Plain
[profile six]
source_profile = management
role_arn = arn:aws:iam::444444444444:role/Six
mfa_serial = ${MFA}
duration_seconds = 21600
[profile deep]
source_profile = dev
role_arn = arn:aws:iam::555555555555:role/Deep
`;
const KEYS = '[management]\naws_access_key_id = AKIAMANAGEMENT\naws_secret_access_key = SECRET\n';
const config = parseAwsConfig(CONFIG, KEYS, { configFile: 'c', credentialsFile: 'k' });
const plan = (name: string) => resolvePlan(config, name);

function world(minutesLeft = 50) {
  const clock = fakeClock();
  const sts = fakeSts(clock);
  const served: string[] = [];
  const refreshed: string[] = [];
  const make = (name: string, minutes: number) =>
    toServed(
      name,
      { accessKeyId: `ASIA${name.toUpperCase()}`, secretAccessKey: 's', sessionToken: 't', expiration: new Date(clock.now() + minutes * 60000) },
      clock.now(),
      {},
    );
  const deps: ConsoleCredentialDeps = {
    sts,
    endpoints: {},
    now: clock.now,
    served: async (n) => (served.push(n), make(n, minutesLeft)),
    refresh: async (n) => (refreshed.push(n), make(n, 60)),
  };
  return { clock, sts, deps, served, refreshed };
}

t.test("a chained role: the daemon's credentials, no SessionDuration, ends with them", async (t) => {
  const w = world();
  const c = await consoleCredentials(w.deps, plan('dev'), {});
  t.equal(c.kind, 'role-chained');
  t.equal(c.sessionDuration, undefined);
  t.equal(c.endsAt, w.clock.now() + 50 * 60000);
  t.same(w.served, ['dev']);
  t.equal(w.sts.calls.length, 0, 'no STS call');
  t.equal((await consoleCredentials(w.deps, plan('deep'), {})).kind, 'role-chained', 'role after role');
  t.equal((await consoleCredentials(w.deps, plan('plain'), {})).kind, 'role', 'a role straight from the keys, no MFA');
});

t.test('credentials about to end are renewed first', async (t) => {
  const w = world(5);
  const c = await consoleCredentials(w.deps, plan('dev'), {});
  t.same(w.refreshed, ['dev']);
  t.equal(c.endsAt, w.clock.now() + 60 * 60000);
});

t.test('--long: the role from the long-term keys with the MFA code, 12 h', async (t) => {
  const w = world();
  const c = await consoleCredentials(w.deps, plan('dev'), { long: true, code: '123456' });
  t.equal(c.kind, 'role-long');
  t.equal(c.sessionDuration, 43200);
  t.equal(c.endsAt, w.clock.now() + 43200 * 1000);
  t.same(w.sts.calls, [
    {
      action: 'AssumeRole',
      roleArn: 'arn:aws:iam::222222222222:role/Dev',
      durationSeconds: 43200,
      signedWith: 'AKIAMANAGEMENT',
      serialNumber: MFA,
      tokenCode: '123456',
    },
  ]);
  t.same(w.served, [], 'not the chained credentials');
});

t.test('--long steps down to what the role allows; duration_seconds starts lower', async (t) => {
  const w = world();
  w.sts.roleMaxSeconds = 14400;
  const c = await consoleCredentials(w.deps, plan('dev'), { long: true, code: '123456' });
  t.same(
    w.sts.calls.map((x) => x.durationSeconds),
    [43200, 28800, 21600, 14400],
  );
  t.equal(c.sessionDuration, 14400);
  const w2 = world();
  await consoleCredentials(w2.deps, plan('six'), { long: true, code: '123456' });
  t.same(
    w2.sts.calls.map((x) => x.durationSeconds),
    [21600],
    'duration_seconds = 21600 is what the role allows',
  );
  const w3 = world();
  w3.sts.roleMaxSeconds = 1800;
  await t.rejects(consoleCredentials(w3.deps, plan('dev'), { long: true, code: '123456' }), { message: /MaxSessionDuration/ });
  t.equal(w3.sts.calls.at(-1)!.durationSeconds, 3600, 'gives up after 1 h');
});

t.test('--long refusals', async (t) => {
  const w = world();
  await t.rejects(consoleCredentials(w.deps, plan('dev'), { long: true }), { code: 'BadRequest', message: /6-digit MFA code/ });
  await t.rejects(consoleCredentials(w.deps, plan('dev'), { long: true, code: '12' }), { code: 'BadRequest' });
  await t.rejects(consoleCredentials(w.deps, plan('deep'), { long: true, code: '123456' }), { code: 'BadRequest', message: /2 roles/ });
  await t.rejects(consoleCredentials(w.deps, plan('dev'), { long: true, code: '654321' }), { code: 'AccessDenied' }, "a wrong code is STS's refusal");
  t.equal(w.sts.calls.length, 1, 'only the wrong code reached STS');
  const c = await consoleCredentials(w.deps, plan('plain'), { long: true });
  t.equal(c.kind, 'role-long', 'a role without mfa_serial needs no code');
  t.equal(w.sts.calls.at(-1)!.serialNumber, undefined);
});

t.test('a profile without a role: GetFederationToken from the keys, 12 h, allow-all session policy', async (t) => {
  const w = world();
  let input: unknown;
  const original = w.sts.getFederationToken.bind(w.sts);
  w.sts.getFederationToken = (keys, i) => ((input = i), original(keys, i));
  const c = await consoleCredentials(w.deps, plan('management'), {});
  t.equal(c.kind, 'federation-token');
  t.equal(c.federatedUser, 'credd-management');
  t.equal(c.sessionDuration, undefined);
  t.match(input, { name: 'credd-management', durationSeconds: 43200, policy: ALLOW_ALL_POLICY, region: 'us-west-2' });
  t.equal(c.endsAt, w.clock.now() + 43200 * 1000);
  t.equal(federatedUserName('a very long profile name with spaces'), 'credd-a_very_long_profile_name_w');
});

t.test('an IAM Identity Center profile: the role credentials the daemon serves; --long refused, no STS call', async (t) => {
  const sso = parseAwsConfig(
    `[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1
[profile portal]
sso_session = corp
sso_account_id = 222222222222
sso_role_name = Dev
[profile above]
source_profile = portal
role_arn = arn:aws:iam::333333333333:role/Above
`,
    '',
    { configFile: 'c', credentialsFile: 'k' },
  );
  const w = world();
  const c = await consoleCredentials(w.deps, resolvePlan(sso, 'portal'), {});
  t.equal(c.kind, 'role');
  t.equal(c.endsAt, w.clock.now() + 50 * 60000);
  t.equal((await consoleCredentials(w.deps, resolvePlan(sso, 'above'), {})).kind, 'role-chained', 'a role assumed from the SSO role');
  await t.rejects(consoleCredentials(w.deps, resolvePlan(sso, 'portal'), { long: true }), { code: 'BadRequest', message: /IAM Identity Center/ });
  t.equal(w.sts.calls.length, 0, 'no GetFederationToken without keys');
});
