import http from 'node:http';
import type { AddressInfo } from 'node:net';
import t, { type Test } from 'tap';
import { createSts, mapStsError, type Sts } from '../../src/aws/sts.js';
import { AccessDeniedError, CreddError, StsUnavailableError } from '../../src/errors.js';
import { requireOrSkip, startMoto } from '../helpers/moto.js';
import { startStsProxy, type StsProxy } from '../helpers/sts-proxy.js';

const MFA = 'arn:aws:iam::111111111111:mfa/alice';
const ROLE = 'arn:aws:iam::222222222222:role/Dev';
const LONG_TERM = { accessKeyId: 'AKIDLONGTERMEXAMPLE', secretAccessKey: 'long-term-secret' };

// Collected from the start: the SDK would warn when it is first loaded.
const warnings: Error[] = [];
process.on('warning', (w) => warnings.push(w));

/** The rejection of `p` (fails the test when it resolves). */
async function rejection(t: Test, p: Promise<unknown>): Promise<CreddError> {
  try {
    await p;
  } catch (err) {
    return err as CreddError;
  }
  t.fail('expected a rejection');
  return new CreddError('None', 'none');
}

t.test('mapStsError', async (t) => {
  t.test('a CreddError passes through unchanged', async (t) => {
    const e = new AccessDeniedError('already mapped');
    t.equal(mapStsError(e, 'x'), e);
  });

  t.test('transient codes become StsUnavailable, even with a 4xx status', async (t) => {
    for (const name of [
      'Throttling',
      'ThrottlingException',
      'RequestLimitExceeded',
      'ServiceUnavailable',
      'InternalFailure',
      'IDPCommunicationError',
      'TimeoutError',
      'RequestTimeout',
    ]) {
      const e = mapStsError({ name, message: 'Rate exceeded\nsecond line', $metadata: { httpStatusCode: 400 } }, 'role R');
      t.type(e, StsUnavailableError, name);
      t.equal(e.code, 'StsUnavailable');
      t.equal(e.status, 503);
      t.equal(e.message, `STS is unreachable or busy (${name}: Rate exceeded); credd keeps serving what is still valid and will retry.`);
    }
  });

  t.test('no HTTP status (network trouble) is transient', async (t) => {
    const econn = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET', $metadata: { attempts: 1 } });
    const e = mapStsError(econn, 'role R');
    t.type(e, StsUnavailableError);
    t.equal(e.message, 'STS is unreachable or busy (Error: socket hang up); credd keeps serving what is still valid and will retry.');
    t.type(mapStsError(undefined, 'x'), StsUnavailableError, 'undefined');
    t.match(mapStsError(null, 'x').message, '(Error: null)');
    t.match(mapStsError('plain string', 'x').message, '(Error: plain string)');
    t.match(mapStsError({ Code: 'SomeCode', message: 'm' }, 'x').message, '(SomeCode: m)', 'Code when there is no name');
  });

  t.test('5xx and server faults are transient', async (t) => {
    t.type(mapStsError({ name: 'Weird', message: 'boom', $metadata: { httpStatusCode: 500 } }, 'x'), StsUnavailableError);
    t.type(mapStsError({ name: 'Weird', message: 'boom', $metadata: { httpStatusCode: 502 } }, 'x'), StsUnavailableError);
    t.type(mapStsError({ name: 'Weird', message: 'boom', $fault: 'server', $metadata: { httpStatusCode: 400 } }, 'x'), StsUnavailableError);
  });

  t.test('ExpiredToken asks for a new MFA session', async (t) => {
    for (const name of ['ExpiredToken', 'ExpiredTokenException']) {
      const e = mapStsError({ name, message: 'The security token included in the request is expired', $metadata: { httpStatusCode: 400 } }, 'role R');
      t.equal(e.code, 'ExpiredToken');
      t.equal(e.status, 403);
      t.equal(e.exitCode, 1);
      t.equal(e.message, 'STS says the source session has expired (role R): run `credd mfa`.');
    }
  });

  t.test('a refusal becomes AccessDenied with STS’s first line', async (t) => {
    const e = mapStsError(
      { name: 'AccessDenied', message: 'User is not authorized to perform: sts:AssumeRole\nmore', $metadata: { httpStatusCode: 403 } },
      'role R',
    );
    t.type(e, AccessDeniedError);
    t.equal(e.code, 'AccessDenied');
    t.equal(e.status, 403);
    t.equal(e.message, 'STS refused role R: AccessDenied: User is not authorized to perform: sts:AssumeRole');
    const v = mapStsError({ name: 'ValidationError', message: 'bad duration', $metadata: { httpStatusCode: 400 } }, 'GetSessionToken');
    t.equal(v.code, 'AccessDenied', 'any other 4xx is a refusal too');
    t.equal(v.message, 'STS refused GetSessionToken: ValidationError: bad duration');
  });
});

