import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { loadAwsConfig, parseAwsConfig } from '../../src/aws/config.js';
import { ConfigError } from '../../src/errors.js';

const paths = { configFile: '/home/u/.aws/config', credentialsFile: '/home/u/.aws/credentials' };
const parse = (config: string, credentials = '') => parseAwsConfig(config, credentials, paths);
const KEYS = '[management]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = SECRETEXAMPLE\n';

/** The ConfigError that `fn` throws (fails the test if it throws nothing or something else). */
function configError(t: Test, fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    t.type(err, ConfigError);
    return err as ConfigError;
  }
  t.fail('expected a ConfigError');
  return new ConfigError('none');
}

t.test('[default] and [profile x] in the config file; bare sections are not profiles there', async (t) => {
  const cfg = parse('[default]\nregion = eu-west-1\n\n[profile dev]\nregion = us-west-2\n\n[dev-bare]\nregion = x\n');
  t.same([...cfg.profiles.keys()].sort(), ['default', 'dev']);
  t.equal(cfg.profiles.get('default')!.region, 'eu-west-1');
  t.equal(cfg.profiles.get('dev')!.region, 'us-west-2');
  t.equal(cfg.defaultHasKeys, false);
});

t.test('every documented profile key is read', async (t) => {
  const cfg = parse(
    [
      '[profile dev]',
      'region = us-west-2',
      'source_profile = management',
      'role_arn = arn:aws:iam::222222222222:role/Dev',
      'mfa_serial = arn:aws:iam::111111111111:mfa/u',
      'mfa_process = pass otp aws',
      'duration_seconds = 7200',
      'external_id = ext-123',
      'role_session_name = alice',
      'endpoint_url = http://127.0.0.1:5000',
      'credential_source = Environment',
    ].join('\n'),
  );
  t.same(cfg.profiles.get('dev'), {
    name: 'dev',
    region: 'us-west-2',
    sourceProfile: 'management',
    credentialSource: 'Environment',
    roleArn: 'arn:aws:iam::222222222222:role/Dev',
    mfaSerial: 'arn:aws:iam::111111111111:mfa/u',
    mfaProcess: 'pass otp aws',
    durationSeconds: 7200,
    externalId: 'ext-123',
    roleSessionName: 'alice',
    endpointUrl: 'http://127.0.0.1:5000',
  });
});

t.test('a profile shows only the keys it sets', async (t) => {
  const p = parse('[profile bare]\nregion = us-east-1\n').profiles.get('bare')!;
  t.same(Object.keys(p).sort(), ['name', 'region']);
});

t.test('keys: from the credentials file, which wins over the config file', async (t) => {
  const cfg = parse(
    '[profile management]\nregion = us-west-2\naws_access_key_id = FROMCONFIG\naws_secret_access_key = CONFIGSECRET\n[profile other]\naws_access_key_id = OTHERID\naws_secret_access_key = OTHERSECRET\naws_session_token = OTHERTOKEN\n',
    `${KEYS}[creds-only]\naws_access_key_id = C\naws_secret_access_key = CS\n[no-keys]\nregion = x\n`,
  );
  t.same(cfg.profiles.get('management')!.keys, { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'SECRETEXAMPLE' });
  t.equal(cfg.profiles.get('management')!.region, 'us-west-2', 'config-file keys stay');
  t.same(cfg.profiles.get('other')!.keys, { accessKeyId: 'OTHERID', secretAccessKey: 'OTHERSECRET', sessionToken: 'OTHERTOKEN' });
  t.same(cfg.profiles.get('creds-only'), { name: 'creds-only', keys: { accessKeyId: 'C', secretAccessKey: 'CS' } });
  t.same(
    cfg.profiles.get('no-keys'),
    { name: 'no-keys', region: 'x' },
    'a credentials section without keys is still a profile, and its settings count (as in the SDK)',
  );
  const both = parse('[profile p]\nregion = from-config\n', '[p]\nregion = from-credentials\naws_access_key_id = A\naws_secret_access_key = S\n');
  t.equal(both.profiles.get('p')!.region, 'from-config', "for settings the config file wins, as in the SDK's config provider");
});

t.test('half a key pair is no keys', async (t) => {
  const cfg = parse('', '[a]\naws_access_key_id = A\n[b]\naws_secret_access_key = B\n');
  t.equal(cfg.profiles.get('a')!.keys, undefined);
  t.equal(cfg.profiles.get('b')!.keys, undefined);
});

t.test('credentials-file keys do not replace config keys when the credentials section has none', async (t) => {
  const cfg = parse('[profile m]\naws_access_key_id = ID\naws_secret_access_key = S\n', '[m]\nregion = x\n');
  t.same(cfg.profiles.get('m')!.keys, { accessKeyId: 'ID', secretAccessKey: 'S' });
});

t.test('defaultHasKeys: keys under [default] in the credentials file', async (t) => {
  t.equal(parse('', '[default]\naws_access_key_id = A\naws_secret_access_key = S\n').defaultHasKeys, true);
  t.equal(parse('', '[default]\nregion = x\n').defaultHasKeys, false);
  t.equal(parse('', KEYS).defaultHasKeys, false);
  const cfg = parse('[default]\nregion = eu-west-1\n', '[default]\naws_access_key_id = A\naws_secret_access_key = S\n');
  t.same(cfg.profiles.get('default'), { name: 'default', region: 'eu-west-1', keys: { accessKeyId: 'A', secretAccessKey: 'S' } });
});

