import t, { type Test } from 'tap';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credd, makeSandbox } from '../helpers/credd-process.js';

// Issue 12 items 3 and 4, attacked for real: another user (nobody, through setpriv) makes the
// fallback runtime directory first, plants a symlink there, or squats credd's port.

const NOBODY = ['--reuid=65534', '--regid=65534', '--clear-groups'];
const asNobody = (args: string[]) => spawnSync('setpriv', [...NOBODY, ...args], { encoding: 'utf8' });
const canDrop = process.getuid?.() === 0 && asNobody(['true']).status === 0;

t.setTimeout(120_000);

if (!canDrop) {
  if (process.env.CI === 'true') t.fail('these attacks need root and setpriv (util-linux) to act as another user');
  else t.pass('skipped: needs root and setpriv to act as another user (nobody)');
} else {
  /** A sandbox without XDG_RUNTIME_DIR: the runtime directory falls back to $TMPDIR/credd-0, shared with nobody. */
  const fallbackBox = (t: Test) => {
    const box = makeSandbox('http://127.0.0.1:9');
    const shared = mkdtempSync(join(tmpdir(), 'credd-shared-tmp-'));
    chmodSync(shared, 0o1777);
    t.teardown(() => {
      rmSync(shared, { recursive: true, force: true });
      box.cleanup();
    });
    const env: Record<string, string> = { ...box.env, TMPDIR: shared };
    delete env.XDG_RUNTIME_DIR;
    return { box, env, dir: join(shared, `credd-${process.getuid!()}`), shared };
  };

  t.test('a runtime directory made first by another user is refused by the daemon and every command', async (t) => {
    const { env, dir } = fallbackBox(t);
    t.equal(asNobody(['mkdir', '-m', '700', dir]).status, 0, 'nobody made it first');
    const daemon = await credd(env, ['daemon']);
    t.not(daemon.code, 0, 'the daemon does not start');
    t.match(
      daemon.stderr,
      new RegExp(`^credd: Refusing the runtime directory ${dir}: it is owned by nobody \\(uid 65534\\), not by you .*XDG_RUNTIME_DIR`, 'm'),
    );
    t.equal(daemon.stderr.trim().split('\n').length, 1, 'in one line');
    for (const verb of [['env'], ['mfa', '123456'], ['status'], ['switch', 'dev'], ['credential-process', 'dev'], ['start']]) {
      const r = await credd(env, verb);
      t.not(r.code, 0, `credd ${verb[0]} refuses`);
      t.equal(r.stdout, '', `credd ${verb[0]} prints nothing on stdout (no token)`);
      t.match(r.stderr, /Refusing the runtime directory .* owned by nobody/, `credd ${verb[0]} names the owner`);
    }
  });

  t.test('a symlink planted there is refused, never followed', async (t) => {
    const { env, dir, shared } = fallbackBox(t);
    const target = join(shared, 'nobody-owned');
    t.equal(asNobody(['mkdir', '-m', '700', target]).status, 0);
    t.equal(asNobody(['ln', '-s', target, dir]).status, 0, 'nobody planted a symlink');
    const r = await credd(env, ['daemon']);
    t.not(r.code, 0);
    t.match(r.stderr, /it is a symbolic link \(to .*nobody-owned\), owned by nobody/);
    const e = await credd(env, ['env']);
    t.not(e.code, 0);
    t.equal(e.stdout, '');
  });

  t.test('our own directory open to others is refused with the fix', async (t) => {
    const { env, dir } = fallbackBox(t);
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o755);
    const r = await credd(env, ['env']);
    t.not(r.code, 0);
    t.match(r.stderr, new RegExp(`others may use it \\(mode 0755\\)\\. Run \`chmod 700 ${dir}\``));
    chmodSync(dir, 0o700);
    t.equal((await credd(env, ['env'])).code, 0, 'fixed: works');
  });

  t.test('a squatted port: start names the holder, env prints nothing, doctor says who', async (t) => {
    const box = makeSandbox('http://127.0.0.1:9');
    t.teardown(() => box.cleanup());
    const squatter: ChildProcess = spawn(
      'setpriv',
      [
        ...NOBODY,
        process.execPath,
        '-e',
        "const s=require('net').createServer(c=>c.end('HTTP/1.1 200 OK\\r\\n\\r\\n{}'));s.listen(0,'127.0.0.1',()=>console.log(s.address().port))",
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    t.teardown(() => void squatter.kill());
    const port = await new Promise<number>((r) => squatter.stdout!.once('data', (b: Buffer) => r(Number(b.toString().trim()))));
    const env = { ...box.env, CREDD_PORT: String(port) };
    const start = await credd(env, ['start']);
    t.not(start.code, 0, 'credd start fails');
    t.match(
      start.stderr,
      new RegExp(`127\\.0\\.0\\.1:${port} is held by nobody \\(uid 65534\\), pid ${squatter.pid! > 0 ? '\\d+' : ''}, not by you`),
      'naming the holder',
    );
    const e = await credd(env, ['env']);
    t.not(e.code, 0, 'credd env exits non-zero');
    t.equal(e.stdout, '', 'and prints nothing: no token for the squatter');
    t.match(e.stderr, /held by nobody/);
    const doc = await credd(env, ['doctor']);
    t.not(doc.code, 0);
    t.match(doc.stdout, new RegExp(`error: 127\\.0\\.0\\.1:${port} is held by nobody \\(uid 65534\\)`));
    t.notMatch(doc.stdout, /No credd daemon runs/, 'not "start it"');
    const daemon = await credd(env, ['daemon']);
    t.match(daemon.stderr, /the port is held by nobody \(uid 65534\)/, 'the daemon itself names the holder too');
  });

  t.test('an unwritable state directory (left by sudo) at start-up: serves and warns', async (t) => {
    const root = mkdtempSync(join(tmpdir(), 'credd-sudo-'));
    t.teardown(() => rmSync(root, { recursive: true, force: true }));
    chmodSync(root, 0o755);
    const home = join(root, 'home');
    mkdirSync(join(home, '.aws'), { recursive: true });
    writeFileSync(join(home, '.aws', 'config'), '[profile dev]\nregion = us-west-2\n');
    mkdirSync(join(root, 'state', 'credd'), { recursive: true, mode: 0o700 }); // root's, as `sudo credd` leaves it
    mkdirSync(join(root, 'run'), { mode: 0o700 });
    spawnSync('chown', ['-R', '65534:65534', home, join(root, 'run')]);
    const env = {
      PATH: process.env.PATH!,
      HOME: home,
      XDG_RUNTIME_DIR: join(root, 'run'),
      XDG_STATE_HOME: join(root, 'state'),
      XDG_CONFIG_HOME: join(root, 'cfg'),
      CREDD_PORT: '0',
    };
    const child = spawn('setpriv', [...NOBODY, process.execPath, join(import.meta.dirname, '..', '..', 'dist', 'bin', 'credd.js'), 'daemon'], {
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let log = '';
    child.stderr!.on('data', (b: Buffer) => (log += b.toString()));
    const end = Date.now() + 20_000;
    while (!/credd is serving/.test(log) && child.exitCode === null && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    t.match(log, /state directory cannot be used: credd serves, but sessions will not survive a restart/);
    t.match(log, /credd is serving/, 'started and serving');
    t.equal(child.exitCode, null, 'still running');
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  });
}
