import { readFileSync } from 'node:fs';
import ini from 'ini';
import { ConfigError } from './errors.js';

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
  /** pino level (`CREDD_LOG_LEVEL`, `log_level`; default info). */
  logLevel: string;
}

export const DEFAULT_SETTINGS: Settings = {
  host: '127.0.0.1',
  port: 9911,
  sessionSeconds: 43200,
  refreshMarginSeconds: 1200,
  logLevel: 'info',
};

type Parser = (v: string, key: string) => unknown;
const int = (min: number, max: number): Parser => (v, key) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`Setting ${key} = "${v}" must be a whole number from ${min} to ${max}.`);
  return n;
};
const level: Parser = (v, key) => {
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(v)) throw new ConfigError(`Setting ${key} = "${v}" must be one of fatal, error, warn, info, debug, trace, silent.`);
  return v;
};
const host: Parser = (v) => v;

/** Documented keys: settings-file name → [field, parser, environment variable]. */
const KEYS: Record<string, [keyof Settings, Parser, string?]> = {
  host: ['host', host, 'CREDD_HOST'],
  port: ['port', int(0, 65535), 'CREDD_PORT'],
  session_seconds: ['sessionSeconds', int(900, 129600)],
  refresh_margin_seconds: ['refreshMarginSeconds', int(60, 3000)],
  log_level: ['logLevel', level, 'CREDD_LOG_LEVEL'],
};

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
    const spec = KEYS[key];
    if (!spec || typeof value !== 'string') throw new ConfigError(`Unknown setting "${key}" in ${file}: see docs/configuration.md for the keys credd knows.`);
    out[spec[0]] = spec[1](value.trim(), key);
  }
  for (const [key, [field, parse, envName]] of Object.entries(KEYS)) {
    const v = envName ? env[envName] : undefined;
    if (v !== undefined && v !== '') out[field] = parse(v, envName ?? key);
  }
  return out as unknown as Settings;
}
