import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSharedConfigFiles } from '@smithy/shared-ini-file-loader';
import t from 'tap';
import { parseAwsFiles } from '../../src/aws/config.js';
import type { IniSections } from '../../src/aws/ini.js';

/**
 * credd's reader against the SDK's own loader (@smithy/shared-ini-file-loader, what the JS v3
 * SDK runs), over files that real users have and that trip naive readers. Any difference is a
 * profile one of them sees and the other does not.
 */
const CORPUS: Array<[string, string, string]> = [
  [
    'plain',
    '[default]\nregion = us-east-1\n[profile dev]\nregion = us-west-2\nsource_profile = management\n',
    '[management]\naws_access_key_id = A\naws_secret_access_key = S\n',
  ],
  [
    'stray line and key before the first section',
    'region = us-west-2\nthis is not ini\n[profile a]\nregion = x\n',
    'garbage\n[a]\naws_access_key_id = A\naws_secret_access_key = S\n',
  ],
  ['stray line inside a section', '[profile a]\nregion = x\njust words\n= no key\nrole_arn = r\n', ''],
  ['quoted profile names', '[profile "dev"]\nregion = a\n[profile \'qa\']\nregion = b\n[profile "mixed\']\nregion = c\n', ''],
  [
    'sso-session and services sections',
    '[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\nsso_registration_scopes = sso:account:access\n[profile corp-dev]\nsso_session = corp\nsso_account_id = 222222222222\nsso_role_name = Developer\nservices = local\n[services local]\nsts =\n  endpoint_url = http://127.0.0.1:1\nsso =\n    endpoint_url = http://127.0.0.1:2\n',
    '',
  ],
  [
    'unknown prefixes and bare sections in the config file',
    '[dev-bare]\nregion = x\n[plugins cli]\nx = y\n[profile ok]\nregion = z\n',
    '[profile p]\naws_access_key_id = A\naws_secret_access_key = S\n[odd name]\naws_access_key_id = B\naws_secret_access_key = T\n',
  ],
  [
    'extra spaces in headers',
    '[ profile   spaced ]\nregion = a\n[profile  two]\nregion = b\n[profile x ]\nregion = c\n   [profile indented]   \nregion = d\n',
    '[ spaced ]\naws_access_key_id = A\naws_secret_access_key = S\n',
  ],
  ['comments', '# top\n; top\n[profile p] # trailing\nmfa_process = oathtool --totp -b ABC;echo  # after\nregion = us-west-2 ; c\nsource_profile = a#b\n', ''],
  [
    'CRLF and a BOM',
    '\uFEFF[profile a]\r\nregion = x\r\n\r\n[profile b]\r\nregion = y\r\n',
    '\uFEFF[a]\r\naws_access_key_id = A\r\naws_secret_access_key = S\r\n',
  ],
  [
    'sub-sections and unindented keys',
    '[services s]\nsts =\n  endpoint_url = http://a\n[profile p]\nservices = s\ns3 =\n  addressing_style = path\nregion = us-east-2\nmfa_serial =\nrole_arn = r\n',
    '',
  ],
  [
    'repeated sections merge',
    '[profile p]\nregion = a\nrole_arn = r\n[profile q]\nregion = q\n[profile p]\nregion = b\n',
    '[p]\naws_access_key_id = A\naws_secret_access_key = S\n[p]\naws_access_key_id = B\n',
  ],
  ['default twice', '[default]\nregion = a\noutput = json\n[profile default]\nregion = b\n', ''],
  [
    'dotted names and a dotted header',
    '[profile a.b]\nregion = r1\n[profile.dev]\nregion = r2\n[sso-session.x]\nsso_region = r3\n',
    '[a.b]\naws_access_key_id = A\naws_secret_access_key = S\n',
  ],
  ['empty sections and an empty header', '[profile empty]\n[profile full]\nregion = x\n[]\nregion = y\n', '[empty]\n'],
  ['unclosed header', '[profile a\nregion = x\n[profile b]\nregion = y\n', ''],
  ['prototype names', '[profile constructor]\nregion = y\n[profile toString]\nregion = z\n', ''],
  [
    '__proto__ makes the SDK drop the whole file',
    '[profile ok]\nregion = x\n[profile __proto__]\nregion = y\n',
    '[__proto__]\naws_access_key_id = A\naws_secret_access_key = S\n',
  ],
  ['values with = and quotes', '[profile p]\nexternal_id = a=b=c\nendpoint_url = "http://quoted"\nrole_session_name = null\nduration_seconds = 3600\n', ''],
  ['odd characters in names', '[profile a@b+c%d:e/f]\nregion = x\n[profile with space]\nregion = y\n[profile ünï]\nregion = z\n', ''],
  ['tabs', '[profile t]\n\tregion\t=\tus-west-2\nsts =\n\tendpoint_url = http://tab\n', ''],
];

