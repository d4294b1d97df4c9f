import t from 'tap';
import {
  AccessDeniedError,
  AlreadyRunningError,
  AnswerDeadlineError,
  BadRequestError,
  ConfigError,
  CreddError,
  DaemonNotRunningError,
  FederationError,
  ForbiddenError,
  fromWire,
  KeyringUnavailableError,
  ListenError,
  LoginRequiredError,
  MfaRequiredError,
  NoActiveProfileError,
  NoMfaNeededError,
  NotFoundError,
  OidcError,
  PortSquattedError,
  RotateError,
  ServiceError,
  StsUnavailableError,
  toCreddError,
  UnauthorizedError,
  UnknownProfileError,
  UnsafeRuntimeDirError,
} from '../src/errors.js';

t.test('CreddError: code, status, exit code and name', async (t) => {
  const e = new CreddError('Something', 'what to do');
  t.type(e, Error);
  t.equal(e.code, 'Something');
  t.equal(e.name, 'Something');
  t.equal(e.message, 'what to do');
  t.equal(e.status, 500, 'default status');
  t.equal(e.exitCode, 1, 'default exit code');
  const custom = new CreddError('X', 'm', 418);
  t.equal(custom.status, 418);
  t.equal(new CreddError('BadRequest', 'm', 400).exitCode, 2, 'the exit code follows the code (EXIT_CODES)');
  t.equal(new CreddError('DaemonNotRunning', 'm').exitCode, 3);
  t.equal(new CreddError('toString', 'm').exitCode, 1, 'only the table’s own keys count');
});

t.test('every error class has its stable code, status and exit code', async (t) => {
  const cases: Array<[CreddError, string, number, number, string | RegExp]> = [
    [new UnauthorizedError(), 'Unauthorized', 401, 1, 'eval "$(credd env)"'],
    [new UnauthorizedError('custom'), 'Unauthorized', 401, 1, /^custom$/],
    [new NoActiveProfileError(), 'NoActiveProfile', 404, 1, 'credd switch NAME'],
    [new UnknownProfileError('ghost'), 'UnknownProfile', 404, 1, 'Unknown profile "ghost": see `credd profiles`'],
    [new MfaRequiredError('dev'), 'MfaRequired', 403, 1, /^Profile "dev" needs an MFA session: run `credd mfa` \(or `credd mfa CODE --profile dev`\)\.$/],
    [new MfaRequiredError('dev', 'has an expired session'), 'MfaRequired', 403, 1, /^Profile "dev" has an expired session: run `credd mfa`/],
    [new AccessDeniedError('STS refused'), 'AccessDenied', 403, 1, /^STS refused$/],
    [new StsUnavailableError('busy'), 'StsUnavailable', 503, 1, /^busy$/],
    [new ConfigError('bad file'), 'ConfigError', 409, 1, /^bad file$/],
    [new BadRequestError('bad'), 'BadRequest', 400, 2, /^bad$/],
    [new ForbiddenError(), 'Forbidden', 403, 1, /^Request refused\.$/],
    [new ForbiddenError('no'), 'Forbidden', 403, 1, /^no$/],
    [new NotFoundError(), 'NotFound', 404, 1, /^No such path\.$/],
    [new DaemonNotRunningError(), 'DaemonNotRunning', 503, 3, 'credd start'],
    [new DaemonNotRunningError('custom'), 'DaemonNotRunning', 503, 3, /^custom$/],
    [new AlreadyRunningError('/run/credd/control.sock'), 'AlreadyRunning', 409, 1, 'already running (/run/credd/control.sock)'],
    [new ServiceError('systemctl failed'), 'ServiceError', 500, 1, /^systemctl failed$/],
    [new LoginRequiredError('corp'), 'LoginRequired', 403, 1, /^IAM Identity Center session "corp" is not signed in: run `credd login corp`\.$/],
    [new LoginRequiredError('corp', 'has expired'), 'LoginRequired', 403, 1, /"corp" has expired: run `credd login corp`/],
    [new OidcError('slow_down', 'the portal asks to poll more slowly'), 'OidcError', 400, 1, /^the portal asks to poll more slowly$/],
    [new NoMfaNeededError('ci'), 'BadRequest', 400, 2, 'Profile "ci" needs no MFA code (no mfa_serial in its chain).'],
    [new AnswerDeadlineError('STS is slow'), 'RequestTimeout', 503, 1, /^STS is slow$/],
    [new ListenError('127.0.0.1:9911', 'EADDRINUSE'), 'ListenError', 500, 1, /^Cannot listen on 127\.0\.0\.1:9911 \(EADDRINUSE\): .*credd daemon --port N/],
    [
      new PortSquattedError('127.0.0.1:9911', 'uid 65534', 'the SDKs would send it the token.'),
      'PortSquatted',
      409,
      1,
      /^127\.0\.0\.1:9911 is held by uid 65534, not by you: the SDKs would send it the token\. .*ss -ltnp/,
    ],
    [
      new UnsafeRuntimeDirError('/tmp/credd-0', 'it is owned by uid 65534', 'Remove it.'),
      'UnsafeRuntimeDir',
      500,
      1,
      /^Refusing the runtime directory \/tmp\/credd-0: it is owned by uid 65534\. Remove it\.$/,
    ],
    [new KeyringUnavailableError('no Secret Service'), 'KeyringUnavailable', 503, 1, /^no Secret Service$/],
    [new RotateError('the old key still works'), 'RotateFailed', 502, 1, /^the old key still works$/],
    [new RotateError('two keys already', 409), 'RotateFailed', 409, 1, /^two keys already$/],
    [new FederationError('sign-in refused'), 'FederationError', 502, 1, /^sign-in refused$/],
  ];
  for (const [e, code, status, exit, message] of cases) {
    t.type(e, CreddError, code);
    t.equal(e.code, code);
    t.equal(e.name, code);
    t.equal(e.status, status, `${code} status`);
    t.equal(e.exitCode, exit, `${code} exit`);
    t.match(e.message, message);
    t.notMatch(e.message, /\n/, 'one line');
  }
});

