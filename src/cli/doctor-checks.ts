import { ssoChecks, type SsoFacts } from './doctor-sso-checks.js';
import { daemonEndpointChecks, EVAL, imdsMode, shellEndpointChecks } from './doctor-endpoint-checks.js';

/** One problem `credd doctor` found. `error` stops the SDKs from getting credentials from credd. */
export interface Finding {
  /** Stable, for scripts: e.g. `EnvProfile`, `TokenStale`, `MfaRequired`. */
  code: string;
  severity: 'error' | 'warning';
  message: string;
  fix: string;
}

/** What the endpoint answered to the request an SDK in this shell would make. */
export type ProbeResult =
  /** What it answered: the error's code and message, or of credentials only their `Expiration`. */
  | { url: string; status: number; code?: string; message?: string; expiration?: string }
  | { url: string; error: string };

/** Everything `credd doctor` looks at, gathered by the command; `diagnose` only reasons. */
export interface DoctorFacts {
  platform: NodeJS.Platform;
  env: Record<string, string | undefined>;
  /** The daemon's token (its token file), if there is one. */
  daemonToken?: string;
  /** What the file named by AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE holds, or why it cannot be read. */
  envTokenFile?: { value: string } | { error: string };
  aws: {
    configFile: string;
    credentialsFile: string;
    /** Why the AWS files do not parse, if they do not. */
    error?: string;
    /** Keys of `[default]` in the config file and in the credentials file. */
    defaultConfigKeys: string[];
    defaultCredentialsKeys: string[];
    /** `credential_process` of `[default]` in the config file. */
    defaultCredentialProcess?: string;
    /** `credential_process` of the profile AWS_PROFILE (or AWS_DEFAULT_PROFILE) names. */
    envProfileProcess?: string;
    /** `region` of `[default]`, which the SDKs use when no variable sets one. */
    defaultRegion?: string;
    /** What the SDKs (and credd) skip in the files: stray lines, unknown sections. */
    ignored?: string[];
  };
  /** The daemon's status, or undefined when none answers on the control socket. */
  daemon?: { endpoint: string; activeProfile?: string; configError?: string; imds?: boolean };
  /** The login service (systemd unit, launchd agent); undefined where credd has none (Windows). */
  service?: { file: string; installed: boolean };
  /** The profile the shell's URI asks for (undefined: the active one, and always in IMDS mode). */
  pinnedProfile?: string;
  /** The source session of that profile: its expiry, or 'missing'. Undefined when it needs none. */
  session?: { expiration: string } | 'missing';
  /** The request an SDK in this shell would make (container URI or the IMDS walk). */
  probe?: ProbeResult;
  /** IAM Identity Center: legacy profiles, missing sessions, expired registrations, a signed-out session. */
  sso?: SsoFacts;
  now: number;
}

const ROLE_KEYS = ['role_arn', 'credential_process', 'sso_session', 'sso_start_url', 'web_identity_token_file'];
/** A `credential_process` that asks credd is credd, not a competitor. */
export const runsCredd = (cmd: string | undefined) => cmd !== undefined && /\bcredd(\.js)?\s+credential-process\b/.test(cmd);