t.test('dotted profile names stay whole', async (t) => {
  const cfg = parse(
    '[profile a.b]\nregion = r1\n[profile a]\nregion = r2\n[profile x.y.z]\nsource_profile = a.b\n',
    '[a.b]\naws_access_key_id = A\naws_secret_access_key = S\n',
  );
  t.same([...cfg.profiles.keys()].sort(), ['a', 'a.b', 'x.y.z']);
  t.equal(cfg.profiles.get('a.b')!.region, 'r1');
  t.equal(cfg.profiles.get('a')!.region, 'r2');
  t.equal(cfg.profiles.get('x.y.z')!.sourceProfile, 'a.b');
  t.equal(cfg.profiles.get('a.b')!.keys!.accessKeyId, 'A');
});

t.test('extra spaces around values; a header with extra spaces is skipped, as the SDK does', async (t) => {
  const cfg = parse('[profile spaced]\n   region   =   us-west-2   \n[ profile   odd ]\nregion = x\n');
  t.equal(cfg.profiles.get('spaced')!.region, 'us-west-2');
  t.same([...cfg.profiles.keys()], ['spaced']);
  t.match(cfg.warnings.join('\n'), '[ profile   odd ] is not read by the SDKs');
});

t.test('quoted profile names lose their quotes', async (t) => {
  const cfg = parse('[profile "dev"]\nregion = a\n[profile \'qa\']\nregion = b\n');
  t.same([...cfg.profiles.keys()].sort(), ['dev', 'qa']);
});

t.test('sso-session sections and the SSO keys of profiles', async (t) => {
  const cfg = parse(
    '[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\nsso_registration_scopes = sso:account:access, x:y\n[sso-session bare]\nsso_region = eu-west-1\n[profile corp-dev]\nsso_session = corp\nsso_account_id = 222222222222\nsso_role_name = Developer\n[profile legacy]\nsso_start_url = https://old.awsapps.com/start\nsso_region = us-east-2\nsso_account_id = 1\nsso_role_name = R\n',
  );
  t.same(cfg.ssoSessions.get('corp'), { name: 'corp', startUrl: 'https://corp.awsapps.com/start', region: 'us-east-1', scopes: ['sso:account:access', 'x:y'] });
  t.same(cfg.ssoSessions.get('bare'), { name: 'bare', region: 'eu-west-1', scopes: [] });
  t.same(cfg.profiles.get('corp-dev'), { name: 'corp-dev', ssoSession: 'corp', ssoAccountId: '222222222222', ssoRoleName: 'Developer' });
  t.same(cfg.profiles.get('legacy'), {
    name: 'legacy',
    ssoStartUrl: 'https://old.awsapps.com/start',
    ssoRegion: 'us-east-2',
    ssoAccountId: '1',
    ssoRoleName: 'R',
  });
  t.notOk(cfg.profiles.has('sso-session.corp'));
});

t.test('services sections give the sts endpoint_url', async (t) => {
  const cfg = parse(
    [
      '[profile dev]',
      'services = local',
      'region = us-west-2',
      '[profile other]',
      'services = missing',
      '[profile both]',
      'services = local.stack',
      'endpoint_url = http://global:1',
      '[services local]',
      's3 =',
      '  endpoint_url = http://s3:4566',
      'sts =',
      '  endpoint_url = http://sts:4566',
      '  region = ignored',
      '[services local.stack]',
      '  sts =',
      '    endpoint_url = http://indented:1',
      '[services nosts]',
      's3 =',
      '  endpoint_url = http://s3:1',
    ].join('\n'),
  );
  t.equal(cfg.profiles.get('dev')!.stsEndpointUrl, 'http://sts:4566');
  t.equal(cfg.profiles.get('dev')!.region, 'us-west-2');
  t.equal(cfg.profiles.get('other')!.stsEndpointUrl, undefined, 'a services name without a section');
  t.equal(cfg.profiles.get('both')!.stsEndpointUrl, 'http://indented:1', 'a dotted services name, indented sts =');
  t.equal(cfg.profiles.get('both')!.endpointUrl, 'http://global:1');
  t.notOk(cfg.profiles.has('services local'));
});

t.test('an unindented key ends a sub-section', async (t) => {
  const cfg = parse('[services s]\nsts =\n  endpoint_url = http://a\n[profile p]\nservices = s\ns3 =\n  addressing_style = path\nregion = us-east-2\n');
  t.equal(cfg.profiles.get('p')!.region, 'us-east-2');
  t.equal(cfg.profiles.get('p')!.stsEndpointUrl, 'http://a');
  const cfg2 = parse('[services s]\nsts =\nendpoint_url = http://flat\n[profile p]\nservices = s\n');
  t.equal(cfg2.profiles.get('p')!.stsEndpointUrl, undefined, 'endpoint_url not indented under sts = is not the sts one');
});

