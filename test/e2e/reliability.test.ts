import t from 'tap';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { credd, startDaemonProcess, startScenario, type Sandbox } from '../helpers/credd-process.js';
import { daemonGet, signIn, until } from '../helpers/scenario-steps.js';

// Reliability end to end: the built daemon against moto_server behind the fault-injecting
// STS proxy. STS down → still served; STS back → refreshed; kill -9 → restart serves
// without a new MFA code; SIGTERM → in-flight answered (a prompt 503 while STS is slow), the
// STS call finishes and is saved, socket removed, exit 0.

async function status(box: Sandbox): Promise<{ errors: Array<{ name: string; code: string }>; sessions: unknown[]; profiles: Array<{ name: string }> }> {
  const r = await credd(box.env, ['status', '--json']);
  return JSON.parse(r.stdout);
}

// Real processes and a real scheduler: longer than tap's default 30 s under a loaded machine.
t.setTimeout(180_000);

const world = await startScenario(t);
if (world) {
  const { box, proxy } = world;
  const mfaCalls = () => proxy.calls.filter((c) => c.action === 'GetSessionToken');
  const assumed = (account: string) => proxy.calls.filter((c) => c.action === 'AssumeRole' && c.roleArn?.includes(`::${account}:`));
  let servedKey = '';

  t.test('one MFA code, then dev is served', async (t) => {
    await signIn(t, box);
    const a = await daemonGet(box, '/creds');
    t.equal(a.status, 200);
    servedKey = a.body.AccessKeyId!;
    t.match(servedKey, /^ASIA/);
  });

  t.test('STS down, throttling, 5xx or slow: still served, the failure is in status', async (t) => {
    for (const mode of ['down', 'throttle', 'error503'] as const) {
      proxy.mode = mode;
      const before = proxy.calls.length;
      const r = await credd(box.env, ['refresh']);
      t.not(r.code, 0, `${mode}: credd refresh fails`);
      t.match(r.stderr, /STS is unreachable or busy/, `${mode}: with a one-line reason`);
      t.ok(proxy.calls.length > before, `${mode}: STS was really asked`);
      const a = await daemonGet(box, '/creds');
      t.equal(a.status, 200, `${mode}: still served`);
      t.equal(a.body.AccessKeyId, servedKey, `${mode}: the still-valid credentials`);
      t.match((await status(box)).errors, [{ name: 'dev', code: 'StsUnavailable' }], `${mode}: last error recorded`);
    }
    const never = await daemonGet(box, '/creds/test');
    t.equal(never.status, 503, 'a profile with nothing cached gets a retryable 503…');
    t.equal(never.body.Code, 'StsUnavailable', '…never stale or made-up credentials');

    proxy.mode = 'slow';
    proxy.slowMs = 3000;
    let refreshDone = false;
    const slowRefresh = credd(box.env, ['refresh']).then((r) => {
      refreshDone = true;
      return r;
    });
    await until(t, 'the slow refresh reached STS', async () => proxy.calls.at(-1)?.action === 'AssumeRole', 60_000);
    const a = await daemonGet(box, '/creds');
    t.equal(a.status, 200);
    t.notOk(refreshDone, 'a slow STS does not hold up serving: answered while the refresh still waits');
    t.equal((await slowRefresh).code, 0, 'and the slow call did succeed');
    servedKey = (await daemonGet(box, '/creds')).body.AccessKeyId!;
  });

  t.test('STS back: refreshed, and the profile that failed recovers by itself', async (t) => {
    proxy.mode = 'error503';
    t.not((await credd(box.env, ['refresh'])).code, 0);
    proxy.mode = 'pass';
    const r = await credd(box.env, ['refresh']);
    t.equal(r.code, 0, r.stderr);
    const a = await daemonGet(box, '/creds');
    t.equal(a.status, 200);
    t.not(a.body.AccessKeyId, servedKey, 'new credentials');
    servedKey = a.body.AccessKeyId!;
    t.notOk(
      (await status(box)).errors.some((e) => e.name === 'dev'),
      'the error is cleared',
    );
    // Nobody asks again: the scheduler retries the in-use profile once its backoff runs out.
    await until(t, 'test was fetched by the scheduler', async () => (await status(box)).profiles.some((p) => p.name === 'test'), 60_000);
    t.equal((await daemonGet(box, '/creds/test')).status, 200);
    t.equal(mfaCalls().length, 1, 'never another MFA code');
  });

  t.test('kill -9, then restart: served at once, no MFA code, no STS call', async (t) => {
    const state = join(box.env.XDG_STATE_HOME!, 'credd', 'state.json');
    t.equal(statSync(state).mode & 0o777, 0o600, 'the state file is 0600');
    const calls = proxy.calls.length;
    world.daemon.child.kill('SIGKILL');
    await world.daemon.exited;
    t.ok(existsSync(join(box.env.XDG_RUNTIME_DIR!, 'credd', 'control.sock')), 'the killed daemon left its socket');
    world.daemon = await startDaemonProcess(box.env);
    t.match(world.daemon.log(), /took over the control socket/);
    const a = await daemonGet(box, '/creds');
    t.equal(a.status, 200);
    t.equal(a.body.AccessKeyId, servedKey, 'the same credentials, restored from disk');
    t.equal(proxy.calls.length, calls, 'without any STS call');
    const prod = await daemonGet(box, '/creds/prod');
    t.equal(prod.status, 200, 'a new role on the restored session');
    t.equal(assumed('555555555555').length, 1);
    t.equal(mfaCalls().length, 1, 'and still the one MFA code');
    t.equal(mfaCalls()[0]!.tokenCode, '123456');
  });

  t.test('SIGTERM: the request in flight is answered, the STS call finishes, the socket goes, exit 0', async (t) => {
    proxy.mode = 'slow';
    proxy.slowMs = 3000;
    const inflight = daemonGet(box, '/creds/staging');
    await until(t, 'the staging request reached STS', async () => assumed('444444444444').length === 1, 60_000);
    world.daemon.child.kill('SIGTERM');
    const a = await inflight;
    t.equal(a.status, 503, 'answered without waiting for the slow STS (the SDKs give up after 1 s)');
    t.equal(a.body.Code, 'RequestTimeout', 'with a code every SDK retries (Go v2 included)');
    t.equal(await world.daemon.exited, 0, 'exit 0');
    t.notOk(existsSync(join(box.env.XDG_RUNTIME_DIR!, 'credd', 'control.sock')), 'socket removed');
    t.notOk(existsSync(join(box.env.XDG_RUNTIME_DIR!, 'credd', 'endpoint.json')), 'endpoint file removed');
    t.match(world.daemon.log(), /"msg":"stopped"/);
    const saved = JSON.parse(readFileSync(join(box.env.XDG_STATE_HOME!, 'credd', 'state.json'), 'utf8')) as { credentials: Array<{ profile: string }> };
    t.ok(
      saved.credentials.some((c) => c.profile === 'staging'),
      'what it obtained is on disk',
    );
    proxy.mode = 'pass';
  });
}
