import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { requireOrSkip, startMoto } from '../helpers/moto.js';
import { startStsProxy, type StsProxy } from '../helpers/sts-proxy.js';
import { credd, httpGet, makeSandbox, startDaemonProcess, type DaemonProcess, type Sandbox } from '../helpers/credd-process.js';

// Faults a laptop sees, against the built daemon (issue 13): the credentials file goes away, the
// runtime directory is removed, `credd start` races itself, a frozen daemon and a timed-out verb,
// and `credd switch` waiting until the credentials are in hand with a slow STS.

interface Answer {
  status: number;
  body: Record<string, string>;
}

function get(box: Sandbox, path: string): Promise<Answer> {
  const runtime = join(box.env.XDG_RUNTIME_DIR!, 'credd');
  const { url } = JSON.parse(readFileSync(join(runtime, 'endpoint.json'), 'utf8')) as { url: string };
  const token = readFileSync(join(runtime, 'token'), 'utf8');
  return httpGet(`${url}${path}`, { Authorization: token }).then((r) => ({ status: r.status, body: JSON.parse(r.body) as Record<string, string> }));
}

async function until(what: string, cond: () => Promise<boolean> | boolean, ms = 30_000): Promise<boolean> {
  const end = Date.now() + ms;
  for (;;) {
    if (await cond()) return true;
    if (Date.now() > end) {
      t.fail(`timed out waiting: ${what}`);
      return false;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

t.setTimeout(240_000);

const moto = await startMoto();
if (requireOrSkip(t, 'moto_server', moto !== null)) {
  const proxy: StsProxy = await startStsProxy({ upstream: moto!.url });
  const box = makeSandbox(proxy.url);
  let daemon: DaemonProcess = await startDaemonProcess(box.env);
  t.teardown(async () => {
    if (daemon.child.exitCode === null && daemon.child.signalCode === null) await daemon.stop();
    await credd(box.env, ['stop']);
    await proxy.close();
    await moto!.stop();
    box.cleanup();
  });
  const mfaCalls = () => proxy.calls.filter((c) => c.action === 'GetSessionToken');

  t.test('credd switch waits for the credentials and says so, with a slow STS', async (t) => {
    t.equal((await credd(box.env, ['switch', 'dev'])).code, 0);
    t.equal((await credd(box.env, ['mfa', '123456'])).code, 0);
    proxy.mode = 'slow';
    proxy.slowMs = 1500;
    const r = await credd(box.env, ['switch', 'prod']);
    t.equal(r.code, 0, r.stderr);
    t.match(r.stdout, /^Active profile: prod\nprod: credentials ready, 59m left\n$/);
    proxy.mode = 'pass';
    const a = await get(box, '/creds');
    t.equal(a.status, 200, 'the first request is answered from memory');
    t.match(a.body.RoleArn, /555555555555/);
    proxy.mode = 'down';
    const down = await credd(box.env, ['switch', 'staging']);
    t.equal(down.code, 1, 'not ready: exit 1');
    t.match(down.stdout, /Active profile: staging/, 'the switch itself stands');
    t.match(down.stderr, /^staging: no credentials: STS is unreachable/m, 'and says why');
    proxy.mode = 'pass';
    t.equal((await credd(box.env, ['switch', 'prod'])).code, 0);
  });

  t.test('the credentials file goes away: still served and renewed, said everywhere, back with no new code', async (t) => {
    const file = join(box.home, '.aws', 'credentials');
    const before = (await get(box, '/creds')).body.AccessKeyId;
    renameSync(file, `${file}.away`);
    await until('the daemon noticed', () => /credentials file .* is missing/.test(daemon.log()));
    await new Promise((r) => setTimeout(r, 500));
    const a = await get(box, '/creds');
    t.equal(a.status, 200, 'still served');
    t.equal(a.body.AccessKeyId, before, 'the same, still-valid credentials');
    t.equal((await get(box, '/creds/dev')).status, 200, 'every profile');
    const r = await credd(box.env, ['refresh', 'prod']);
    t.equal(r.code, 0, `renewed from the MFA session: ${r.stderr}`);
    t.not((await get(box, '/creds')).body.AccessKeyId, before, 'new credentials');
    const s = await credd(box.env, ['status']);
    t.match(s.stdout, /config error: The AWS credentials file .* is missing/);
    const doc = await credd(box.env, ['doctor']);
    t.match(doc.stdout, /credentials file .* is missing/);
    renameSync(`${file}.away`, file);
    await until('the file is used again', async () => !/config error/.test((await credd(box.env, ['status'])).stdout));
    t.equal((await get(box, '/creds/test')).status, 200);
    t.equal(mfaCalls().length, 1, 'no new MFA code at any point');
  });

  t.test('the runtime directory is removed: recreated within seconds, same token, every verb works', async (t) => {
    const runtime = join(box.env.XDG_RUNTIME_DIR!, 'credd');
    const token = readFileSync(join(runtime, 'token'), 'utf8');
    rmSync(runtime, { recursive: true, force: true });
    await until('the socket is back', () => existsSync(join(runtime, 'control.sock')), 15_000);
    t.equal((await credd(box.env, ['status'])).code, 0, 'credd status finds it');
    await until('the token file is back', () => existsSync(join(runtime, 'token')));
    t.equal(readFileSync(join(runtime, 'token'), 'utf8'), token, 'with the same token');
    t.equal((await get(box, '/creds')).status, 200, 'clients that hold it keep working');
    const env = await credd(box.env, ['env']);
    t.match(env.stdout, new RegExp(`AWS_CONTAINER_AUTHORIZATION_TOKEN='${token}'`), 'credd env prints the live token');
    t.match(daemon.log(), /runtime directory was removed/);
  });

  t.test('a timed-out verb is not applied later behind the user\'s back', async (t) => {
    daemon.child.kill('SIGSTOP');
    const node = process.execPath;
    // The CLI's timeout is 30 s; here the client runs with a 1.5 s one through a tiny wrapper.
    const script = `import { createControlClient } from ${JSON.stringify(new URL('../../dist/cli/control-client.js', import.meta.url).href)};
      const c = createControlClient(${JSON.stringify(join(box.env.XDG_RUNTIME_DIR!, 'credd', 'control.sock'))}, 1500);
      try { await c.post('/switch', { profile: 'test' }); console.log('applied'); } catch (e) { console.log(e.code, e.message); }`;
    const out = await new Promise<string>((resolve) => {
      const c = spawn(node, ['--input-type=module', '-e', script]);
      let s = '';
      c.stdout.on('data', (b: Buffer) => (s += b.toString()));
      c.on('close', () => resolve(s));
    });
    t.match(out, /DaemonNotRunning credd did not answer within 1\.5 s.*drops this request/);
    daemon.child.kill('SIGCONT');
    await new Promise((r) => setTimeout(r, 1000));
    const s = JSON.parse((await credd(box.env, ['status', '--json'])).stdout) as { activeProfile: string };
    t.equal(s.activeProfile, 'prod', 'the switch that timed out was dropped, not applied once the daemon resumed');
  });

  t.test('five `credd start` at once: one daemon, and every one exits 0 naming it', async (t) => {
    await daemon.stop();
    const runs = await Promise.all(Array.from({ length: 5 }, () => credd(box.env, ['start'])));
    for (const r of runs) t.equal(r.code, 0, r.stderr);
    const pids = new Set(runs.map((r) => /\(pid (\d+)\)/.exec(r.stdout)?.[1]));
    t.equal(pids.size, 1, `all name the same daemon: ${runs.map((r) => r.stdout.trim()).join(' | ')}`);
    t.equal(runs.filter((r) => /^credd started/.test(r.stdout)).length, 1, 'one started it');
    t.notOk(runs.some((r) => /Internal error|EADDRINUSE|ENOENT/.test(r.stdout + r.stderr)));
    const log = readFileSync(join(box.env.XDG_STATE_HOME!, 'credd', 'credd.log'), 'utf8');
    t.notMatch(log, /Internal error|ENOENT unlink/, 'the losing daemons saw the winner, not a port in use');
    t.equal((await get(box, '/creds')).status, 200);
    const stop = await credd(box.env, ['stop']);
    t.equal(stop.code, 0);
    daemon = { child: { exitCode: 0, signalCode: null } } as unknown as DaemonProcess;
  });

}
