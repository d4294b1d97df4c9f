import t, { type Test } from 'tap';
import { parseAwsConfig } from '../../src/aws/config.js';
import { CHAINED_ROLE_MAX_SECONDS, DEFAULT_ROLE_SECONDS, resolvePlan } from '../../src/aws/resolve-plan.js';
import { ConfigError, UnknownProfileError } from '../../src/errors.js';

const paths = { configFile: 'config', credentialsFile: 'credentials' };

t.test('a role profile with mfa_serial uses the shared source session, capped at 1 hour', async (t) => {
  const cfg = parseAwsConfig(
    '[profile dev]\nsource_profile = management\nrole_arn = arn:aws:iam::222222222222:role/Dev\nmfa_serial = arn:aws:iam::111111111111:mfa/u\nduration_seconds = 7200\nregion = us-west-2\n',
    '[management]\naws_access_key_id = AKIA\naws_secret_access_key = SECRET\n',
    paths,
  );
  const plan = resolvePlan(cfg, 'dev');
  t.equal(plan.root, 'management');
  t.equal(plan.sessionKey, 'management|arn:aws:iam::111111111111:mfa/u');
  t.equal(plan.roles[0]!.durationSeconds, 3600);
  t.equal(plan.roles[0]!.cappedFrom, 7200);
});

const KEYS = '[management]\naws_access_key_id = AKIA\naws_secret_access_key = SECRET\n';
const MFA = 'arn:aws:iam::111111111111:mfa/u';
const plan = (config: string, name: string, creds = KEYS) => resolvePlan(parseAwsConfig(config, creds, paths), name);

/** The error `fn` throws, or a failure. */
function thrown(t: Test, fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  t.fail('expected an error');
  return new Error('none');
}

t.test('a keys-only profile: a session without MFA', async (t) => {
  const p = plan('[profile management]\nregion = eu-west-1\n', 'management');
  t.same(p, {
    profile: 'management',
    root: 'management',
    rootKeys: { accessKeyId: 'AKIA', secretAccessKey: 'SECRET' },
    useSession: true,
    sessionKey: 'management|',
    roles: [],
    region: 'eu-west-1',
    rootRegion: 'eu-west-1',
    endpointUrl: undefined,
  });
  t.notOk('mfaSerial' in p);
  t.notOk('mfaProcess' in p);
});

t.test('a keys profile with mfa_serial and no role: a session with MFA', async (t) => {
  const p = plan(`[profile management]\nmfa_serial = ${MFA}\nmfa_process = echo 123456\n`, 'management');
  t.equal(p.useSession, true);
  t.equal(p.mfaSerial, MFA);
  t.equal(p.sessionKey, `management|${MFA}`);
  t.equal(p.mfaProcess, 'echo 123456');
  t.same(p.roles, []);
});

t.test('a role without mfa_serial assumes directly with the long-term keys, not capped', async (t) => {
  const p = plan('[profile ci]\nsource_profile = management\nrole_arn = arn:aws:iam::222222222222:role/Ci\nduration_seconds = 43200\n', 'ci');
  t.equal(p.useSession, false);
  t.equal(p.sessionKey, undefined);
  t.equal(p.mfaSerial, undefined);
  t.same(p.roles, [{ profile: 'ci', roleArn: 'arn:aws:iam::222222222222:role/Ci', roleSessionName: 'credd-ci', durationSeconds: 43200 }]);
  const d = plan('[profile ci]\nsource_profile = management\nrole_arn = arn:aws:iam::222222222222:role/Ci\n', 'ci');
  t.equal(d.roles[0]!.durationSeconds, DEFAULT_ROLE_SECONDS, 'default duration');
  t.equal(d.roles[0]!.cappedFrom, undefined);
});

t.test('a role on the MFA session within the cap is not marked capped', async (t) => {
  const p = plan(`[profile dev]\nsource_profile = management\nrole_arn = arn:aws:iam::2:role/D\nmfa_serial = ${MFA}\nduration_seconds = 900\n`, 'dev');
  t.equal(p.roles[0]!.durationSeconds, 900);
  t.notOk('cappedFrom' in p.roles[0]!);
});