t.test('toCreddError', async (t) => {
  const own = new BadRequestError('x');
  t.equal(toCreddError(own), own, 'a CreddError is returned as it is');
  const e = toCreddError(new TypeError('boom\n    at secret/stack/frame.js:1:1'));
  t.equal(e.code, 'InternalError');
  t.equal(e.status, 500);
  t.equal(e.exitCode, 1);
  t.equal(e.message, 'Internal error: boom', 'first line only: no stack');
  t.equal(toCreddError('a string').message, 'Internal error: a string');
  t.equal(toCreddError(undefined).message, 'Internal error: undefined');
  t.equal(toCreddError({ toString: () => 'obj' }).message, 'Internal error: obj');
});

t.test('fromWire rebuilds {Code, Message} with the matching exit code', async (t) => {
  const mfa = fromWire({ Code: 'MfaRequired', Message: 'run credd mfa' }, 403);
  t.type(mfa, CreddError);
  t.match(mfa, { code: 'MfaRequired', message: 'run credd mfa', status: 403, exitCode: 1 });
  t.equal(fromWire({ Code: 'BadRequest', Message: 'm' }, 400).exitCode, 2);
  t.equal(fromWire({ Code: 'DaemonNotRunning', Message: 'm' }, 503).exitCode, 3);
  t.match(fromWire({}, 502), { code: 'InternalError', message: 'daemon answered 502', status: 502, exitCode: 1 });
});

t.test('fromWire survives bodies that are not {Code, Message}', async (t) => {
  for (const body of [null, undefined, 'text', 42, [], { Code: 7, Message: { x: 1 } }]) {
    const e = fromWire(body, 500);
    t.match(e, { code: 'InternalError', message: 'daemon answered 500', status: 500, exitCode: 1 }, JSON.stringify(body) ?? 'undefined');
  }
});
