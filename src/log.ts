import { pino, type Logger as PinoLogger, type DestinationStream } from 'pino';

/** The logger type used everywhere. */
export type Logger = PinoLogger;

/**
 * Paths pino blanks out wherever they appear. Credentials are never passed to the
 * logger on purpose; this list is the net under that rule.
 */
export const REDACT_PATHS = [
  'accessKeyId', 'secretAccessKey', 'sessionToken', 'token', 'code', 'tokenCode',
  '*.accessKeyId', '*.secretAccessKey', '*.sessionToken', '*.token', '*.code', '*.tokenCode',
  'SecretAccessKey', 'Token', '*.SecretAccessKey', '*.Token', 'credentials', '*.credentials',
  'req.headers.authorization', 'req.headers["x-aws-ec2-metadata-token"]', 'headers.authorization',
];

export interface LogOptions {
  level?: string;
  /** Pretty, human output (on a TTY); JSON otherwise. */
  pretty?: boolean;
  /** Where to write (default stderr); tests pass a stream to inspect. */
  destination?: DestinationStream;
}

/** Creates the pino logger with redaction; JSON to stderr unless `pretty`. */
export function createLogger(opts: LogOptions = {}): Logger {
  const base = { level: opts.level ?? 'info', redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { name: 'credd' } };
  if (opts.destination) return pino(base, opts.destination);
  if (opts.pretty) {
    return pino({ ...base, transport: { target: 'pino-pretty', options: { destination: 2, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname,name' } } });
  }
  return pino(base, pino.destination(2));
}
