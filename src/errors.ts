/**
 * Every failure a user can meet is one of these classes. The `code` is stable
 * (scripts, `credd doctor` and the HTTP `{Code}` body rely on it); the message
 * is one line that says what to do. The HTTP status is mapped in one place
 * (`status`, set by each class) and the CLI exit code in another (`EXIT_CODES`).
 */

/**
 * CLI exit codes other than 1, by error code: 2 for a request that cannot be carried out as
 * given, 3 when no daemon runs (as `credd status` documents). The one place both the error
 * classes and the errors rebuilt from the control socket (`fromWire`) take them from.
 */
export const EXIT_CODES: Readonly<Record<string, number>> = { BadRequest: 2, DaemonNotRunning: 3 };

/** The CLI exit code for an error code. */
export const exitCodeFor = (code: string): number => (Object.hasOwn(EXIT_CODES, code) ? EXIT_CODES[code]! : 1);

export class CreddError extends Error {
  /** Stable machine-readable code, e.g. `MfaRequired`. */
  readonly code: string;
  /** HTTP status used by the credential endpoint and the control socket. */
  readonly status: number;
  /** CLI exit status (`exitCodeFor(code)`). */
  readonly exitCode: number;

  constructor(code: string, message: string, status = 500) {
    super(message);
    this.name = code;
    this.code = code;
    this.status = status;
    this.exitCode = exitCodeFor(code);
  }
}

/** The `Authorization` header is missing or wrong. */
export class UnauthorizedError extends CreddError {
  constructor(message = 'Missing or wrong Authorization token: run `eval "$(credd env)"` in this shell.') {
    super('Unauthorized', message, 401);
  }
}

/** `/creds` was asked for but no profile is active. */
export class NoActiveProfileError extends CreddError {
  constructor() {
    super('NoActiveProfile', 'No active profile: run `credd switch NAME` (see `credd profiles`).', 404);
  }
}

/** A profile name that the AWS config files do not define. */
export class UnknownProfileError extends CreddError {
  constructor(name: string) {
    super('UnknownProfile', `Unknown profile "${name}": see \`credd profiles\` for the names in your AWS config.`, 404);
  }
}

/** The source session this profile needs is missing or expired. */
export class MfaRequiredError extends CreddError {
  constructor(profile: string, why = 'needs an MFA session') {
    super('MfaRequired', `Profile "${profile}" ${why}: run \`credd mfa\` (or \`credd mfa CODE --profile ${profile}\`).`, 403);
  }
}

/**
 * An IAM Identity Center session is not signed in (or has ended). 403, like MfaRequired: the SDKs
 * do not retry a 401/403 from the container endpoint as they retry a 5xx, so a hundred processes
 * fail fast once each instead of hammering the daemon; and a 401 would read as a wrong token
 * (`Unauthorized`), which `credd doctor` and users take to mean "re-run credd env".
 */
export class LoginRequiredError extends CreddError {
  constructor(session: string, why = 'is not signed in') {
    super('LoginRequired', `IAM Identity Center session "${session}" ${why}: run \`credd login ${session}\`.`, 403);
  }
}

/** The OIDC service answered with an OAuth error (`authorization_pending`, `slow_down`, `invalid_grant`…), kept in `error`. */
export class OidcError extends CreddError {
  readonly error: string;
  constructor(error: string, message: string) {
    super('OidcError', message, 400);
    this.error = error;
  }
}

/** An MFA code for a profile that needs none. */
export class NoMfaNeededError extends CreddError {
  constructor(profile: string) {
    super('BadRequest', `Profile "${profile}" needs no MFA code (no mfa_serial in its chain).`, 400);
  }
}

/**
 * The rule for "this profile needs no MFA": no `mfa_serial` anywhere in its chain. Returns the
 * device; throws NoMfaNeededError without one. Used by `credd mfa`, the core and the sessions alike.
 */
export function requireMfaSerial(p: { profile: string; mfaSerial?: string | undefined }): string {
  if (!p.mfaSerial) throw new NoMfaNeededError(p.profile);
  return p.mfaSerial;
}

/** STS refused: a wrong MFA code or a role this user may not assume. */
export class AccessDeniedError extends CreddError {
  constructor(message: string) {
    super('AccessDenied', message, 403);
  }
}

/** STS could not be reached, was throttled or answered 5xx: worth retrying. */
export class StsUnavailableError extends CreddError {
  constructor(message: string) {
    super('StsUnavailable', message, 503);
  }
}

/**
 * An answer that would have waited on STS past the answer deadline (0.8 s). A 503 whose `Code`
 * is `RequestTimeout`: every SDK retries a 503, and the Go SDK v2 (whose endpoint client has no
 * status-code check) retries only listed codes, `RequestTimeout` among them
 * (aws/retry/standard.go `DefaultRetryableErrorCodes`). The STS call goes on meanwhile.
 */