t.test('createSts: an answer without credentials is transient', async (t) => {
  // A server that answers the STS XML shape but leaves the credentials out.
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end(
        '<GetSessionTokenResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetSessionTokenResult></GetSessionTokenResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetSessionTokenResponse>',
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const e = await rejection(t, createSts().getSessionToken(LONG_TERM, { region: 'us-east-1', endpoint }));
  t.type(e, StsUnavailableError);
  t.equal(e.message, 'STS answered without credentials; will retry.');
});

const moto = await startMoto();
if (moto) t.teardown(() => moto.stop());

if (requireOrSkip(t, 'moto_server', moto !== null) && moto) {
  const setup = async (
    t: Test,
    opts: { requestTimeoutMs?: number } = {},
  ): Promise<{ proxy: StsProxy; sts: Sts; target: { region: string; endpoint: string } }> => {
    const proxy = await startStsProxy({ upstream: moto.url });
    t.teardown(() => proxy.close());
    return {
      proxy,
      sts: createSts({ connectTimeoutMs: 2000, requestTimeoutMs: opts.requestTimeoutMs ?? 5000 }),
      target: { region: 'us-east-1', endpoint: proxy.url },
    };
  };

  t.test('GetSessionToken with the right MFA code', async (t) => {
    const { proxy, sts, target } = await setup(t);
    const c = await sts.getSessionToken(LONG_TERM, { ...target, serialNumber: MFA, tokenCode: '123456', durationSeconds: 3600 });
    t.match(c, { accessKeyId: String, secretAccessKey: String, sessionToken: String });
    t.type(c.expiration, Date);
    t.ok(c.expiration.getTime() > 0);
    t.same(proxy.calls, [{ action: 'GetSessionToken', durationSeconds: 3600, tokenCode: '123456', chained: false }]);
  });

  t.test('GetSessionToken without MFA', async (t) => {
    const { proxy, sts, target } = await setup(t);
    const c = await sts.getSessionToken(LONG_TERM, target);
    t.ok(c.sessionToken);
    t.same(proxy.calls, [{ action: 'GetSessionToken', chained: false }]);
  });

  t.test('a wrong MFA code: AccessDenied with STS’s message, one attempt only', async (t) => {
    const { proxy, sts, target } = await setup(t);
    const e = await rejection(t, sts.getSessionToken(LONG_TERM, { ...target, serialNumber: MFA, tokenCode: '000000' }));
    t.type(e, AccessDeniedError);
    t.equal(e.code, 'AccessDenied');
    t.equal(
      e.message,
      `STS refused the MFA code for ${MFA} (check the code and try again): AccessDenied: MultiFactorAuthentication failed with invalid MFA one time pass code.`,
    );
    t.notMatch(e.message, '000000', 'the code is not echoed');
    t.equal(proxy.calls.length, 1);
  });

  t.test('a refused GetSessionToken without MFA names the call', async (t) => {
    const { sts, target } = await setup(t);
    const e = await rejection(t, sts.getSessionToken(LONG_TERM, { ...target, durationSeconds: 899 }));
    t.equal(e.code, 'AccessDenied');
    t.match(e.message, /^STS refused GetSessionToken: ValidationError: .*durationSeconds/);
  });

  t.test('AssumeRole with long-term keys, then chained from a session: 3600 ok, 7200 refused', async (t) => {
    const { proxy, sts, target } = await setup(t);
    const direct = await sts.assumeRole(LONG_TERM, { ...target, roleArn: ROLE, roleSessionName: 'credd-dev', externalId: 'ext', durationSeconds: 7200 });
    t.match(direct.assumedRoleArn, /^arn:aws:sts::222222222222:assumed-role\/Dev\/credd-dev$/);
    t.type(direct.expiration, Date);

    const session = await sts.getSessionToken(LONG_TERM, { ...target, serialNumber: MFA, tokenCode: '123456' });
    const chained = await sts.assumeRole(session, { ...target, roleArn: ROLE, roleSessionName: 'credd-dev', durationSeconds: 3600 });
    t.ok(chained.sessionToken);
    const refused = await rejection(t, sts.assumeRole(session, { ...target, roleArn: ROLE, roleSessionName: 'credd-dev', durationSeconds: 7200 }));
    t.type(refused, AccessDeniedError);
    t.equal(refused.code, 'AccessDenied');
    t.equal(
      refused.message,
      `STS refused role ${ROLE}: ValidationError: The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.`,
    );
    t.same(
      proxy.calls.map((c) => [c.action, c.chained, c.durationSeconds]),
      [
        ['AssumeRole', false, 7200],
        ['GetSessionToken', false, undefined],
        ['AssumeRole', true, 3600],
        ['AssumeRole', true, 7200],
      ],
      'a refusal is not retried',
    );
  });

  t.test('a denied role: AccessDenied', async (t) => {
    const { proxy, sts, target } = await setup(t);
    proxy.denyRoles.add(ROLE);
    const e = await rejection(t, sts.assumeRole(LONG_TERM, { ...target, roleArn: ROLE, roleSessionName: 'credd-dev', durationSeconds: 3600 }));
    t.equal(e.code, 'AccessDenied');
    t.match(e.message, `STS refused role ${ROLE}: AccessDenied: `);
  });

  t.test('AssumeRole with an MFA code from long-term keys (credd console --long): checked, sent once', async (t) => {
    const { proxy, sts, target } = await setup(t);
    const input = { ...target, roleArn: ROLE, roleSessionName: 'credd-dev', durationSeconds: 43200, serialNumber: MFA };
    const ok = await sts.assumeRole(LONG_TERM, { ...input, tokenCode: '123456' });
    t.ok(ok.sessionToken);
    const e = await rejection(t, sts.assumeRole(LONG_TERM, { ...input, tokenCode: '000000' }));
    t.equal(e.code, 'AccessDenied');
    t.same(
      proxy.calls.map((c) => [c.action, c.chained, c.durationSeconds, c.tokenCode]),
      [
        ['AssumeRole', false, 43200, '123456'],
        ['AssumeRole', false, 43200, '000000'],
      ],
      'a refused code is not retried',
    );
  });

  t.test('GetFederationToken: from long-term keys only', async (t) => {
    const { proxy, sts, target } = await setup(t);
    const input = {
      ...target,
      name: 'credd-management',
      durationSeconds: 43200,
      policy: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}',
    };
    const fed = await sts.getFederationToken(LONG_TERM, input);
    t.ok(fed.sessionToken);
    t.ok(fed.expiration.getTime() > Date.now() + 11 * 3600_000, '12 h');
    const e = await rejection(t, sts.getFederationToken(fed, input));
    t.equal(e.code, 'AccessDenied');
    t.match(
      e.message,
      /GetFederationToken \(it needs the long-term keys of an IAM user\): AccessDenied: Cannot call GetFederationToken with session credentials/,
    );
    t.same(
      proxy.calls.map((c) => [c.action, c.chained]),
      [
        ['GetFederationToken', false],
        ['GetFederationToken', true],
      ],
    );
  });

  t.test('STS down, 503 or throttling: StsUnavailable', async (t) => {
    const { proxy, sts, target } = await setup(t);
    for (const mode of ['down', 'error503', 'throttle'] as const) {
      proxy.mode = mode;
      proxy.calls.length = 0;
      const gst = await rejection(t, sts.getSessionToken(LONG_TERM, { ...target, serialNumber: MFA, tokenCode: '123456' }));
      t.type(gst, StsUnavailableError, `${mode}: GetSessionToken`);
      t.equal(gst.status, 503);
      t.match(gst.message, /^STS is unreachable or busy \(/);
      t.equal(proxy.calls.length, 1, `${mode}: an MFA code is sent once`);
      const ar = await rejection(t, sts.assumeRole(LONG_TERM, { ...target, roleArn: ROLE, roleSessionName: 'credd-dev', durationSeconds: 3600 }));
      t.type(ar, StsUnavailableError, `${mode}: AssumeRole`);
    }
  });

  t.test('a slow STS times out as StsUnavailable', async (t) => {
    const { proxy, sts, target } = await setup(t, { requestTimeoutMs: 300 });
    proxy.mode = 'slow';
    proxy.slowMs = 10_000;
    const e = await rejection(t, sts.getSessionToken(LONG_TERM, { ...target, serialNumber: MFA, tokenCode: '123456' }));
    t.type(e, StsUnavailableError);
  });

  t.test('loading the SDK does not print its Node-version warning', async (t) => {
    t.same(
      warnings.filter((w) => /NodeVersionSupportWarning/.test(`${w.name} ${w.message}`)),
      [],
    );
  });
}
