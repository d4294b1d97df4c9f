import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors.js';

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
}

/** The parsed AWS config and credentials files. */
export interface AwsConfig {
  profiles: Map<string, Profile>;
  /** True when the credentials file has keys under `[default]`: that wins over credd in every SDK. */
  defaultHasKeys: boolean;
}

/** Paths of the two AWS files, resolved by the entry from `AWS_CONFIG_FILE` and `AWS_SHARED_CREDENTIALS_FILE`. */
export interface AwsFilePaths {
  configFile: string;
  credentialsFile: string;
}

type Section = Map<string, string>;

/**
 * Reads INI text as the AWS SDK for JavaScript does (botocore agrees on everything a
 * working config uses): `;`/`#` start a comment at the start of a line or after
 * whitespace, so `mfa_process = a;b` keeps its `;`; values stay strings (no `true`/`null`
 * conversion, no unquoting); dots in section names are plain characters (`[profile a.b]`);
 * a key with an empty value opens a sub-section whose indented keys become `parent.key`
 * (`sts =` / `  endpoint_url = …` in a `[services x]` section).
 */
function parseIni(text: string, file: string): Map<string, Section> {
  const sections = new Map<string, Section>();
  let current: Section | undefined;
  let parent: string | undefined;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.split(/(?:^|\s)[;#]/)[0]!.trim();
    if (line === '') return;
    const bad = (what: string) => new ConfigError(`${file} line ${i + 1} ${what}: fix it and run \`credd reload\`.`);
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      const name = header[1]!.trim();
      current = sections.get(name) ?? new Map<string, string>();
      sections.set(name, current);
      parent = undefined;
      return;
    }
    const eq = line.indexOf('=');
    if (eq <= 0) throw bad('is neither [section] nor key = value');
    if (!current) throw bad('comes before any [section]');
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    if (value === '') {
      parent = key;
      return;
    }
    if (parent !== undefined && !/^\s/.test(raw)) parent = undefined;
    current.set(parent === undefined ? key : `${parent}.${key}`, value);
  });
  return sections;
}

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

/**
 * Parses the text of the AWS config and credentials files as the SDKs read them:
 * `[default]` and `[profile x]` in the config file, `[x]` in the credentials file,
 * whose keys win over keys in the config file.
 */
export function parseAwsConfig(configText: string, credentialsText: string, paths: AwsFilePaths): AwsConfig {
  const config = parseIni(configText, paths.configFile);
  const creds = parseIni(credentialsText, paths.credentialsFile);
  const services = new Map<string, string>();
  const profiles = new Map<string, Profile>();

  for (const [section, body] of config) {
    const svc = /^services\s+(.+)$/.exec(section);
    const url = body.get('sts.endpoint_url');
    if (svc && url) services.set(svc[1]!, url);
  }
  const profileName = (section: string): string | undefined => {
    if (section === 'default') return 'default';
    return /^profile\s+(.+)$/.exec(section)?.[1];
  };
  for (const [section, body] of config) {
    const name = profileName(section);
    if (!name) continue;
    const get = (key: string) => body.get(key);
    const servicesName = get('services');
    profiles.set(name, withoutUndefined({
      name,
      region: get('region'),
      sourceProfile: get('source_profile'),
      credentialSource: get('credential_source'),
      roleArn: get('role_arn'),
      mfaSerial: get('mfa_serial'),
      mfaProcess: get('mfa_process'),
      durationSeconds: durationOf(name, body.get('duration_seconds'), paths.configFile),
      externalId: get('external_id'),
      roleSessionName: get('role_session_name'),
      endpointUrl: get('endpoint_url'),
      stsEndpointUrl: servicesName ? services.get(servicesName) : undefined,
      keys: keysOf(body),
    }));
  }
  for (const [name, body] of creds) {
    const keys = keysOf(body);
    const existing = profiles.get(name) ?? { name };
    if (keys) existing.keys = keys;
    profiles.set(name, existing);
  }
  const defaultSection = creds.get('default');
  return { profiles, defaultHasKeys: defaultSection !== undefined && keysOf(defaultSection) !== undefined };
}

function readOptional(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw new ConfigError(`Cannot read ${file}: ${(err as Error).message}.`);
  }
}

/** Reads and parses both AWS files; a missing file counts as empty. */
export function loadAwsConfig(paths: AwsFilePaths): AwsConfig {
  return parseAwsConfig(readOptional(paths.configFile), readOptional(paths.credentialsFile), paths);
}
