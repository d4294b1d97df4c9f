import t, { type Test } from 'tap';
import http from 'node:http';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createControlClient } from '../../src/cli/control-client.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon } from '../../src/daemon/daemon.js';
import type { EveryFn, ScheduleFn } from '../../src/daemon/scheduler.js';
import { DEFAULT_SETTINGS, loadSettings } from '../../src/settings.js';
import { resolvePaths } from '../../src/state/paths.js';
import { httpGet } from '../helpers/credd-process.js';
import { fakeClock, fakeSts, flush, memoryLog, scenarioConfigText, SCENARIO_CREDENTIALS } from '../engine/fakes.js';

/** Polls `cond` until it holds (or fails the test after a while); no duration is asserted. */
async function until(t: Test, what: string, cond: () => boolean | Promise<boolean>, ms = 15_000) {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) return t.fail(`timed out waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  t.pass(what);
}

async function daemon(t: Test) {
  const root = mkdtempSync(join(tmpdir(), 'credd-daemon-'));
  const home = join(root, 'home');
  mkdirSync(join(home, '.aws'), { recursive: true });
  const awsPaths = { configFile: join(home, '.aws', 'config'), credentialsFile: join(home, '.aws', 'credentials') };
  writeFileSync(awsPaths.configFile, scenarioConfigText());
  writeFileSync(awsPaths.credentialsFile, SCENARIO_CREDENTIALS);
  const paths = resolvePaths({
    home,
    uid: 1000,
    platform: 'linux',
    tmpdir: root,
    XDG_RUNTIME_DIR: join(root, 'run'),
    XDG_STATE_HOME: join(root, 'state'),
    XDG_CONFIG_HOME: join(root, 'cfg'),
  });
  const clock = fakeClock(Date.now());
  const sts = fakeSts(clock);
  const logs = memoryLog();
  const jobs: Array<{ fire(): void; stopped: boolean }> = [];
  const schedule: ScheduleFn = (_e, fire) => {
    const job = { fire, stopped: false };
    jobs.push(job);
    return { stop: () => void (job.stopped = true) };
  };
  const watchers: Array<() => void> = [];
  const every: EveryFn = (_ms, fn) => {
    watchers.push(fn);
    return { stop: () => undefined };
  };
  const notes: string[] = [];
  const handle = await startDaemon({
    paths,
    awsPaths,
    endpoints: {},
    ssoCacheDir: join(root, 'sso-cache'),
    now: clock.now,
    monotonic: clock.monotonic,
    log: logs.log,
    version: '0.0.0-test',
    pid: process.pid,
    settings: { ...DEFAULT_SETTINGS, port: 0 },
    sts,
    schedule,
    every,
    notify: (_title, m) => notes.push(m),
    stopGraceMs: 2000,
  });
  t.teardown(async () => {
    await handle.close();
    rmSync(root, { recursive: true, force: true });
  });
  const token = readFileSync(paths.tokenFile, 'utf8');
  const get = async (path: string) => {
    const r = await httpGet(`${handle.url}${path}`, { Authorization: token });
    return { status: r.status, json: async () => JSON.parse(r.body) as unknown };
  };
  return {
    handle,
    paths,
    awsPaths,
    clock,
    sts,
    logs,
    jobs,
    watchers,
    notes,
    get,
    tick: () =>
      jobs
        .filter((j) => !j.stopped)
        .at(-1)!
        .fire(),
  };
}

t.test('a config edit is picked up by the watch; a broken one keeps the last good config and shows in status', async (t) => {
  const d = await daemon(t);
  const { core } = d.handle;
  core.switchTo('dev');
  await core.mfa('123456');
  t.equal((await d.get('/creds')).status, 200);
  writeFileSync(
    d.awsPaths.configFile,
    `${scenarioConfigText()}\n[profile extra]\nregion = eu-west-1\nsource_profile = management\nrole_arn = arn:aws:iam::666666666666:role/X\n`,
  );
  await until(t, 'the new profile appears', () => core.profiles().some((p) => p.name === 'extra'));
  writeFileSync(d.awsPaths.configFile, '[profile dev]\nregion = us-west-2\nduration_seconds = 5\n');
  await until(t, 'the broken edit shows in status', () => core.status().configError !== undefined);
  t.match(core.status().configError, /duration_seconds "5" must be a whole number/);
  t.ok(
    d.logs.lines().some((l) => l.level === 50 && /Keeping the last good config/.test(String(l.msg))),
    'and in the log',
  );
  t.equal((await d.get('/creds')).status, 200, 'dev is still served');
  t.ok(
    core.profiles().some((p) => p.name === 'extra'),
    'from the last good config',
  );
  writeFileSync(d.awsPaths.configFile, scenarioConfigText());
  await until(t, 'fixed: the error clears', () => core.status().configError === undefined);
  t.notOk(core.profiles().some((p) => p.name === 'extra'));
  t.ok(d.logs.lines().some((l) => l.msg === 'AWS config changed: reloaded'));
});

t.test('the scheduler ticks the core; a clock jump re-arms it', async (t) => {
  const d = await daemon(t);
  const { core } = d.handle;
  core.switchTo('dev');
  await core.mfa('123456');
  await flush();
  await core.idle();
  const calls = d.sts.count('AssumeRole');
  t.equal(calls, 1, 'one AssumeRole for the active profile');
  d.clock.advance(41 * 60_000);
  d.tick();
  await until(t, 'the tick renewed dev', () => d.sts.count('AssumeRole') === 2);
  t.equal(d.jobs.filter((j) => !j.stopped).length, 1);
  d.clock.jump(3 * 3600_000);
  d.watchers.at(-1)!(); // the clock watchdog: registered last, after the runtime-dir and port watches;
  await until(t, 'the cron job was re-armed', () => d.jobs.length === 2 && d.jobs[0]!.stopped);
  await until(t, 'and dev refreshed at once', () => d.sts.count('AssumeRole') === 3);
});

t.test('graceful stop: in-flight requests finish, the socket and endpoint file go', async (t) => {
  const d = await daemon(t);
  const { core } = d.handle;
  core.switchTo('dev');
  await core.mfa('123456');
  await core.idle();
  let release!: () => void;
  d.sts.hold = new Promise<void>((r) => (release = r));
  const inflight = d.get('/creds/prod');
  await until(t, 'the request reached STS', () => d.sts.count('AssumeRole') === 2);
  const closing = d.handle.close();
  await flush();
  release();
  const res = await inflight;
  t.equal(res.status, 200, 'the request in flight was answered');
  t.equal(((await res.json()) as { AccessKeyId: string }).AccessKeyId.startsWith('ASIAROLE'), true);
  await closing;
  await d.handle.closed;
  t.notOk(existsSync(d.paths.socket), 'socket removed');
  t.notOk(existsSync(join(d.paths.runtimeDir, 'endpoint.json')), 'endpoint file removed');
  t.ok(
    JSON.parse(readFileSync(d.paths.stateFile, 'utf8')).credentials.some((c: { profile: string }) => c.profile === 'prod'),
    'what it obtained was persisted',
  );
  t.ok(d.logs.lines().some((l) => l.msg === 'stopped'));
});

/** A real-clock daemon with no AWS files: its own temp dirs (removed by `t`) and the deps to start it with `extra` on top. */
function bareDaemon(t: Test) {
  const root = mkdtempSync(join(tmpdir(), 'credd-daemon-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const paths = resolvePaths({
    home: root,
    uid: 1000,
    platform: 'linux',
    tmpdir: root,
    XDG_RUNTIME_DIR: join(root, 'run'),
    XDG_STATE_HOME: join(root, 'state'),
    XDG_CONFIG_HOME: join(root, 'cfg'),
  });
  const logs = memoryLog();
  const deps = (extra: Partial<Parameters<typeof startDaemon>[0]> = {}): Parameters<typeof startDaemon>[0] => ({
    paths,
    awsPaths: { configFile: join(root, 'none'), credentialsFile: join(root, 'none2') },
    endpoints: {},
    ssoCacheDir: join(root, 'sso-cache'),
    now: () => Date.now(),
    log: logs.log,
    version: 'x',
    pid: process.pid,
    settings: { ...DEFAULT_SETTINGS, port: 0, desktopNotifications: false },
    sts: fakeSts({ now: () => Date.now() }),
    ...extra,
  });
  return { root, paths, logs, deps };
}

t.test('with its defaults: node-cron, the desktop notifier (off by the setting) and performance.now', async (t) => {
  const { paths, deps } = bareDaemon(t);
  const handle = await startDaemon(deps());
  t.equal(handle.core.checkClock(), false, 'the real clocks agree');
  await handle.close();
  t.notOk(existsSync(paths.socket));
});

t.test('a port in use is a one-line ListenError that says what to do', async (t) => {
  const blocker = http.createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  t.teardown(() => void blocker.close());
  const port = (blocker.address() as { port: number }).port;
  const { paths, deps } = bareDaemon(t);
  await t.rejects(startDaemon(deps({ settings: { ...DEFAULT_SETTINGS, port, desktopNotifications: false } })), {
    code: 'ListenError',
    message: /127\.0\.0\.1:\d+ \(the port is in use\).*CREDD_PORT/,
  });
  t.notOk(existsSync(paths.socket), 'no control socket is left behind');
});

t.test('a settings edit is noticed: changed keys are logged for a restart, a broken file is an error', async (t) => {
  const { root, paths, logs, deps } = bareDaemon(t);
  mkdirSync(join(root, 'cfg', 'credd'), { recursive: true });
  writeFileSync(paths.settingsFile, 'port = 0\n');
  const handle = await startDaemon(deps({ settings: loadSettings(paths.settingsFile, {}), reloadSettings: () => loadSettings(paths.settingsFile, {}) }));
  t.teardown(() => handle.close());
  writeFileSync(paths.settingsFile, 'port = 0\nrefresh_margin_seconds = 900\n');
  await until(t, 'the change is logged', () => logs.lines().some((l) => l.msg === 'settings changed: restart the daemon to apply them'));
  t.match(
    logs.lines().find((l) => l.msg === 'settings changed: restart the daemon to apply them'),
    { changed: ['refresh_margin_seconds'] },
  );
  writeFileSync(paths.settingsFile, 'prot = 1\n');
  await until(t, 'the broken file is logged', () => logs.lines().some((l) => l.level === 50 && /Unknown setting "prot"/.test(String(l.msg))));
});

t.test('the runtime directory removed: restored with the same token; another daemon on the socket: this one stops', async (t) => {
  const { paths, logs, deps } = bareDaemon(t);
  const jobs = new Map<number, () => void>();
  const every: EveryFn = (ms, fn) => {
    jobs.set(ms, fn);
    return { stop: () => undefined };
  };
  const handle = await startDaemon(deps({ every }));
  t.teardown(() => handle.close());
  const token = readFileSync(paths.tokenFile, 'utf8');
  rmSync(paths.runtimeDir, { recursive: true, force: true });
  jobs.get(2000)!();
  await until(t, 'the socket is back', () => existsSync(paths.socket));
  await until(t, 'the token is back', () => existsSync(paths.tokenFile));
  t.equal(readFileSync(paths.tokenFile, 'utf8'), token, 'the same token');
  t.ok(existsSync(join(paths.runtimeDir, 'endpoint.json')));
  t.equal((await createControlClient(paths.socket).get('/status')).running, true, 'the control socket answers');
  t.ok(logs.lines().some((l) => /runtime directory was removed/.test(String(l.msg))));
  // Another daemon's live socket at the path: this one gives way.
  rmSync(paths.socket);
  const other = createServer();
  await new Promise<void>((r) => other.listen(paths.socket, r));
  t.teardown(() => void other.close());
  jobs.get(2000)!();
  await handle.closed;
  t.ok(logs.lines().some((l) => /another credd daemon took over the control socket/.test(String(l.msg))));
  t.ok(existsSync(paths.socket), 'the other daemon keeps its socket');
});

t.test('an unusable state directory only warns; an unusable runtime directory is logged once per problem', async (t) => {
  const { root, paths, logs, deps } = bareDaemon(t);
  writeFileSync(join(root, 'state'), 'a file where the state directory should be');
  const jobs = new Map<number, () => void>();
  const handle = await startDaemon(deps({ every: (ms, fn) => (jobs.set(ms, fn), { stop: () => undefined }) }));
  t.teardown(() => handle.close());
  t.ok(logs.lines().some((l) => /state directory cannot be used: credd serves/.test(String(l.msg))));
  chmodSync(paths.runtimeDir, 0o755);
  jobs.get(2000)!();
  jobs.get(2000)!();
  await new Promise((r) => setTimeout(r, 50));
  t.equal(logs.lines().filter((l) => /cannot restore the runtime directory: .*mode 0755/.test(String(l.msg))).length, 1, 'once');
  chmodSync(paths.runtimeDir, 0o700);
  jobs.get(30_000)!();
});
