import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import ini from 'ini';
import { BadRequestError, ConfigError } from './errors.js';
import type { KeyringSetting } from './keyring/open-keyring.js';

/** credd's own settings. Environment variables beat the settings file, which beats these defaults. */
export interface Settings {
  /** Listen address of the credential endpoint (`CREDD_HOST`, `host`; default 127.0.0.1). */
  host: string;
  /** Port (`CREDD_PORT`, `port`; default 9911; 0 picks a free one). */
  port: number;
  /** Requested source-session length in seconds (`session_seconds`; default 43200, STS caps at 129600). */
  sessionSeconds: number;
  /** Renew role credentials when less than this is left (`refresh_margin_seconds`; default 1200). */
  refreshMarginSeconds: number;
  /** Up to this much extra margin per credential, so renewals spread out (`refresh_jitter_seconds`; default 120). */
  refreshJitterSeconds: number;
  /** Warn this long before an MFA session ends (`session_warning_seconds`; default 1800; 0: no warning). */
  sessionWarningSeconds: number;
  /** Show that warning as a desktop notification too, via notify-send or osascript (`desktop_notifications`; default true). */
  desktopNotifications: boolean;
  /** pino level (`CREDD_LOG_LEVEL`, `log_level`; default info). */
  logLevel: string;
  /**
   * Serve `/creds` and `/creds/NAME` without the token, for containers that use
   * `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` (`ecs_relative_uri`, `credd daemon --ecs-relative-uri`;
   * default false). Only with host 169.254.170.2: see {@link checkEcsRelativeUri}.
   */
  ecsRelativeUri: boolean;
  /** Serve the EC2 IMDS-compatible paths under /latest/ (`imds`; default true). false: token-only access. */
  imds: boolean;
  /**
   * Where long-term keys and the state file's key live (`CREDD_KEYRING`, `keyring`; default auto):
   * auto uses the platform's keyring when it answers, else plain files as before; a named one must work.
   */
  keyring: KeyringSetting;
}

export const DEFAULT_SETTINGS: Settings = {
  host: '127.0.0.1',
  port: 9911,
  sessionSeconds: 43200,
  refreshMarginSeconds: 1200,
  refreshJitterSeconds: 120,
  sessionWarningSeconds: 1800,
  desktopNotifications: true,
  logLevel: 'info',
  ecsRelativeUri: false,
  imds: true,
  keyring: 'auto',
};

/** The only address the SDKs accept for `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` (ECS). */
export const ECS_HOST = '169.254.170.2';

/**
 * Refuses the no-token mode anywhere but the ECS address: on loopback or a wildcard
 * address every local process (or every host that reaches it) would get credentials
 * without the token.
 */
export function checkEcsRelativeUri(settings: Settings): void {
  if (settings.ecsRelativeUri && settings.host !== ECS_HOST) {
    throw new ConfigError(
      `ecs_relative_uri serves credentials without a token, so it needs host = ${ECS_HOST} (a container network), not "${settings.host}": see docs/configuration.md.`,
    );
  }
}

/** Throws the caller's error for a bad value: `why` follows the value (`quoted`) or the bare name. */
type Fail = (why: string, quoted?: boolean) => never;
/** One value's rule, the same for the settings file, the environment and the daemon's flags. */
type Parser = (v: string, fail: Fail) => unknown;
const int =
  (min: number, max: number): Parser =>
  (v, fail) => {
    // Digits only: Number('') is 0, and '0x10' or '1e3' are not what anyone means by a port.
    const n = /^\d+$/.test(v) ? Number(v) : NaN;
    if (!(n >= min && n <= max)) fail(`must be a whole number from ${min} to ${max}.`);
    return n;
  };