t.test('values are kept as the SDKs read them', async (t) => {
  const cfg = parse(
    [
      '# a comment',
      '; another',
      '[profile p] # trailing comment',
      'mfa_process = oathtool --totp -b ABC;echo  # comment after whitespace',
      'region = us-west-2 ; comment',
      'external_id = true',
      'role_session_name = null',
      'endpoint_url = "http://quoted"',
      'source_profile = a#b',
      '',
      '   ',
    ].join('\n'),
  );
  t.same(cfg.profiles.get('p'), {
    name: 'p',
    mfaProcess: 'oathtool --totp -b ABC;echo',
    region: 'us-west-2',
    externalId: 'true',
    roleSessionName: 'null',
    endpointUrl: '"http://quoted"',
    sourceProfile: 'a#b',
  });
});

t.test('repeated sections merge; the later key wins', async (t) => {
  const cfg = parse('[profile p]\nregion = a\nrole_arn = r\n[profile q]\nregion = q\n[profile p]\nregion = b\n');
  t.same(cfg.profiles.get('p'), { name: 'p', region: 'b', roleArn: 'r' });
});

t.test('an empty value counts as unset', async (t) => {
  const cfg = parse('[profile p]\nmfa_serial =\nregion = us-west-2\n');
  t.same(cfg.profiles.get('p'), { name: 'p', region: 'us-west-2' });
});

t.test('duration_seconds: a whole number from 900 to 43200 (the AssumeRole range)', async (t) => {
  const d = (v: string) => parse(`[profile p]\nduration_seconds = ${v}\n`).profiles.get('p')!.durationSeconds;
  t.equal(d('900'), 900);
  t.equal(d('43200'), 43200);
  t.equal(d(' 3600 '), 3600);
  for (const bad of ['899', '43201', '129600', '3600.5', 'abc', '1e3', '0x384', '-900']) {
    const e = configError(t, () => d(bad));
    t.equal(e.message, `Profile "p" in ${paths.configFile}: duration_seconds "${bad}" must be a whole number from 900 to 43200.`, bad);
    t.equal(e.code, 'ConfigError');
  }
});

t.test('malformed lines are skipped, as the SDKs skip them, and reported', async (t) => {
  const cfg = parse(
    '# header comment\nregion = us-west-2\n[profile ok]\nregion = x\nthis is not ini\n[profile a\nrole_arn = r\n',
    '[a]\r\naws_access_key_id = A\r\n= no key\r\naws_secret_access_key = S\r\n',
  );
  t.same(cfg.profiles.get('ok'), { name: 'ok', region: 'x', roleArn: 'r' }, 'an unclosed header is a stray line');
  t.same(cfg.profiles.get('a')!.keys, { accessKeyId: 'A', secretAccessKey: 'S' });
  t.match(cfg.warnings, [
    /config line 2 is outside any section/,
    /config line 5 is not key = value/,
    /config line 6 is not key = value/,
    /credentials line 3 is not key = value/,
  ]);
});

t.test('a section named __proto__ makes the SDKs (and credd) ignore the whole file', async (t) => {
  const cfg = parse(
    '[profile ok]\nregion = x\n[profile __proto__]\nregion = x\n[profile constructor]\nregion = y\n',
    '[__proto__]\naws_access_key_id = A\naws_secret_access_key = S\n',
  );
  t.equal(cfg.profiles.size, 0);
  t.equal(cfg.warnings.length, 2);
  const ok = parse('[profile constructor]\nregion = y\n');
  t.equal(ok.profiles.get('constructor')!.region, 'y');
  t.equal(({} as Record<string, unknown>).region, undefined, 'Object.prototype untouched');
});

t.test('loadAwsConfig reads both files; a missing file counts as empty', async (t) => {
  const dir = t.testdir({
    config: '[profile dev]\nsource_profile = management\n',
    credentials: KEYS,
    sub: {},
  });
  const both = loadAwsConfig({ configFile: join(dir, 'config'), credentialsFile: join(dir, 'credentials') });
  t.equal(both.profiles.get('dev')!.sourceProfile, 'management');
  t.equal(both.profiles.get('management')!.keys!.accessKeyId, 'AKIAEXAMPLE');

  const none = loadAwsConfig({ configFile: join(dir, 'nope'), credentialsFile: join(dir, 'nope2') });
  t.equal(none.profiles.size, 0);
  t.equal(none.defaultHasKeys, false);

  const onlyCreds = loadAwsConfig({ configFile: join(dir, 'nope'), credentialsFile: join(dir, 'credentials') });
  t.same([...onlyCreds.profiles.keys()], ['management']);
});

t.test('loadAwsConfig: an unreadable file is a ConfigError naming it', async (t) => {
  const dir = t.testdir({});
  const asDir = join(dir, 'is-a-dir');
  mkdirSync(asDir);
  writeFileSync(join(dir, 'credentials'), '');
  const e = configError(t, () => loadAwsConfig({ configFile: asDir, credentialsFile: join(dir, 'credentials') }));
  t.match(e.message, new RegExp(`^Cannot read ${asDir}: .*EISDIR`));
});
