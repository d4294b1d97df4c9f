import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors.js';
import { configSections, parseIni, type IniSections } from './ini.js';

/** Long-term (or externally provided) keys read from the AWS files. */
export interface StaticKeys {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** One profile as the AWS files describe it, before resolution. */
export interface Profile {
  name: string;
  region?: string;
  sourceProfile?: string;
  credentialSource?: string;
  roleArn?: string;
  mfaSerial?: string;
  mfaProcess?: string;
  durationSeconds?: number;
  externalId?: string;
  roleSessionName?: string;
  /** `endpoint_url` of the profile, or the `sts` entry of its `services` section. */
  endpointUrl?: string;
  stsEndpointUrl?: string;
  keys?: StaticKeys;
  /** IAM Identity Center: the `[sso-session NAME]` this profile signs in through. */
  ssoSession?: string;
  ssoAccountId?: string;
  ssoRoleName?: string;
  /** Legacy SSO form: start URL and region in the profile itself (no refresh token). */
  ssoStartUrl?: string;
  ssoRegion?: string;
}

/** One `[sso-session NAME]` section. */
export interface SsoSessionConfig {
  name: string;
  startUrl?: string;
  region?: string;
  /** `sso_registration_scopes`, comma-separated in the file. */
  scopes: string[];
}

/** The parsed AWS config and credentials files. */
export interface AwsConfig {
  profiles: Map<string, Profile>;
  /** True when the credentials file has keys under `[default]`: that wins over credd in every SDK. */
  defaultHasKeys: boolean;
  /** The `[sso-session NAME]` sections. */
  ssoSessions: Map<string, SsoSessionConfig>;
  /** What the SDKs (and so credd) skip in the files: stray lines, unknown sections. For `credd doctor`. */
  warnings: string[];
}

/** Both files as the SDKs read them: config sections (`default`, profile names, `sso-session.x`, `services.x`) and credentials sections. */
export interface AwsFiles {
  config: IniSections;
  credentials: IniSections;
  warnings: string[];
}

/** Paths of the two AWS files, resolved by the entry from `AWS_CONFIG_FILE` and `AWS_SHARED_CREDENTIALS_FILE`. */
export interface AwsFilePaths {
  configFile: string;
  credentialsFile: string;
}

type Section = Map<string, string>;

/** Drops the fields that the files do not set, so a profile shows only what it has. */
function withoutUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as Array<keyof T>) if (o[k] === undefined) delete o[k];
  return o;
}

function keysOf(section: Section): StaticKeys | undefined {
  const accessKeyId = section.get('aws_access_key_id');
  const secretAccessKey = section.get('aws_secret_access_key');
  if (!accessKeyId || !secretAccessKey) return undefined;
  const sessionToken = section.get('aws_session_token');
  return sessionToken ? { accessKeyId, secretAccessKey, sessionToken } : { accessKeyId, secretAccessKey };
}

/** AssumeRole accepts 900 s to 12 hours (the role's own maximum may be lower; STS says so then). */
function durationOf(name: string, s: string | undefined, file: string): number | undefined {
  if (s === undefined) return undefined;
  const n = /^\d+$/.test(s) ? Number(s) : NaN;
  if (!(n >= 900 && n <= 43200)) {
    throw new ConfigError(`Profile "${name}" in ${file}: duration_seconds "${s}" must be a whole number from 900 to 43200.`);
  }
  return n;
}

/** Reads the two files' text as the SDKs do; never throws. */
export function parseAwsFiles(configText: string, credentialsText: string, paths: AwsFilePaths): AwsFiles {
  const config = configSections(parseIni(configText, paths.configFile), paths.configFile);
  const credentials = parseIni(credentialsText, paths.credentialsFile);
  return { config: config.sections, credentials: credentials.sections, warnings: [...config.ignored, ...credentials.ignored] };
}

/**
 * Builds the profiles from the files as the SDKs do: `[default]` and `[profile x]` in the
 * config file, `[x]` in the credentials file, whose keys win over the config file's
 * (the SDK's `mergeConfigFiles`). Throws ConfigError for a value credd cannot use.
 */
export function buildAwsConfig(files: AwsFiles, paths: AwsFilePaths): AwsConfig {
  const services = new Map<string, string>();
  const ssoSessions = new Map<string, SsoSessionConfig>();
  const profiles = new Map<string, Profile>();
  const merged = new Map<string, Section>();
  for (const [section, body] of files.config) {
    const svc = /^services\.(.+)$/.exec(section);
    const url = body.get('sts.endpoint_url');
    if (svc && url) services.set(svc[1]!, url);
    const sso = /^sso-session\.(.+)$/.exec(section);
    if (sso) {
      const scopes = (body.get('sso_registration_scopes') ?? '')
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean);
      ssoSessions.set(sso[1]!, withoutUndefined({ name: sso[1]!, startUrl: body.get('sso_start_url'), region: body.get('sso_region'), scopes }));
    }
    if (!svc && !sso) merged.set(section, new Map(body));
  }
  // Keys from the credentials file win (the SDK's credential chain); other settings from the config file (its config provider).
  const credKeys = new Map<string, StaticKeys | undefined>();
  for (const [name, body] of files.credentials) {
    credKeys.set(name, keysOf(body));
    merged.set(name, new Map([...body, ...(merged.get(name) ?? [])]));
  }
  for (const [name, body] of merged) {
    const get = (key: string) => body.get(key);
    const servicesName = get('services');
    profiles.set(
      name,
      withoutUndefined({
        name,
        region: get('region'),
        sourceProfile: get('source_profile'),
        credentialSource: get('credential_source'),
        roleArn: get('role_arn'),
        mfaSerial: get('mfa_serial'),
        mfaProcess: get('mfa_process'),
        durationSeconds: durationOf(name, get('duration_seconds'), paths.configFile),
        externalId: get('external_id'),
        roleSessionName: get('role_session_name'),
        endpointUrl: get('endpoint_url'),
        stsEndpointUrl: servicesName ? services.get(servicesName) : undefined,
        keys: credKeys.get(name) ?? keysOf(body),
        ssoSession: get('sso_session'),
        ssoAccountId: get('sso_account_id'),
        ssoRoleName: get('sso_role_name'),
        ssoStartUrl: get('sso_start_url'),
        ssoRegion: get('sso_region'),
      }),
    );
  }
  const defaultSection = files.credentials.get('default');
  return { profiles, defaultHasKeys: defaultSection !== undefined && keysOf(defaultSection) !== undefined, ssoSessions, warnings: files.warnings };
}

/** Parses the text of both AWS files into profiles (see {@link buildAwsConfig}). */
export function parseAwsConfig(configText: string, credentialsText: string, paths: AwsFilePaths): AwsConfig {
  return buildAwsConfig(parseAwsFiles(configText, credentialsText, paths), paths);
}

function readOptional(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw new ConfigError(`Cannot read ${file}: ${(err as Error).message}.`);
  }
}

/** Reads both AWS files; a missing file counts as empty, an unreadable one is a ConfigError. */
export function readAwsFiles(paths: AwsFilePaths): AwsFiles {
  return parseAwsFiles(readOptional(paths.configFile), readOptional(paths.credentialsFile), paths);
}

/** Reads and parses both AWS files; a missing file counts as empty. */
export function loadAwsConfig(paths: AwsFilePaths): AwsConfig {
  return buildAwsConfig(readAwsFiles(paths), paths);
}