const toObject = (m: IniSections): Record<string, Record<string, string>> => Object.fromEntries([...m].map(([k, v]) => [k, Object.fromEntries(v)]));

t.test('credd reads every file of the corpus exactly as the SDK loader does', async (t) => {
  const dir = t.testdir({});
  for (const [i, [name, config, credentials]] of CORPUS.entries()) {
    const configFile = join(dir, `config-${i}`);
    const credentialsFile = join(dir, `credentials-${i}`);
    writeFileSync(configFile, config);
    writeFileSync(credentialsFile, credentials);
    const sdk = await loadSharedConfigFiles({ configFilepath: configFile, filepath: credentialsFile, ignoreCache: true });
    const ours = parseAwsFiles(config, credentials, { configFile, credentialsFile });
    t.same(toObject(ours.config), sdk.configFile, `${name}: config file`);
    t.same(toObject(ours.credentials), sdk.credentialsFile, `${name}: credentials file`);
    t.strictSame(Object.keys(toObject(ours.config)).sort(), Object.keys(sdk.configFile).sort(), `${name}: same sections`);
  }
});

t.test('the one divergence: a bare section named like an Object.prototype member', async (t) => {
  // The SDK builds a plain object, so `[hasOwnProperty]` finds the inherited function and its keys
  // are lost; credd keeps them (a Map), which can only make a profile work that the SDK breaks.
  const dir = t.testdir({ config: '', credentials: '[hasOwnProperty]\naws_access_key_id = A\naws_secret_access_key = S\n' });
  const sdk = await loadSharedConfigFiles({ configFilepath: join(dir, 'config'), filepath: join(dir, 'credentials'), ignoreCache: true });
  t.type(sdk.credentialsFile.hasOwnProperty, 'function', 'the SDK loses the section');
  const ours = parseAwsFiles('', '[hasOwnProperty]\naws_access_key_id = A\naws_secret_access_key = S\n', { configFile: 'c', credentialsFile: 'k' });
  t.same(toObject(ours.credentials), { hasOwnProperty: { aws_access_key_id: 'A', aws_secret_access_key: 'S' } });
});

t.test('what the SDKs skip is reported, never fatal, and never quotes the line', async (t) => {
  const paths = { configFile: '/c', credentialsFile: '/k' };
  const stray = parseAwsFiles('aws_secret_access_key = SECRETVALUE\n[profile a]\nregion = x\nSECRETLINE\n[plugins x]\ny = z\n[bare]\nr = 1\n', '', paths);
  t.same(toObject(stray.config), { a: { region: 'x' } });
  t.equal(stray.warnings.length, 4, stray.warnings.join('\n'));
  t.match(stray.warnings[0], '/c line 1 is outside any section');
  t.match(stray.warnings[1], '/c line 4 is not key = value');
  t.match(stray.warnings[2], '[plugins x] is not a section the SDKs read');
  t.match(stray.warnings[3], '[bare] is not read by the SDKs in the config file');
  t.notMatch(stray.warnings.join('\n'), /SECRET/);
  const proto = parseAwsFiles('[profile __proto__]\nregion = x\n', '', paths);
  t.same(proto.config.size, 0);
  t.match(proto.warnings[0], 'makes the AWS SDKs ignore all of /c');
});
