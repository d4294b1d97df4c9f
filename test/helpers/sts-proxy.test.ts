/**
 * Tests of the integration-test helpers: startMoto/requireOrSkip/hasCommand
 * and the STS proxy, driven by the real @aws-sdk/client-sts against a real
 * moto_server.
 */
import { spawn } from 'node:child_process';
import t, { type Test } from 'tap';
import { hasCommand, requireOrSkip, startMoto } from './moto.js';
import { startStsProxy, type StsProxy } from './sts-proxy.js';

// Must be set before the SDK is loaded, hence the dynamic import below.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const { STSClient, GetSessionTokenCommand, AssumeRoleCommand, GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');

type Creds = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

const LONG_TERM: Creds = { accessKeyId: 'AKIDLONGTERMEXAMPLE', secretAccessKey: 'dummy-secret' };
const MFA_SERIAL = 'arn:aws:iam::111111111111:mfa/alice';
const ROLE = 'arn:aws:iam::222222222222:role/Dev';

/**
 * An STS client aimed at the proxy. One attempt only and short timeouts, so
 * injected faults surface at once instead of being retried away.
 */
function sts(t: Test, proxy: StsProxy, credentials: Creds = LONG_TERM, requestTimeout = 5000) {
  const client = new STSClient({
    endpoint: proxy.url,
    region: 'us-east-1',
    credentials,
    maxAttempts: 1,
    // Without throwOnRequestTimeout, current smithy only logs a warning when
    // requestTimeout passes and keeps waiting.
    requestHandler: { connectionTimeout: 2000, requestTimeout, throwOnRequestTimeout: true },
  });
  t.teardown(() => client.destroy());
  return client;
}

/** The rejection of `p`, failing the test if it resolves instead. */
async function rejection(t: Test, p: Promise<unknown>): Promise<Record<string, any>> {
  try {
    await p;
  } catch (err) {
    return err as Record<string, any>;
  }
  t.fail('expected the call to be rejected');
  return {};
}