t.test('source_profile chains: role → role → keys; every chained step capped at 3600', async (t) => {
  const cfg = [
    '[profile top]',
    'source_profile = mid',
    'role_arn = arn:aws:iam::333333333333:role/Top',
    'duration_seconds = 7200',
    'external_id = top-ext',
    '[profile mid]',
    'source_profile = management',
    'role_arn = arn:aws:iam::222222222222:role/Mid',
    'duration_seconds = 10800',
    'region = ap-south-1',
    '[profile management]',
    'region = us-west-2',
  ].join('\n');
  const p = plan(cfg, 'top');
  t.equal(p.useSession, false, 'no MFA anywhere: the first role uses the long-term keys');
  t.same(p.roles, [
    { profile: 'mid', roleArn: 'arn:aws:iam::222222222222:role/Mid', roleSessionName: 'credd-mid', durationSeconds: 10800 },
    {
      profile: 'top',
      roleArn: 'arn:aws:iam::333333333333:role/Top',
      roleSessionName: 'credd-top',
      externalId: 'top-ext',
      durationSeconds: CHAINED_ROLE_MAX_SECONDS,
      cappedFrom: 7200,
    },
  ]);
  t.equal(p.region, 'ap-south-1', 'region inherited from the nearest profile that has one');
  t.equal(p.rootRegion, 'us-west-2');

  const withMfa = plan(cfg.replace('[profile management]', `[profile management]\nmfa_serial = ${MFA}`), 'top');
  t.equal(withMfa.useSession, true);
  t.equal(withMfa.sessionKey, `management|${MFA}`);
  t.same(
    withMfa.roles.map((r) => [r.durationSeconds, r.cappedFrom]),
    [
      [3600, 10800],
      [3600, 7200],
    ],
    'on a session even the first role is chained',
  );
});

t.test('mfa_serial: the one nearest the keys wins; mfa_process: the one nearest the requested profile', async (t) => {
  const cfg = [
    '[profile top]',
    'source_profile = mid',
    'role_arn = arn:aws:iam::3:role/T',
    'mfa_serial = arn:aws:iam::1:mfa/top',
    'mfa_process = top-cmd',
    '[profile mid]',
    'source_profile = management',
    'role_arn = arn:aws:iam::2:role/M',
    'mfa_serial = arn:aws:iam::1:mfa/mid',
    'mfa_process = mid-cmd',
  ].join('\n');
  const p = plan(cfg, 'top');
  t.equal(p.mfaSerial, 'arn:aws:iam::1:mfa/mid');
  t.equal(p.mfaProcess, 'top-cmd');
  t.equal(plan(cfg, 'mid').mfaProcess, 'mid-cmd');
});

t.test('region: own, else down the chain, else none', async (t) => {
  const cfg =
    '[profile a]\nsource_profile = management\nrole_arn = arn:aws:iam::2:role/A\nregion = eu-central-1\n[profile b]\nsource_profile = management\nrole_arn = arn:aws:iam::2:role/B\n[profile management]\nregion = us-west-2\n';
  t.equal(plan(cfg, 'a').region, 'eu-central-1');
  t.equal(plan(cfg, 'b').region, 'us-west-2');
  t.equal(plan('[profile b]\nsource_profile = management\nrole_arn = arn:aws:iam::2:role/B\n', 'b').region, undefined);
});

t.test('endpoint: the leaf profile’s services/endpoint_url, else the root’s', async (t) => {
  const base = '[services loc]\nsts =\n  endpoint_url = http://svc\n';
  const role = '[profile r]\nsource_profile = management\nrole_arn = arn:aws:iam::2:role/R\n';
  t.equal(plan(`${base}${role}services = loc\nendpoint_url = http://global\n`, 'r').endpointUrl, 'http://svc', 'services beats endpoint_url');
  t.equal(plan(`${base}${role}endpoint_url = http://global\n`, 'r').endpointUrl, 'http://global');
  t.equal(plan(`${base}${role}[profile management]\nservices = loc\n`, 'r').endpointUrl, 'http://svc', 'from the root');
  t.equal(plan(`${role}[profile management]\nendpoint_url = http://root\n`, 'r').endpointUrl, 'http://root');
});