function envChecks(f: DoctorFacts, add: (x: Finding) => void): void {
  const e = f.env;
  for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']) {
    if (e[k]) add({ code: 'EnvKeys', severity: 'error', message: `${k} is set in this shell, and every SDK uses keys from the environment before credd.`, fix: `${EVAL} (it unsets them), or unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN` });
  }
  for (const k of ['AWS_PROFILE', 'AWS_DEFAULT_PROFILE']) {
    if (e[k] && !runsCredd(f.aws.envProfileProcess)) {
      add({ code: 'EnvProfile', severity: 'error', message: `${k}=${e[k]} is set: the SDKs read that profile from your AWS files themselves (and ask for its MFA code) instead of asking credd.`, fix: `unset ${k} (or ${EVAL}); to use another profile: credd switch ${e[k]}, or credd exec ${e[k]} -- CMD` });
    }
  }
  if (e.AWS_WEB_IDENTITY_TOKEN_FILE) {
    add({ code: 'WebIdentity', severity: 'error', message: 'AWS_WEB_IDENTITY_TOKEN_FILE is set: the SDKs assume AWS_ROLE_ARN with it before they try credd.', fix: `unset AWS_WEB_IDENTITY_TOKEN_FILE AWS_ROLE_ARN (or ${EVAL})` });
  }
  const full = e.AWS_CONTAINER_CREDENTIALS_FULL_URI;
  if (e.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI && full) {
    add({ code: 'RelativeUri', severity: 'error', message: 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI is set next to the FULL_URI: botocore, Java and Rust then ask 169.254.170.2 instead of credd.', fix: `unset AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (or ${EVAL})` });
  }
  if (!full && !e.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI && !imdsMode(e)) {
    add({ code: 'NotPointed', severity: 'error', message: 'This shell is not pointed at credd: AWS_CONTAINER_CREDENTIALS_FULL_URI is not set.', fix: `${EVAL}, and add it to your shell's rc file (docs/shell.md)` });
    return;
  }
  shellEndpointChecks(f, add);
  if (!e.AWS_REGION && !e.AWS_DEFAULT_REGION && !f.aws.defaultRegion) {
    add({ code: 'NoRegion', severity: 'warning', message: 'No region: neither AWS_REGION nor AWS_DEFAULT_REGION is set, and [default] names none; most SDK calls need one.', fix: `${EVAL} (it sets the profile's region), or export AWS_REGION=us-west-2` });
  }
}

function fileChecks(f: DoctorFacts, add: (x: Finding) => void): void {
  const a = f.aws;
  if (a.error) add({ code: 'AwsConfig', severity: 'error', message: `Your AWS files do not parse: ${a.error}`, fix: 'fix the file, then run credd reload' });
  const ignored = a.ignored ?? [];
  if (ignored.length) {
    const more = ignored.length > 3 ? ` (and ${ignored.length - 3} more)` : '';
    add({ code: 'AwsConfigIgnored', severity: 'warning', message: `${ignored.slice(0, 3).join(' ')}${more}`, fix: 'remove or fix those lines; credd and the JS SDK skip them, but the AWS CLI v1 and boto3 stop at a stray line' });
  }
  for (const [file, keys] of [[a.credentialsFile, a.defaultCredentialsKeys], [a.configFile, a.defaultConfigKeys]] as const) {
    if (keys.includes('aws_access_key_id')) {
      add({ code: 'DefaultKeys', severity: 'error', message: `[default] in ${file} has keys, and every SDK uses them before credd (when AWS_PROFILE is unset).`, fix: 'rename that section, e.g. to [management], and point source_profile at it' });
    }
  }
  const role = ROLE_KEYS.find((k) => a.defaultConfigKeys.includes(k));
  if (role && !(role === 'credential_process' && runsCredd(a.defaultCredentialProcess))) {
    add({ code: 'DefaultProfile', severity: 'error', message: `[default] in ${a.configFile} has ${role}: the SDKs get that profile's credentials themselves (asking for its MFA code) before they try credd.`, fix: 'rename [default] to [profile NAME]; credd serves it as NAME' });
  }
}

function daemonChecks(f: DoctorFacts, add: (x: Finding) => void): void {
  if (!f.daemon) {
    add({ code: 'DaemonNotRunning', severity: 'error', message: 'No credd daemon runs for this user.', fix: 'credd start (or credd service install, to start it at every login)' });
    return;
  }
  if (f.daemon.configError) add({ code: 'AwsConfig', severity: 'error', message: `The daemon cannot use your AWS files: ${f.daemon.configError}`, fix: 'fix the file, then run credd reload' });
  const name = f.pinnedProfile ?? f.daemon.activeProfile;
  if (!name) add({ code: 'NoActiveProfile', severity: 'error', message: 'No active profile: credd has nothing to serve.', fix: 'credd switch NAME (see credd profiles)' });
  if (name && f.session === 'missing') add({ code: 'MfaRequired', severity: 'error', message: `Profile ${name} needs an MFA session.`, fix: 'credd mfa' });
  if (name && f.session && f.session !== 'missing') {
    const left = Date.parse(f.session.expiration) - f.now;
    if (left < 15 * 60000) add({ code: 'SessionEnding', severity: 'warning', message: `The MFA session behind ${name} ends in ${Math.max(0, Math.floor(left / 60000))} min.`, fix: 'credd mfa (a new code renews it for every profile)' });
  }
  // Without a profile or its session the endpoint's refusal says nothing more.
  daemonEndpointChecks(f, add, !name || f.session === 'missing');
}

/**
 * Everything that would keep the SDKs in this shell from using credd, most decisive
 * first. One finding per code (the first one found explains the rest).
 */
export function diagnose(f: DoctorFacts): Finding[] {
  const out: Finding[] = [];
  const add = (x: Finding) => {
    if (!out.some((y) => y.code === x.code || (y.code === 'TokenStale' && x.code === 'Unauthorized'))) out.push(x);
  };
  if (f.platform === 'linux' && !f.env.XDG_RUNTIME_DIR) {
    add({ code: 'RuntimeDir', severity: 'warning', message: 'XDG_RUNTIME_DIR is not set: this shell looks for the daemon under /tmp, a login service runs it under /run/user/UID.', fix: 'export XDG_RUNTIME_DIR=/run/user/$(id -u) (a normal login sets it)' });
  }
  envChecks(f, add);
  fileChecks(f, add);
  ssoChecks(f.sso, add);
  daemonChecks(f, add);
  if (f.service && !f.service.installed) {
    add({ code: 'NoLoginService', severity: 'warning', message: `credd does not start at login (no ${f.service.file}): after a reboot the SDKs find no daemon until you run credd start.`, fix: 'credd service install' });
  }
  return out;
}
