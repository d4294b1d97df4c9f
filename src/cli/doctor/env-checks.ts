import { shellEndpointChecks } from './endpoint-checks.js';
import { type Add, type DoctorFacts, EVAL, imdsMode, runsCredd } from './facts.js';

/** What the shell's variables do: keys or a profile that win over credd, and whether the shell is pointed at credd at all. */
export function envChecks(f: DoctorFacts, add: Add): void {
  const e = f.env;
  for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']) {
    if (e[k])
      add({
        code: 'EnvKeys',
        severity: 'error',
        message: `${k} is set in this shell, and every SDK uses keys from the environment before credd.`,
        fix: `${EVAL} (it unsets them), or unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN`,
      });
  }
  for (const k of ['AWS_PROFILE', 'AWS_DEFAULT_PROFILE']) {
    if (e[k] && !runsCredd(f.aws.envProfileProcess)) {
      add({
        code: 'EnvProfile',
        severity: 'error',
        message: `${k}=${e[k]} is set: the SDKs read that profile from your AWS files themselves (and ask for its MFA code) instead of asking credd.`,
        fix: `unset ${k} (or ${EVAL}); to use another profile: credd switch ${e[k]}, or credd exec ${e[k]} -- CMD`,
      });
    }
  }
  if (e.AWS_WEB_IDENTITY_TOKEN_FILE) {
    add({
      code: 'WebIdentity',
      severity: 'error',
      message: 'AWS_WEB_IDENTITY_TOKEN_FILE is set: the SDKs assume AWS_ROLE_ARN with it before they try credd.',
      fix: `unset AWS_WEB_IDENTITY_TOKEN_FILE AWS_ROLE_ARN (or ${EVAL})`,
    });
  }
  const full = e.AWS_CONTAINER_CREDENTIALS_FULL_URI;
  if (e.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI && full) {
    add({
      code: 'RelativeUri',
      severity: 'error',
      message: 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI is set next to the FULL_URI: botocore, Java and Rust then ask 169.254.170.2 instead of credd.',
      fix: `unset AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (or ${EVAL})`,
    });
  }
  if (!full && !e.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI && !imdsMode(e)) {
    add({
      code: 'NotPointed',
      severity: 'error',
      message: 'This shell is not pointed at credd: AWS_CONTAINER_CREDENTIALS_FULL_URI is not set.',
      fix: `${EVAL}, and add it to your shell's rc file (docs/shell.md)`,
    });
    return;
  }
  shellEndpointChecks(f, add);
  if (!e.AWS_REGION && !e.AWS_DEFAULT_REGION && !f.aws.defaultRegion) {
    add({
      code: 'NoRegion',
      severity: 'warning',
      message: 'No region: neither AWS_REGION nor AWS_DEFAULT_REGION is set, and [default] names none; most SDK calls need one.',
      fix: `${EVAL} (it sets the profile's region), or export AWS_REGION=us-west-2`,
    });
  }
}
