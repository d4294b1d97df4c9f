import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { credd, startScenario } from '../helpers/credd-process.js';
import { daemonGet, signIn, switchWithSlowSts, until } from '../helpers/scenario-steps.js';

// Faults a laptop sees, against the built daemon (issue 13): the credentials file goes away, the
// runtime directory is removed, `credd start` races itself, a frozen daemon and a timed-out verb,
// and `credd switch` waiting until the credentials are in hand with a slow STS.

t.setTimeout(240_000);

const world = await startScenario(t, { stopStarted: true });
if (world) {
  const { box, proxy, daemon } = world;
  const mfaCalls = () => proxy.calls.filter((c) => c.action === 'GetSessionToken');

  t.test('credd switch waits for the credentials and says so, with a slow STS', async (t) => {
    await signIn(t, box);
    const r = await switchWithSlowSts(t, world, 'prod');
    t.match(r.stdout, /^Active profile: prod\nprod: credentials ready, 59m left\n$/);
    proxy.mode = 'pass';
    const a = await daemonGet(box, '/creds');
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
    const before = (await daemonGet(box, '/creds')).body.AccessKeyId;
    renameSync(file, `${file}.away`);
    await until(t, 'the daemon noticed', () => /credentials file .* is missing/.test(daemon.log()));
    await new Promise((r) => setTimeout(r, 500));
    const a = await daemonGet(box, '/creds');
    t.equal(a.status, 200, 'still served');
    t.equal(a.body.AccessKeyId, before, 'the same, still-valid credentials');
    t.equal((await daemonGet(box, '/creds/dev')).status, 200, 'every profile');
    const r = await credd(box.env, ['refresh', 'prod']);
    t.equal(r.code, 0, `renewed from the MFA session: ${r.stderr}`);
    t.not((await daemonGet(box, '/creds')).body.AccessKeyId, before, 'new credentials');
    const s = await credd(box.env, ['status']);
    t.match(s.stdout, /config error: The AWS credentials file .* is missing/);
    const doc = await credd(box.env, ['doctor']);
    t.match(doc.stdout, /credentials file .* is missing/);
    renameSync(`${file}.away`, file);
    await until(t, 'the file is used again', async () => !/config error/.test((await credd(box.env, ['status'])).stdout));
    t.equal((await daemonGet(box, '/creds/test')).status, 200);
    t.equal(mfaCalls().length, 1, 'no new MFA code at any point');
  });

  t.test('the runtime directory is removed: recreated within seconds, same token, every verb works', async (t) => {
    const runtime = join(box.env.XDG_RUNTIME_DIR!, 'credd');
    const token = readFileSync(join(runtime, 'token'), 'utf8');
    rmSync(runtime, { recursive: true, force: true });
    await until(t, 'the socket is back', () => existsSync(join(runtime, 'control.sock')), 15_000);
    t.equal((await credd(box.env, ['status'])).code, 0, 'credd status finds it');
    await until(t, 'the token file is back', () => existsSync(join(runtime, 'token')));
    t.equal(readFileSync(join(runtime, 'token'), 'utf8'), token, 'with the same token');
    t.equal((await daemonGet(box, '/creds')).status, 200, 'clients that hold it keep working');
    const env = await credd(box.env, ['env']);
    t.match(env.stdout, new RegExp(`AWS_CONTAINER_AUTHORIZATION_TOKEN='${token}'`), 'credd env prints the live token');
    t.match(daemon.log(), /runtime directory was removed/);
  });

  t.test("a timed-out verb is not applied later behind the user's back", async (t) => {
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
    t.equal((await daemonGet(box, '/creds')).status, 200);
    const stop = await credd(box.env, ['stop']);
    t.equal(stop.code, 0);
  });
}
