import { readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { createServiceCommand } from '../../src/cli/commands/service.js';
import { run } from '../../src/cli/run.js';
import { DaemonNotRunningError } from '../../src/errors.js';
import { applySteps, shellLine } from '../../src/service/apply-steps.js';
import { DAEMON_NODE_FLAGS } from '../../src/daemon/node-flags.js';
import { LAUNCHD_LABEL } from '../../src/service/platform.js';
import { realServiceDeps, type RunResult, type ServiceDeps } from '../../src/service/service-deps.js';
import { renderServiceFile, templatePath } from '../../src/service/service-file.js';
import { fakeCliContext, type FakeCli } from '../helpers/cli-context.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SCRIPT = join(ROOT, 'dist', 'bin', 'credd.js');

interface Fake {
  deps: ServiceDeps;
  files: Map<string, { content: string; mode: number }>;
  dirs: Map<string, number>;
  runs: string[];
  /** The daemon the fake control socket reports; the service's start sets it. */
  daemon: { up: boolean; pid: number };
}

/** ServiceDeps over an in-memory file system; `answers` maps a command line to its result. */
function fakeDeps(opts: { home: string; uid?: number; answers?: Record<string, Partial<RunResult> | Error> }): Fake {
  const files = new Map<string, { content: string; mode: number }>();
  const dirs = new Map<string, number>();
  const runs: string[] = [];
  const daemon = { up: false, pid: 777 };
  const fake: Fake = {
    files,
    dirs,
    runs,
    daemon,
    deps: {
      async run(argv) {
        const line = argv.join(' ');
        runs.push(line);
        const a = opts.answers?.[line];
        if (a instanceof Error) throw a;
        if (/enable --now|bootstrap/.test(line) && !a?.code) daemon.up = true;
        if (/disable --now|bootout/.test(line)) daemon.up = false;
        return { code: 0, stdout: '', stderr: '', ...a };
      },
      fs: {
        // Templates come from the repository; everything else from the fake.
        read: (p) => (p.startsWith(ROOT) ? readFileSync(p, 'utf8') : files.get(p)?.content),
        write: (p, content, mode) => void files.set(p, { content, mode }),
        mkdir: (p, mode) => void dirs.set(p, mode),
        remove: (p) => void files.delete(p),
      },
      home: opts.home,
      uid: opts.uid ?? 1000,
      sleep: async () => {},
    },
  };
  return fake;
}

/** A fake CLI whose control socket answers /status while `fake.daemon.up`, and stops it on POST /stop. */
function cli(fake: Fake, platform: NodeJS.Platform, env?: Record<string, string>): FakeCli {
  return fakeCliContext({
    platform,
    scriptPath: SCRIPT,
    execPath: '/usr/bin/node',
    ...(env ? { env } : {}),
    routes: {
      'GET /status': () => {
        if (!fake.daemon.up) throw new DaemonNotRunningError();
        return { pid: fake.daemon.pid, endpoint: 'http://127.0.0.1:9911' };
      },
      'POST /stop': () => {
        fake.daemon.up = false;
        return { ok: true };
      },
    },
  });
}

const LINUX_ENV = { HOME: '/home/u', XDG_RUNTIME_DIR: '/run/user/1000' };
const UNIT = '/home/u/.config/systemd/user/credd.service';

t.test('linux install writes the unit with the real paths, reloads and enables it', async (t) => {
  const fake = fakeDeps({ home: '/home/u' });
  const c = cli(fake, 'linux', LINUX_ENV);
  const code = await createServiceCommand(() => fake.deps)(c.ctx, ['install']);
  t.equal(code, 0, c.stderr());
  t.same(fake.runs, ['systemctl --user daemon-reload', 'systemctl --user enable --now credd.service']);
  const unit = fake.files.get(UNIT);
  t.equal(unit?.mode, 0o644);
  t.equal(
    unit?.content,
    renderServiceFile({ kind: 'systemd', unitName: 'credd.service', unitFile: UNIT }, readFileSync(join(ROOT, 'systemd', 'credd.service'), 'utf8'), {
      node: '/usr/bin/node',
      script: SCRIPT,
      stateDir: '/home/u/.local/state/credd',
      env: LINUX_ENV,
    }),
  );
  t.match(unit?.content, `ExecStart=/usr/bin/node ${DAEMON_NODE_FLAGS.join(' ')} ${SCRIPT} daemon\n`);
  t.match(unit?.content, 'ReadWritePaths=/home/u/.local/state/credd\n');
  t.same(
    [...fake.dirs],
    [
      ['/home/u/.local/state/credd', 0o700],
      ['/home/u/.config/systemd/user', 0o755],
    ],
    'the state dir exists before the sandbox needs it',
  );
  t.equal(
    c.stdout(),
    [
      'made sure /home/u/.local/state/credd exists',
      'made sure /home/u/.config/systemd/user exists',
      `wrote ${UNIT}`,
      'ran: systemctl --user daemon-reload',
      'ran: systemctl --user enable --now credd.service',
      'credd runs as a systemd user service (pid 777) at http://127.0.0.1:9911; it starts at every login. Log: journalctl --user -u credd.service',
      '',
    ].join('\n'),
  );
});

t.test('install honours XDG_CONFIG_HOME and stops a daemon that `credd start` started', async (t) => {
  const fake = fakeDeps({ home: '/home/u' });
  fake.daemon.up = true;
  fake.daemon.pid = 555;
  const c = cli(fake, 'linux', { ...LINUX_ENV, XDG_CONFIG_HOME: '/cfg', CREDD_PORT: '9922' });
  t.equal(await createServiceCommand(() => fake.deps)(c.ctx, ['install']), 0);
  t.ok(fake.files.has('/cfg/systemd/user/credd.service'));
  t.match(fake.files.get('/cfg/systemd/user/credd.service')?.content, 'Environment="XDG_CONFIG_HOME=/cfg"\nEnvironment="CREDD_PORT=9922"\n');
  t.match(
    c.stdout(),
    'ran: systemctl --user daemon-reload\nstopping the running daemon (pid 555) so that the service takes over\nran: systemctl --user enable --now credd.service\n',
    'stopped only right before the service starts',
  );
  t.same(
    c.calls.filter((x) => x.method === 'POST').map((x) => x.path),
    ['/stop'],
  );
});

t.test('a failure before the start leaves a running daemon alone; one after says how to get it back', async (t) => {
  const early = fakeDeps({ home: '/home/u', answers: { 'systemctl --user daemon-reload': { code: 1, stderr: 'Failed to connect to bus' } } });
  early.daemon.up = true;
  const c1 = cli(early, 'linux', LINUX_ENV);
  await t.rejects(createServiceCommand(() => early.deps)(c1.ctx, ['install']), { code: 'ServiceError' });
  t.ok(early.daemon.up, 'still running');
  t.same(
    c1.calls.filter((x) => x.method === 'POST'),
    [],
  );
  const late = fakeDeps({ home: '/home/u', answers: { 'systemctl --user enable --now credd.service': { code: 1, stderr: 'Unit credd.service failed' } } });
  late.daemon.up = true;
  const c2 = cli(late, 'linux', LINUX_ENV);
  await t.rejects(createServiceCommand(() => late.deps)(c2.ctx, ['install']), { message: /enable --now credd\.service` failed: Unit credd\.service failed/ });
  t.equal(c2.stderr(), 'credd: the daemon was stopped; `credd start` runs it without the service.\n');
});

t.test('macOS install writes the LaunchAgent and bootstraps it in gui/UID', async (t) => {
  const fake = fakeDeps({
    home: '/Users/u',
    uid: 501,
    answers: { [`launchctl bootout gui/501/${LAUNCHD_LABEL}`]: { code: 3, stderr: 'Boot-out failed: 3: No such process' } },
  });
  const c = cli(fake, 'darwin', { HOME: '/Users/u' });
  t.equal(await createServiceCommand(() => fake.deps)(c.ctx, ['install']), 0, c.stderr());
  const plist = `/Users/u/Library/LaunchAgents/${LAUNCHD_LABEL}.plist`;
  t.same(
    fake.runs,
    [`launchctl bootout gui/501/${LAUNCHD_LABEL}`, `launchctl enable gui/501/${LAUNCHD_LABEL}`, `launchctl bootstrap gui/501 ${plist}`],
    'a failed bootout (not loaded) is fine',
  );
  t.match(
    fake.files.get(plist)?.content,
    `<string>/usr/bin/node</string>\n${DAEMON_NODE_FLAGS.map((f) => `    <string>${f}</string>\n`).join('')}    <string>${SCRIPT}</string>\n    <string>daemon</string>`,
  );
  t.equal(fake.dirs.get('/Users/u/Library/Logs/credd'), 0o700, 'launchd does not create the log directory');
  t.match(c.stdout(), /launchd agent \(pid 777\).*Log: \/Users\/u\/Library\/Logs\/credd\/credd\.log/);
});

t.test('--dry-run prints the file and the commands and does nothing', async (t) => {
  for (const platform of ['linux', 'darwin'] as const) {
    const fake = fakeDeps({ home: '/home/u' });
    fake.daemon.up = true;
    const c = cli(fake, platform, LINUX_ENV);
    t.equal(await createServiceCommand(() => fake.deps)(c.ctx, ['install', '--dry-run']), 0);
    t.same(fake.runs, [], platform);
    t.equal(fake.files.size, 0);
    t.equal(fake.dirs.size, 0);
    t.ok(fake.daemon.up, 'the running daemon is left alone');
    t.match(c.stdout(), 'would stop the running daemon (pid 777)');
    t.match(c.stdout(), platform === 'linux' ? 'would run: systemctl --user enable --now credd.service\n' : 'would run: launchctl bootstrap gui/1000 ');
    t.match(c.stdout(), platform === 'linux' ? /would write \S+credd\.service \(mode 644\):\n# credd/ : /would write \S+\.plist \(mode 644\):\n<\?xml/);
  }
});

t.test('uninstall disables, removes and reloads; says so when there is nothing to remove', async (t) => {
  const fake = fakeDeps({ home: '/home/u' });
  fake.files.set(UNIT, { content: 'x', mode: 0o644 });
  const c = cli(fake, 'linux', LINUX_ENV);
  t.equal(await createServiceCommand(() => fake.deps)(c.ctx, ['uninstall']), 0);
  t.same(fake.runs, ['systemctl --user disable --now credd.service', 'systemctl --user daemon-reload']);
  t.notOk(fake.files.has(UNIT));
  t.match(c.stdout(), `removed ${UNIT}\n`);
  const again = cli(fake, 'linux', LINUX_ENV);
  t.equal(await createServiceCommand(() => fake.deps)(again.ctx, ['uninstall']), 0);
  t.equal(again.stdout(), `credd's login service is not installed (no ${UNIT}).\n`);
  t.equal(fake.runs.length, 2, 'nothing run the second time');

  const mac = fakeDeps({ home: '/Users/u', uid: 501 });
  const plist = `/Users/u/Library/LaunchAgents/${LAUNCHD_LABEL}.plist`;
  mac.files.set(plist, { content: 'x', mode: 0o644 });
  const m = cli(mac, 'darwin', { HOME: '/Users/u' });
  t.equal(await createServiceCommand(() => mac.deps)(m.ctx, ['uninstall', '--dry-run']), 0);
  t.same(mac.runs, []);
  t.equal(m.stdout(), `would run: launchctl bootout gui/501/${LAUNCHD_LABEL}\nwould remove ${plist}\n`);
  t.equal(await createServiceCommand(() => mac.deps)(m.ctx, ['uninstall']), 0);
  t.same(mac.runs, [`launchctl bootout gui/501/${LAUNCHD_LABEL}`]);
  t.notOk(mac.files.has(plist));
});

t.test('status on linux', async (t) => {
  const fake = fakeDeps({ home: '/home/u', answers: { 'systemctl --user is-active credd.service': { code: 3, stdout: 'failed\n' } } });
  const c0 = cli(fake, 'linux', LINUX_ENV);
  t.equal(await createServiceCommand(() => fake.deps)(c0.ctx, ['status']), 3);
  t.equal(c0.stdout(), `not installed (no ${UNIT}): run \`credd service install\`\n`);
  const c1 = cli(fake, 'linux', LINUX_ENV);
  await createServiceCommand(() => fake.deps)(c1.ctx, ['install']).catch(() => 1);
  fake.runs.length = 0;
  const c2 = cli(fake, 'linux', LINUX_ENV);
  t.equal(await createServiceCommand(() => fake.deps)(c2.ctx, ['status']), 3, 'exit 3: not running');
  t.same(fake.runs, ['systemctl --user is-enabled credd.service', 'systemctl --user is-active credd.service']);
  t.equal(
    c2.stdout(),
    `installed: ${UNIT}\nenabled: \nactive: failed\nlog: journalctl --user -u credd.service\n`.replace('enabled: \n', 'enabled: unknown (exit 0)\n'),
  );
  const ok = fakeDeps({
    home: '/home/u',
    answers: { 'systemctl --user is-enabled credd.service': { stdout: 'enabled\n' }, 'systemctl --user is-active credd.service': { stdout: 'active\n' } },
  });
  ok.files.set(UNIT, fake.files.get(UNIT)!);
  const c3 = cli(ok, 'linux', LINUX_ENV);
  t.equal(await createServiceCommand(() => ok.deps)(c3.ctx, ['status']), 0);
  t.equal(c3.stdout(), `installed: ${UNIT}\nenabled: enabled\nactive: active\nlog: journalctl --user -u credd.service\n`);
  const moved = cli(ok, 'linux', { ...LINUX_ENV, CREDD_PORT: '9999' });
  await createServiceCommand(() => ok.deps)(moved.ctx, ['status']);
  t.match(moved.stdout(), 'note: it differs from what `credd service install` would write now');
  const dry = cli(ok, 'linux', LINUX_ENV);
  ok.runs.length = 0;
  t.equal(await createServiceCommand(() => ok.deps)(dry.ctx, ['status', '--dry-run']), 0);
  t.same(ok.runs, []);
  t.equal(dry.stdout(), 'would run: systemctl --user is-enabled credd.service\nwould run: systemctl --user is-active credd.service\n');
});

t.test('status on macOS reads launchctl print', async (t) => {
  const printed = `gui/501/${LAUNCHD_LABEL} = {\n\tactive count = 1\n\tstate = running\n\tprogram = /usr/local/bin/node\n\tpid = 812\n\tlast exit code = 0\n}\n`;
  const fake = fakeDeps({ home: '/Users/u', uid: 501, answers: { [`launchctl print gui/501/${LAUNCHD_LABEL}`]: { stdout: printed } } });
  const c = cli(fake, 'darwin', { HOME: '/Users/u' });
  await createServiceCommand(() => fake.deps)(c.ctx, ['install']);
  const s = cli(fake, 'darwin', { HOME: '/Users/u' });
  t.equal(await createServiceCommand(() => fake.deps)(s.ctx, ['status']), 0);
  t.match(s.stdout(), 'loaded: yes (state = running, pid = 812, last exit code = 0)\n');
  const gone = fakeDeps({
    home: '/Users/u',
    uid: 501,
    answers: { [`launchctl print gui/501/${LAUNCHD_LABEL}`]: { code: 113, stderr: 'Could not find service' } },
  });
  gone.files.set(`/Users/u/Library/LaunchAgents/${LAUNCHD_LABEL}.plist`, { content: 'old', mode: 0o644 });
  const g = cli(gone, 'darwin', { HOME: '/Users/u' });
  t.equal(await createServiceCommand(() => gone.deps)(g.ctx, ['status']), 3);
  t.match(g.stdout(), 'loaded: no (run `credd service install`)\n');
});

t.test('failures say what happened and what to do', async (t) => {
  const missing = fakeDeps({
    home: '/home/u',
    answers: { 'systemctl --user daemon-reload': Object.assign(new Error('spawn systemctl ENOENT'), { code: 'ENOENT' }) },
  });
  await t.rejects(createServiceCommand(() => missing.deps)(cli(missing, 'linux', LINUX_ENV).ctx, ['install']), {
    code: 'ServiceError',
    message: 'systemctl was not found: credd service needs systemd; without it, run `credd start` from your login script.',
  });
  const nobus = fakeDeps({
    home: '/home/u',
    answers: { 'systemctl --user daemon-reload': { code: 1, stderr: 'Failed to connect to bus: No medium found\n' } },
  });
  await t.rejects(createServiceCommand(() => nobus.deps)(cli(nobus, 'linux', LINUX_ENV).ctx, ['install']), {
    message: /^`systemctl --user daemon-reload` failed: Failed to connect to bus: No medium found \(no systemd user instance/,
  });
  const dead = fakeDeps({ home: '/home/u', answers: { 'systemctl --user enable --now credd.service': { code: 0 } } });
  dead.deps.run = async (argv) => ({ code: 0, stdout: '', stderr: '', ...(argv.length ? {} : {}) });
  await t.rejects(createServiceCommand(() => dead.deps)(cli(dead, 'linux', LINUX_ENV).ctx, ['install']), {
    code: 'ServiceError',
    message: /did not answer within 5 s: see `credd service status` and journalctl --user -u credd\.service/,
  });
  const stuck = fakeDeps({ home: '/home/u' });
  stuck.daemon.up = true;
  const sc = cli(stuck, 'linux', LINUX_ENV);
  sc.ctx.client.post = async <T>() => ({}) as T;
  await t.rejects(createServiceCommand(() => stuck.deps)(sc.ctx, ['install']), { message: /did not stop within 5 s/ });
  const noTemplate = fakeDeps({ home: '/home/u' });
  await t.rejects(createServiceCommand(() => noTemplate.deps)(fakeCliContext({ scriptPath: '/gone/dist/bin/credd.js', env: LINUX_ENV }).ctx, ['install']), {
    message: /template \/gone\/systemd\/credd\.service is missing/,
  });
});

t.test('less common failures', async (t) => {
  const eacces = fakeDeps({ home: '/home/u', answers: { 'systemctl --user daemon-reload': Object.assign(new Error('spawn EACCES'), { code: 'EACCES' }) } });
  await t.rejects(createServiceCommand(() => eacces.deps)(cli(eacces, 'linux', LINUX_ENV).ctx, ['install']), {
    message: /^systemctl could not run \(EACCES\): credd service needs systemd/,
  });
  const mac = fakeDeps({ home: '/Users/u', uid: 501, answers: { [`launchctl enable gui/501/${LAUNCHD_LABEL}`]: { code: 5, stdout: 'Input/output error\n' } } });
  await t.rejects(createServiceCommand(() => mac.deps)(cli(mac, 'darwin', { HOME: '/Users/u' }).ctx, ['install']), {
    message: `\`launchctl enable gui/501/${LAUNCHD_LABEL}\` failed: Input/output error`,
    code: 'ServiceError',
  });
  const mute = fakeDeps({ home: '/home/u', answers: { 'systemctl --user daemon-reload': { code: 4 } } });
  await t.rejects(createServiceCommand(() => mute.deps)(cli(mute, 'linux', LINUX_ENV).ctx, ['install']), {
    message: '`systemctl --user daemon-reload` failed: exit 4',
  });
  const odd = fakeDeps({ home: '/home/u' });
  const c = fakeCliContext({
    env: LINUX_ENV,
    scriptPath: SCRIPT,
    routes: {
      'GET /status': () => {
        throw new Error('socket said something strange');
      },
    },
  });
  await t.rejects(
    createServiceCommand(() => odd.deps)(c.ctx, ['install']),
    { message: 'socket said something strange' },
    'only "not running" counts as not running',
  );
  const out: string[] = [];
  await applySteps([{ kind: 'write', path: '/x', content: 'no newline', mode: 0o600 }], odd.deps, { dryRun: true, out: (x) => out.push(x) });
  t.same(out, ['would write /x (mode 600):\nno newline\n']);
});

t.test('usage errors, platforms and help', async (t) => {
  const fake = fakeDeps({ home: '/home/u' });
  const cmd = createServiceCommand(() => fake.deps);
  await t.rejects(cmd(cli(fake, 'linux').ctx, []), { code: 'BadRequest', message: /install\|uninstall\|status/ });
  await t.rejects(cmd(cli(fake, 'linux').ctx, ['start']), { code: 'BadRequest' });
  await t.rejects(cmd(cli(fake, 'linux').ctx, ['install', '--force']), { code: 'BadRequest', message: /--force/ });
  await t.rejects(cmd(cli(fake, 'win32').ctx, ['install']), { code: 'BadRequest', message: /not win32/ });
  const c = fakeCliContext();
  t.equal(await run(c.ctx, ['service', '--help']), 0);
  t.match(c.stdout(), /^Usage: credd service install\|uninstall\|status \[--dry-run\]/);
  const bad = fakeCliContext();
  t.equal(await run(bad.ctx, ['service', 'bogus']), 2);
  t.match(bad.stderr(), /^credd: Usage: credd service/);
});

t.test('shellLine quotes what a shell would split', async (t) => {
  t.equal(shellLine(['launchctl', 'bootstrap', 'gui/501', '/Users/a b/x.plist']), "launchctl bootstrap gui/501 '/Users/a b/x.plist'");
  t.equal(shellLine(["it's"]), `'it'\\''s'`);
  const out: string[] = [];
  await applySteps([{ kind: 'run', argv: ['x'], mayFail: true }], fakeDeps({ home: '/h', answers: { x: { code: 9 } } }).deps, {
    dryRun: false,
    out: (s) => out.push(s),
  });
  t.same(out, ['ran: x\n'], 'mayFail tolerates a non-zero exit');
});

t.test('the real deps run programs without a shell and touch real files', async (t) => {
  const deps = realServiceDeps({ HOME: '/home/someone' });
  t.equal(deps.home, '/home/someone');
  t.equal(typeof deps.uid, 'number');
  t.match(await deps.run(['node', '-e', 'process.stdout.write("hi"); process.stderr.write("e"); process.exit(3)']), { code: 3, stdout: 'hi', stderr: 'e' });
  t.match(await deps.run(['node', '-e', '']), { code: 0 });
  await t.rejects(deps.run(['/nonexistent/credd-no-such-program']), { code: 'ENOENT' });
  const dir = t.testdir();
  deps.fs.mkdir(join(dir, 'a', 'b'), 0o700);
  t.equal(statSync(join(dir, 'a', 'b')).mode & 0o777, 0o700);
  deps.fs.write(join(dir, 'a', 'f'), 'text', 0o644);
  t.equal(deps.fs.read(join(dir, 'a', 'f')), 'text');
  t.equal(statSync(join(dir, 'a', 'f')).mode & 0o777, 0o644);
  deps.fs.remove(join(dir, 'a', 'f'));
  t.equal(deps.fs.read(join(dir, 'a', 'f')), undefined);
  t.throws(() => deps.fs.read(dir), { code: 'EISDIR' });
  await deps.sleep(1);
  t.equal(templatePath('/p/dist/bin/credd.js', { kind: 'systemd', unitName: 'credd.service', unitFile: '/u' }), '/p/systemd/credd.service');
});