/** Temporary credentials from GetSessionToken, as a credential daemon gets them. */
async function sessionCreds(t: Test, proxy: StsProxy): Promise<Creds> {
  const out = await sts(t, proxy).send(new GetSessionTokenCommand({ SerialNumber: MFA_SERIAL, TokenCode: '123456', DurationSeconds: 3600 }));
  const c = out.Credentials!;
  return { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
}

t.test('hasCommand looks executables up on PATH', async (t) => {
  t.equal(hasCommand('node'), true);
  t.equal(hasCommand(process.execPath), true, 'a path is checked as a path');
  t.equal(hasCommand('credd-no-such-command-xyz'), false);
  t.equal(hasCommand(''), false);
});

t.test('requireOrSkip skips locally and fails in CI', async (t) => {
  // Restored in `finally`, not t.teardown(): teardown runs later, after the
  // top-level requireOrSkip below has already read CI.
  const saved = process.env.CI;
  try {
    // A stand-in for a tap Test that records what requireOrSkip asks of it.
    const fake = () => {
      const log: string[] = [];
      const test = {
        comment: (m: string) => log.push(`comment ${m}`),
        skip: (m: string) => log.push(`skip ${m}`),
        fail: (m: string) => log.push(`fail ${m}`),
      };
      return { log, test: test as unknown as Test };
    };

    delete process.env.CI;
    const present = fake();
    t.equal(requireOrSkip(present.test, 'moto_server', true), true);
    t.same(present.log, []);

    const local = fake();
    t.equal(requireOrSkip(local.test, 'moto_server', false), false);
    t.same(local.log, ['comment SKIP: moto_server not found (pip install "moto[server]")', 'skip SKIP: moto_server not found (pip install "moto[server]")']);

    process.env.CI = 'true';
    const ci = fake();
    t.equal(requireOrSkip(ci.test, 'moto_server', false), false);
    t.equal(ci.log.length, 1);
    t.match(ci.log[0], /^fail moto_server not found \(pip install "moto\[server\]"\); CI=true/);
  } finally {
    if (saved === undefined) delete process.env.CI;
    else process.env.CI = saved;
  }
});

const moto = await startMoto();
if (moto) t.teardown(() => moto.stop());

if (requireOrSkip(t, 'moto_server', moto !== null) && moto) {
  /** A fresh proxy per test, so modes and call logs never leak between tests. */
  const proxyFor = async (t: Test) => {
    const proxy = await startStsProxy({ upstream: moto.url });
    t.teardown(() => proxy.close());
    return proxy;
  };

  t.test('startMoto returns a live server that stop() ends', async (t) => {
    const other = await startMoto();
    t.ok(other, 'second server started');
    t.match(other!.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    t.equal(other!.url, `http://127.0.0.1:${other!.port}`);
    t.equal((await fetch(other!.url)).ok, true, 'answers HTTP');
    await other!.stop();
    await other!.stop(); // idempotent
    await t.rejects(fetch(other!.url), 'no longer answers after stop()');
  });

  t.test('moto dies with a test process that is SIGKILLed', async (t) => {
    // A child node process starts moto, prints its URL, then is killed the
    // way tap kills a timed-out test. The server must not outlive it.
    const helper = new URL('./moto.ts', import.meta.url).href;
    const script = `import { startMoto } from ${JSON.stringify(helper)};
      const m = await startMoto(); console.log(m.url); setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, [...process.execArgv, '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    t.teardown(() => child.kill('SIGKILL'));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.setEncoding('utf8');
      child.stdout.once('data', (line: string) => resolve(line.trim()));
      child.once('exit', (code) => reject(new Error(`child exited early (${code})`)));
    });
    t.equal((await fetch(url)).ok, true, 'child’s moto answers');
    child.kill('SIGKILL');
    let gone = false;
    for (let i = 0; i < 100 && !gone; i++) {
      await new Promise((r) => setTimeout(r, 100));
      gone = await fetch(url).then(
        () => false,
        () => true,
      );
    }
    t.ok(gone, 'moto stopped within 10 s of its parent being SIGKILLed');
  });

  t.test('GetSessionToken: only a valid MFA code gets credentials', async (t) => {
    const proxy = await proxyFor(t);
    const client = sts(t, proxy);

    const ok = await client.send(new GetSessionTokenCommand({ SerialNumber: MFA_SERIAL, TokenCode: '123456', DurationSeconds: 3600 }));
    t.ok(ok.Credentials?.AccessKeyId, 'access key');
    t.ok(ok.Credentials?.SessionToken, 'session token');

    const wrong = await rejection(t, client.send(new GetSessionTokenCommand({ SerialNumber: MFA_SERIAL, TokenCode: '000000' })));
    t.equal(wrong.name, 'AccessDenied');
    t.equal(wrong.Code, 'AccessDenied');
    t.equal(wrong.message, 'MultiFactorAuthentication failed with invalid MFA one time pass code. ');
    t.equal(wrong.$metadata?.httpStatusCode, 403);
    t.equal(wrong.Type, 'Sender');

    const noCode = await rejection(t, client.send(new GetSessionTokenCommand({ SerialNumber: MFA_SERIAL })));
    t.equal(noCode.name, 'AccessDenied', 'a device without a code is refused too');

    for (const DurationSeconds of [899, 129_601]) {
      const bad = await rejection(t, client.send(new GetSessionTokenCommand({ SerialNumber: MFA_SERIAL, TokenCode: '123456', DurationSeconds })));
      t.equal(bad.name, 'ValidationError', `DurationSeconds ${DurationSeconds}`);
      t.match(bad.message, /durationSeconds/);
      t.equal(bad.$metadata?.httpStatusCode, 400);
    }

    const session = await sessionCreds(t, proxy);
    const fromSession = await rejection(t, sts(t, proxy, session).send(new GetSessionTokenCommand({})));
    t.equal(fromSession.name, 'AccessDenied', 'no GetSessionToken with session credentials');

    t.same(proxy.calls.slice(0, 3), [
      { action: 'GetSessionToken', durationSeconds: 3600, tokenCode: '123456', chained: false },
      { action: 'GetSessionToken', tokenCode: '000000', chained: false },
      { action: 'GetSessionToken', chained: false },
    ]);
  });

  t.test('custom validCodes', async (t) => {
    const proxy = await startStsProxy({ upstream: moto.url, validCodes: ['654321'] });
    t.teardown(() => proxy.close());
    const client = sts(t, proxy);
    const old = await rejection(t, client.send(new GetSessionTokenCommand({ SerialNumber: MFA_SERIAL, TokenCode: '123456' })));
    t.equal(old.name, 'AccessDenied');
    const ok = await client.send(new GetSessionTokenCommand({ SerialNumber: MFA_SERIAL, TokenCode: '654321' }));
    t.ok(ok.Credentials?.AccessKeyId);
  });

  t.test('AssumeRole: the role-chaining cap and session names', async (t) => {
    const proxy = await proxyFor(t);
    const chained = sts(t, proxy, await sessionCreds(t, proxy));

    const tooLong = await rejection(t, chained.send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'alice', DurationSeconds: 7200 })));
    t.equal(tooLong.name, 'ValidationError');
    t.equal(tooLong.message, 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.');
    t.equal(tooLong.$metadata?.httpStatusCode, 400);

    const out = await chained.send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'alice', DurationSeconds: 3600 }));
    const c = out.Credentials!;
    t.ok(c.AccessKeyId && c.SecretAccessKey && c.SessionToken, 'role credentials');
    const asRole = sts(t, proxy, {
      accessKeyId: c.AccessKeyId!,
      secretAccessKey: c.SecretAccessKey!,
      sessionToken: c.SessionToken!,
    });
    const who = await asRole.send(new GetCallerIdentityCommand({}));
    t.equal(who.Account, '222222222222');
    t.match(who.Arn, /^arn:aws:sts::222222222222:assumed-role\/Dev\/alice$/);

    // Long-term credentials are not role chaining: real STS allows up to the
    // role's MaxSessionDuration, and so does the proxy.
    const direct = await sts(t, proxy).send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'alice', DurationSeconds: 7200 }));
    t.ok(direct.Credentials?.AccessKeyId, 'unchained 7200 s is fine');

    for (const RoleSessionName of ['a', 'has space', 'x'.repeat(65), 'bad/char']) {
      const bad = await rejection(t, chained.send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName })));
      t.equal(bad.name, 'ValidationError', `RoleSessionName ${JSON.stringify(RoleSessionName)}`);
      t.match(bad.message, /roleSessionName/);
    }
    const overMax = await rejection(t, sts(t, proxy).send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'alice', DurationSeconds: 43_201 })));
    t.equal(overMax.name, 'ValidationError', 'over 12 h is refused even unchained');

    t.same(proxy.calls.filter((c) => c.action === 'AssumeRole').slice(0, 3), [
      { action: 'AssumeRole', durationSeconds: 7200, roleArn: ROLE, chained: true },
      { action: 'AssumeRole', durationSeconds: 3600, roleArn: ROLE, chained: true },
      { action: 'AssumeRole', durationSeconds: 7200, roleArn: ROLE, chained: false },
    ]);
    t.same(
      proxy.calls.find((c) => c.action === 'GetCallerIdentity'),
      {
        action: 'GetCallerIdentity',
        chained: true,
      },
    );
  });

  t.test('denyRoles', async (t) => {
    const proxy = await proxyFor(t);
    const other = 'arn:aws:iam::333333333333:role/Ops';
    proxy.denyRoles.add(ROLE);
    const client = sts(t, proxy);

    const denied = await rejection(t, client.send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'alice' })));
    t.equal(denied.name, 'AccessDenied');
    t.equal(denied.$metadata?.httpStatusCode, 403);
    t.match(denied.message, /^User: arn:aws:\S+ is not authorized to perform: sts:AssumeRole on resource: /);
    t.match(denied.message, ROLE);

    const allowed = await client.send(new AssumeRoleCommand({ RoleArn: other, RoleSessionName: 'alice' }));
    t.match(allowed.AssumedRoleUser?.Arn, /^arn:aws:sts::333333333333:assumed-role\/Ops\/alice$/);

    proxy.denyRoles.delete(ROLE);
    const later = await client.send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'alice' }));
    t.ok(later.Credentials, 'allowed again once removed from denyRoles');
    t.same(
      proxy.calls.map((c) => c.roleArn),
      [ROLE, other, ROLE],
    );
  });

  t.test('fault modes', async (t) => {
    const proxy = await proxyFor(t);
    const client = sts(t, proxy, LONG_TERM, 1000);
    const identity = () => client.send(new GetCallerIdentityCommand({}));

    proxy.mode = 'down';
    const down = await rejection(t, identity());
    t.equal(down.$metadata?.httpStatusCode, undefined, 'no HTTP answer at all');
    t.match(String(down.code ?? down.message), /ECONNRESET|socket hang up/);

    proxy.mode = 'error503';
    const unavailable = await rejection(t, identity());
    t.equal(unavailable.name, 'ServiceUnavailable');
    t.equal(unavailable.$metadata?.httpStatusCode, 503);

    proxy.mode = 'throttle';
    const throttled = await rejection(t, identity());
    t.equal(throttled.name, 'Throttling');
    t.equal(throttled.message, 'Rate exceeded');
    t.equal(throttled.$metadata?.httpStatusCode, 400);

    proxy.mode = 'slow';
    proxy.slowMs = 3000;
    const started = Date.now();
    const slow = await rejection(t, identity());
    t.equal(slow.name, 'TimeoutError', 'client timeout (1 s) beats the 3 s delay');
    t.ok(Date.now() - started < 2500, 'gave up at the client timeout');

    proxy.slowMs = 300;
    const slowStart = Date.now();
    t.equal((await identity()).Account, '123456789012', 'slow but within the timeout');
    t.ok(Date.now() - slowStart >= 300, 'was delayed');

    proxy.mode = 'pass';
    t.equal((await identity()).Account, '123456789012');
    t.equal(proxy.calls.length, 6, 'every request recorded, answered or not');
    t.ok(proxy.calls.every((c) => c.action === 'GetCallerIdentity'));
  });

  t.test('close() ends pending slow requests and the listener', async (t) => {
    const proxy = await startStsProxy({ upstream: moto.url });
    proxy.mode = 'slow';
    proxy.slowMs = 60_000;
    const client = sts(t, proxy, LONG_TERM, 30_000);
    const pending = rejection(t, client.send(new GetCallerIdentityCommand({})));
    while (proxy.calls.length === 0) await new Promise((r) => setTimeout(r, 20));
    const started = Date.now();
    await proxy.close();
    const err = await pending;
    t.ok(Date.now() - started < 5000, 'did not wait out slowMs');
    t.equal(err.$metadata?.httpStatusCode, undefined, 'connection dropped');
    await t.rejects(fetch(proxy.url), 'no longer listening');
  });

  t.test('forwarding preserves body, status, headers (raw Query request)', async (t) => {
    const proxy = await proxyFor(t);
    // As botocore sends it: form body, explicit charset, header-only signing.
    const request = (url: string) =>
      fetch(url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8',
          Authorization: 'AWS4-HMAC-SHA256 Credential=AKIDRAWEXAMPLE/20240101/us-east-1/sts/aws4_request, ' + 'SignedHeaders=host;x-amz-date, Signature=0',
          'X-Amz-Date': '20240101T000000Z',
        },
        body: `Action=AssumeRole&Version=2011-06-15&RoleArn=${encodeURIComponent(ROLE)}&RoleSessionName=raw&DurationSeconds=1800`,
      });
    const [viaProxy, direct] = await Promise.all([request(proxy.url), request(moto.url)]);
    t.equal(viaProxy.status, direct.status);
    t.equal(viaProxy.headers.get('content-type'), direct.headers.get('content-type'));
    t.ok(viaProxy.headers.get('x-amzn-requestid'), 'upstream headers kept');
    const text = await viaProxy.text();
    await direct.text();
    t.match(text, /<AssumeRoleResponse[^]*<Arn>arn:aws:sts::222222222222:assumed-role\/Dev\/raw<\/Arn>/);
    t.same(proxy.calls, [{ action: 'AssumeRole', durationSeconds: 1800, roleArn: ROLE, chained: false }]);

    // moto's own errors pass through untouched too.
    const bogus = await fetch(proxy.url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'Action=NoSuchAction&Version=2011-06-15',
    });
    const bogusDirect = await fetch(moto.url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'Action=NoSuchAction&Version=2011-06-15',
    });
    t.equal(bogus.status, bogusDirect.status);
    t.equal(await bogus.text(), await bogusDirect.text());
  });

  t.test('an unreachable upstream answers 502', async (t) => {
    const proxy = await startStsProxy({ upstream: 'http://127.0.0.1:9' });
    t.teardown(() => proxy.close());
    const res = await fetch(proxy.url, { method: 'POST', body: 'Action=GetCallerIdentity' });
    t.equal(res.status, 502);
    t.match(await res.text(), /upstream/);
  });
}
