import { pino, type Logger as PinoLogger, type DestinationStream } from 'pino';

/** The logger type used everywhere. */
export type Logger = PinoLogger;

/**
 * Paths pino blanks out wherever they appear. Credentials are never passed to the
 * logger on purpose; this list is the net under that rule.
 */
export const REDACT_PATHS = [
  'accessKeyId',
  'secretAccessKey',
  'sessionToken',
  'token',
  'code',
  'tokenCode',
  '*.accessKeyId',
  '*.secretAccessKey',
  '*.sessionToken',
  '*.token',
  '*.code',
  '*.tokenCode',
  'SecretAccessKey',
  'Token',
  '*.SecretAccessKey',
  '*.Token',
  'credentials',
  '*.credentials',
  'req.headers.authorization',
  'req.headers["x-aws-ec2-metadata-token"]',
  'headers.authorization',
];

/** Error codes (`AccessDenied`, `ENOENT`): letters only, so never an MFA code or a key. */
const ERROR_CODE = /^[A-Z][A-Za-z_]*$/;

/**
 * `code` names both an MFA code (a secret) and an error code (what an operator needs):
 * keep the latter readable, blank everything else.
 */
function censor(value: unknown, path: string[]): unknown {
  return path[path.length - 1] === 'code' && typeof value === 'string' && ERROR_CODE.test(value) ? value : '[redacted]';
}

export interface LogOptions {
  level?: string;
  /** Pretty, human output (on a TTY); JSON otherwise. */
  pretty?: boolean;
  /** Where to write (default stderr); tests pass a stream to inspect. */
  destination?: DestinationStream;
}

/** Creates the pino logger with redaction; JSON to stderr unless `pretty`. */
export function createLogger(opts: LogOptions = {}): Logger {
  const base = { level: opts.level ?? 'info', redact: { paths: REDACT_PATHS, censor }, base: { name: 'credd' } };
  if (opts.destination) return pino(base, opts.destination);
  if (opts.pretty) {
    return pino({ ...base, transport: { target: 'pino-pretty', options: { destination: 2, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname,name' } } });
  }
  return pino(base, pino.destination(2));
}
