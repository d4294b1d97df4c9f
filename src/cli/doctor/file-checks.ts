import { type Add, type DoctorFacts, runsCredd } from './facts.js';

const ROLE_KEYS = ['role_arn', 'credential_process', 'sso_session', 'sso_start_url', 'web_identity_token_file'];

/** What the AWS files do: a parse error, or a `[default]` that the SDKs use before credd. */
export function fileChecks(f: DoctorFacts, add: Add): void {
  const a = f.aws;
  if (a.error) add({ code: 'AwsConfig', severity: 'error', message: `Your AWS files do not parse: ${a.error}`, fix: 'fix the file, then run credd reload' });
  const ignored = a.ignored ?? [];
  if (ignored.length) {
    const more = ignored.length > 3 ? ` (and ${ignored.length - 3} more)` : '';
    add({
      code: 'AwsConfigIgnored',
      severity: 'warning',
      message: `${ignored.slice(0, 3).join(' ')}${more}`,
      fix: 'remove or fix those lines; credd and the JS SDK skip them, but the AWS CLI v1 and boto3 stop at a stray line',
    });
  }
  for (const [file, keys] of [
    [a.credentialsFile, a.defaultCredentialsKeys],
    [a.configFile, a.defaultConfigKeys],
  ] as const) {
    if (keys.includes('aws_access_key_id')) {
      add({
        code: 'DefaultKeys',
        severity: 'error',
        message: `[default] in ${file} has keys, and every SDK uses them before credd (when AWS_PROFILE is unset).`,
        fix: 'rename that section, e.g. to [management], and point source_profile at it',
      });
    }
  }
  const role = ROLE_KEYS.find((k) => a.defaultConfigKeys.includes(k));
  if (role && !(role === 'credential_process' && runsCredd(a.defaultCredentialProcess))) {
    add({
      code: 'DefaultProfile',
      severity: 'error',
      message: `[default] in ${a.configFile} has ${role}: the SDKs get that profile's credentials themselves (asking for its MFA code) before they try credd.`,
      fix: 'rename [default] to [profile NAME]; credd serves it as NAME',
    });
  }
}
