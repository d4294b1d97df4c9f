import { readFileSync } from 'node:fs';
import ini from 'ini';
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

/**
 * Escapes dots in section headers (`ini` would nest `[profile a.b]`) and flattens the
 * indented sub-sections of `[services x]` (`sts =` / `  endpoint_url = …`) into `sts.endpoint_url`.
 */
function preprocess(text: string, file: string): string {
  const out: string[] = [];
  let parent: string | undefined;
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    if (!/^\s*($|[;#])/.test(line) && !/^\s*\[.+\]\s*$/.test(line) && !/^[^=]+=/.test(line)) {
      throw new ConfigError(`${file} line ${i + 1} is neither [section] nor key = value: fix it and run \`credd reload\`.`);
    }
  });
  for (const line of lines) {
    const header = /^\s*\[(.+)\]\s*$/.exec(line);
    if (header) {
      parent = undefined;
      out.push(`[${header[1]!.trim().replace(/\./g, '\\.')}]`);
      continue;
    }
    const kv = /^(\s*)([^=;#\s][^=]*?)\s*=\s*(.*)$/.exec(line);
    if (kv && kv[1] === '' && kv[3] === '') {
      parent = kv[2];
      continue;
    }
    if (kv && kv[1] !== '' && parent) {
      out.push(`${parent}__${kv[2]} = ${kv[3]}`);
      continue;
    }
    if (kv && kv[1] === '') parent = undefined;
    out.push(line);
  }
  return out.join('\n');
}

function parseIni(text: string, file: string): Record<string, Record<string, unknown>> {
  try {
    return ini.parse(preprocess(text, file)) as Record<string, Record<string, unknown>>;
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(`Cannot parse ${file}: ${(err as Error).message}; fix the file and run \`credd reload\`.`);
  }
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

function keysOf(section: Record<string, unknown>): StaticKeys | undefined {
  const accessKeyId = str(section.aws_access_key_id);
  const secretAccessKey = str(section.aws_secret_access_key);
  if (!accessKeyId || !secretAccessKey) return undefined;
  const sessionToken = str(section.aws_session_token);
  return sessionToken ? { accessKeyId, secretAccessKey, sessionToken } : { accessKeyId, secretAccessKey };
}

function durationOf(name: string, v: unknown, file: string): number | undefined {
  const s = str(v);
  if (s === undefined) return undefined;
  const n = Number(s);
  if (!Number.isInteger(n) || n < 900 || n > 129600) {
    throw new ConfigError(`Profile "${name}" in ${file}: duration_seconds "${s}" must be a whole number from 900 to 129600.`);
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

  for (const [section, body] of Object.entries(config)) {
    const svc = /^services\s+(.+)$/.exec(section);
    if (svc && typeof body === 'object') {
      const url = str((body as Record<string, unknown>).sts__endpoint_url);
      if (url) services.set(svc[1]!.trim(), url);
    }
  }
  const sectionFor = (section: string): string | undefined => {
    if (section === 'default') return 'default';
    const m = /^profile\s+(.+)$/.exec(section);
    return m ? m[1]!.trim() : undefined;
  };
  for (const [section, raw] of Object.entries(config)) {
    const name = sectionFor(section);
    if (!name || typeof raw !== 'object') continue;
    const body = raw as Record<string, unknown>;
    const servicesName = str(body.services);
    const profile: Profile = {
      name,
      region: str(body.region),
      sourceProfile: str(body.source_profile),
      credentialSource: str(body.credential_source),
      roleArn: str(body.role_arn),
      mfaSerial: str(body.mfa_serial),
      mfaProcess: str(body.mfa_process),
      durationSeconds: durationOf(name, body.duration_seconds, paths.configFile),
      externalId: str(body.external_id),
      roleSessionName: str(body.role_session_name),
      endpointUrl: str(body.endpoint_url),
      stsEndpointUrl: servicesName ? services.get(servicesName) : undefined,
      keys: keysOf(body),
    };
    profiles.set(name, profile);
  }
  for (const [name, raw] of Object.entries(creds)) {
    if (typeof raw !== 'object') continue;
    const keys = keysOf(raw as Record<string, unknown>);
    const existing = profiles.get(name) ?? { name };
    if (keys) existing.keys = keys;
    profiles.set(name, existing);
  }
  const defaultSection = creds.default as Record<string, unknown> | undefined;
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