const level: Parser = (v, fail) => {
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(v)) fail('must be one of fatal, error, warn, info, debug, trace, silent.');
  return v;
};
const host: Parser = (v, fail) => {
  if (v === '') fail('is empty: give an address such as 127.0.0.1.', false);
  // `credd env` always points the SDKs at 127.0.0.1 (the one address every SDK accepts), which a
  // daemon on ::1 or on a name would not answer.
  if (isIP(v) !== 4) fail('must be an IPv4 address such as 127.0.0.1 (credd env points the SDKs at 127.0.0.1).');
  return v;
};
const bool: Parser = (v, fail) => {
  if (!['true', 'false'].includes(v)) fail('must be true or false.');
  return v === 'true';
};

const KEYRINGS = ['auto', 'secret-service', 'keychain', 'wincred', 'none'];
const keyring: Parser = (v, fail) => {
  if (!KEYRINGS.includes(v)) fail(`must be one of ${KEYRINGS.join(', ')}.`);
  return v;
};

/** Documented keys: settings-file name → [field, parser, environment variable]. The one list of them. */
const KEYS: Record<string, [keyof Settings, Parser, string?]> = {
  host: ['host', host, 'CREDD_HOST'],
  port: ['port', int(0, 65535), 'CREDD_PORT'],
  session_seconds: ['sessionSeconds', int(900, 129600)],
  refresh_margin_seconds: ['refreshMarginSeconds', int(60, 3000)],
  refresh_jitter_seconds: ['refreshJitterSeconds', int(0, 600)],
  session_warning_seconds: ['sessionWarningSeconds', int(0, 21600)],
  desktop_notifications: ['desktopNotifications', bool],
  log_level: ['logLevel', level, 'CREDD_LOG_LEVEL'],
  ecs_relative_uri: ['ecsRelativeUri', bool],
  imds: ['imds', bool],
  keyring: ['keyring', keyring, 'CREDD_KEYRING'],
};

/** Settings fields → the key names users write in config.ini (for `credd reload`'s report). */
export const SETTING_NAMES = Object.fromEntries(Object.entries(KEYS).map(([name, [field]]) => [field, name])) as Record<keyof Settings, string>;

/** A ConfigError thrower for `key = v` in the settings file or the environment. */
const settingFail =
  (key: string, v: string): Fail =>
  (why, quoted = true) => {
    throw new ConfigError(quoted ? `Setting ${key} = "${v}" ${why}` : `Setting ${key} ${why}`);
  };

/** The value of the daemon's `--host` or `--port` flag, by the rule of the setting of that name; a BadRequest names the flag. */
export function settingFlag(name: 'host' | 'port', v: string): string | number {
  return KEYS[name]![1](v, (why, quoted = true) => {
    throw new BadRequestError(quoted ? `--${name} "${v}" ${why}` : `--${name} ${why}`);
  }) as string | number;
}

/** Settings from the optional file and the environment. Unknown keys are an error naming the key. */
export function loadSettings(file: string, env: Record<string, string | undefined>): Settings {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new ConfigError(`Cannot read ${file}: ${(err as Error).message}`);
  }
  const raw = ini.parse(text) as Record<string, unknown>;
  const out: Record<string, unknown> = { ...DEFAULT_SETTINGS };
  for (const [key, value] of Object.entries(raw)) {
    // hasOwn: `constructor = x` must be an unknown key, not Object.prototype.constructor.
    const spec = Object.hasOwn(KEYS, key) ? KEYS[key] : undefined;
    // ini turns `[x]` into an object, and `x = null` into null (a value the parser then refuses).
    if (!spec || (typeof value === 'object' && value !== null))
      throw new ConfigError(`Unknown setting "${key}" in ${file}: see docs/configuration.md for the keys credd knows.`);
    const v = String(value).trim();
    out[spec[0]] = spec[1](v, settingFail(key, v));
  }
  for (const [field, parse, envName] of Object.values(KEYS)) {
    // An empty variable counts as unset.
    const v = envName ? env[envName] : undefined;
    if (v) out[field] = parse(v, settingFail(envName!, v));
  }
  return out as unknown as Settings;
}