export class AnswerDeadlineError extends CreddError {
  constructor(message: string) {
    super('RequestTimeout', message, 503);
  }
}

/**
 * The AWS config files or the settings file are wrong. A 4xx on the endpoint: retrying cannot
 * help until the file is fixed, and the JS SDK shows the message only of a 4xx.
 */
export class ConfigError extends CreddError {
  constructor(message: string) {
    super('ConfigError', message, 409);
  }
}

/** A request or command that cannot be carried out as given. */
export class BadRequestError extends CreddError {
  constructor(message: string) {
    super('BadRequest', message, 400);
  }
}

/** The loopback endpoint refused a request that fails its hardening checks (Host, Origin, peer user...). */
export class ForbiddenError extends CreddError {
  constructor(message = 'Request refused.') {
    super('Forbidden', message, 403);
  }
}

/** No such path (the credential endpoint gives no further detail). */
export class NotFoundError extends CreddError {
  constructor() {
    super('NotFound', 'No such path.', 404);
  }
}

/** No daemon is listening on the control socket. Exit 3, as `credd status` documents. */
export class DaemonNotRunningError extends CreddError {
  constructor(message = 'credd is not running: start it with `credd start` (or `credd daemon` in the foreground).') {
    super('DaemonNotRunning', message, 503);
  }
}

/** The listen address is taken or not allowed. */
export class ListenError extends CreddError {
  constructor(address: string, why: string) {
    super(
      'ListenError',
      `Cannot listen on ${address} (${why}): stop whatever uses it, or pick another port with CREDD_PORT, \`port\` in the settings file or \`credd daemon --port N\`.`,
      500,
    );
  }
}

/** Another user listens on credd's port: the SDKs would send the token there and take its answers. */
export class PortSquattedError extends CreddError {
  constructor(address: string, holder: string, consequence: string) {
    super(
      'PortSquatted',
      `${address} is held by ${holder}, not by you: ${consequence} Find out who runs it (\`ss -ltnp\`), stop it, or give credd another port (CREDD_PORT, \`port\` in the settings file).`,
      409,
    );
  }
}

/** Another daemon of this user already owns the control socket. */
export class AlreadyRunningError extends CreddError {
  constructor(socketPath: string, why = 'another credd daemon is already running') {
    super('AlreadyRunning', `${why[0]!.toUpperCase()}${why.slice(1)} (${socketPath}): use \`credd status\`, or \`credd stop\` first.`, 409);
  }
}

/**
 * The runtime directory (control socket, token) is not safely this user's: another user owns it,
 * it is a symbolic link, or others may enter it. Using it would hand MFA codes and the token to
 * whoever controls it, so the daemon and every command refuse it.
 */
export class UnsafeRuntimeDirError extends CreddError {
  constructor(dir: string, why: string, fix: string) {
    super('UnsafeRuntimeDir', `Refusing the runtime directory ${dir}: ${why}. ${fix}`, 500);
  }
}

/** `credd service`: systemctl/launchctl failed or the service did not come up. */
export class ServiceError extends CreddError {
  constructor(message: string) {
    super('ServiceError', message, 500);
  }
}

/** The OS keyring chosen in the settings (or needed by `credd keys`) cannot be used; nothing was written elsewhere. */
export class KeyringUnavailableError extends CreddError {
  /** What the keyring library said, for `credd doctor`. */
  readonly detail: string;
  constructor(message: string, detail = '') {
    super('KeyringUnavailable', message, 503);
    this.detail = detail;
  }
}

/** `credd rotate` stopped; the message says which key works now and what is left to clean up. */
export class RotateError extends CreddError {
  constructor(message: string, status = 502) {
    super('RotateFailed', message, status);
  }
}

/** The AWS sign-in (federation) endpoint refused or could not be reached; the message never holds a URL or token. */
export class FederationError extends CreddError {
  constructor(message: string) {
    super('FederationError', message, 502);
  }
}

/** Turns any thrown value into a CreddError without leaking details such as stacks. */
export function toCreddError(err: unknown): CreddError {
  if (err instanceof CreddError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new CreddError('InternalError', `Internal error: ${message.split('\n')[0]}`, 500);
}

/** Rebuilds an error received as `{Code, Message}` from the daemon; any other body (`null`, text) gets a generic one. */
export function fromWire(body: unknown, status: number): CreddError {
  const b = (typeof body === 'object' && body !== null ? body : {}) as { Code?: unknown; Message?: unknown };
  const code = typeof b.Code === 'string' ? b.Code : 'InternalError';
  return new CreddError(code, typeof b.Message === 'string' ? b.Message : `daemon answered ${status}`, status);
}