t.test('role_session_name: validated when set; default credd-NAME made valid', async (t) => {
  const role = (extra: string, name = 'r') => plan(`[profile ${name}]\nsource_profile = management\nrole_arn = arn:aws:iam::2:role/R\n${extra}`, name);
  t.equal(role('role_session_name = alice@example.com').roles[0]!.roleSessionName, 'alice@example.com');
  t.equal(role('role_session_name = ab').roles[0]!.roleSessionName, 'ab');
  t.equal(role(`role_session_name = ${'x'.repeat(64)}`).roles[0]!.roleSessionName, 'x'.repeat(64));
  for (const bad of ['a', 'has space', 'sla/sh', 'x'.repeat(65), 'ünï']) {
    const e = thrown(t, () => role(`role_session_name = ${bad}`));
    t.type(e, ConfigError, bad);
    t.equal(e.message, 'Profile "r": role_session_name must be 2–64 characters of letters, digits and +=,.@_-.');
  }
  t.equal(role('', 'odd/na%me').roles[0]!.roleSessionName, 'credd-odd_na_me');
  const long = 'p'.repeat(100);
  t.equal(role('', long).roles[0]!.roleSessionName, `credd-${long}`.slice(0, 64));
});

t.test('a role profile naming itself as source uses its own keys', async (t) => {
  const p = plan(
    '[profile self]\nsource_profile = self\nrole_arn = arn:aws:iam::2:role/S\n',
    'self',
    '[self]\naws_access_key_id = SELF\naws_secret_access_key = S\n',
  );
  t.equal(p.root, 'self');
  t.equal(p.rootKeys!.accessKeyId, 'SELF');
  t.equal(p.roles.length, 1);
  t.equal(p.useSession, false);
});

t.test('errors', async (t) => {
  const unknown = thrown(t, () => plan('', 'nope'));
  t.type(unknown, UnknownProfileError);
  t.match(unknown.message, 'Unknown profile "nope"');

  const cycle = thrown(t, () =>
    plan(
      '[profile a]\nsource_profile = b\nrole_arn = arn:aws:iam::2:role/A\n[profile b]\nsource_profile = c\nrole_arn = arn:aws:iam::2:role/B\n[profile c]\nsource_profile = a\nrole_arn = arn:aws:iam::2:role/C\n',
      'a',
    ),
  );
  t.type(cycle, ConfigError);
  t.equal(cycle.message, 'source_profile cycle in your AWS config: a → b → c → a; make one of them hold keys instead.');

  const selfCycle = thrown(t, () => plan('[profile s]\nsource_profile = s\nrole_arn = arn:aws:iam::2:role/S\n', 's'));
  t.equal(selfCycle.message, 'source_profile cycle in your AWS config: s → s; make one of them hold keys instead.', 'self source without keys');

  const missing = thrown(t, () => plan('[profile a]\nsource_profile = ghost\nrole_arn = arn:aws:iam::2:role/A\n', 'a'));
  t.type(missing, ConfigError);
  t.equal(missing.message, 'Profile "a" names source_profile "ghost", which is not in your AWS config or credentials file.');

  const noSource = thrown(t, () => plan('[profile a]\nrole_arn = arn:aws:iam::2:role/A\n', 'a'));
  t.type(noSource, ConfigError);
  t.equal(noSource.message, 'Profile "a" has role_arn but no source_profile: add source_profile = NAME.');

  const credSource = thrown(t, () => plan('[profile a]\ncredential_source = Ec2InstanceMetadata\nrole_arn = arn:aws:iam::2:role/A\n', 'a'));
  t.type(credSource, ConfigError);
  t.equal(credSource.message, 'Profile "a" uses credential_source, which credd does not support: use source_profile.');

  const noKeys = thrown(t, () =>
    plan('[profile a]\nsource_profile = management\nrole_arn = arn:aws:iam::2:role/A\n[profile management]\nregion = x\n', 'a', ''),
  );
  t.type(noKeys, ConfigError);
  t.equal(noKeys.message, 'Profile "management" has no aws_access_key_id/aws_secret_access_key in your credentials file: add them.');

  const bareNoKeys = thrown(t, () => plan('[profile lonely]\nregion = x\n', 'lonely', ''));
  t.match(bareNoKeys.message, 'Profile "lonely" has no aws_access_key_id');
});
