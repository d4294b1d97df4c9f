import http from 'node:http';
import type { Test } from 'tap';
import { requireOrSkip, startMoto } from './moto.js';
import { startStsProxy, type StsProxy } from './sts-proxy.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built CLI that end-to-end tests spawn. */
export const CREDD_BIN = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'bin', 'credd.js');

/** The spec's five accounts: IAM users in management, four environments behind MFA. */
export const SCENARIO_ACCOUNTS: Record<string, string> = {
  dev: '222222222222',
  test: '333333333333',
  staging: '444444444444',
  prod: '555555555555',
};
export const MFA_SERIAL = 'arn:aws:iam::111111111111:mfa/user.name';
export const MANAGEMENT_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

/** Names of `count` generated role profiles (`bulk0001`…), behind the same MFA device as the scenario's. */
export const bulkProfileNames = (count: number): string[] => Array.from({ length: count }, (_, i) => `bulk${String(i + 1).padStart(4, '0')}`);

const roleProfile = (name: string, account: string): string =>
  `[profile ${name}]\nregion = us-west-2\nsource_profile = management\nrole_arn = arn:aws:iam::${account}:role/RoleNameIn${name}\nmfa_serial = ${MFA_SERIAL}\n`;

/** An isolated HOME with the scenario's AWS files and private XDG dirs. */
export interface Sandbox {
  root: string;
  home: string;
  /** The daemon's runtime directory (`endpoint.json`, `token`, the control socket). */
  runtimeDir: string;
  /** Environment for credd and for clients: isolated dirs, no inherited AWS variables. */
  env: Record<string, string>;
  cleanup(): void;
}

/**
 * Creates a sandbox whose daemon talks to STS at `stsUrl`; `extraProfiles` more role profiles
 * ({@link bulkProfileNames}) for tests and benchmarks that need many.
 */
export function makeSandbox(stsUrl: string, { extraProfiles = 0 }: { extraProfiles?: number } = {}): Sandbox {
  const root = mkdtempSync(join(tmpdir(), 'credd-e2e-'));
  const home = join(root, 'home');
  mkdirSync(join(home, '.aws'), { recursive: true });
  writeFileSync(join(home, '.aws', 'credentials'), `[management]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = ${MANAGEMENT_SECRET}\n`);
  const roles = Object.entries(SCENARIO_ACCOUNTS).map(([name, account]) => roleProfile(name, account));
  // Account numbers only need to be 12 digits; moto accepts any.
  for (const [i, name] of bulkProfileNames(extraProfiles).entries()) roles.push(roleProfile(name, String(600000000000 + i)));
  writeFileSync(join(home, '.aws', 'config'), `[profile management]\nregion = us-west-2\n\n${roles.join('\n')}`);
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !k.startsWith('AWS_') && !k.startsWith('CREDD_') && !k.startsWith('XDG_') && k !== 'DBUS_SESSION_BUS_ADDRESS') env[k] = v;
  Object.assign(env, {
    HOME: home,
    XDG_RUNTIME_DIR: join(root, 'run'),
    XDG_STATE_HOME: join(root, 'state'),
    XDG_CONFIG_HOME: join(root, 'config'),
    AWS_ENDPOINT_URL_STS: stsUrl,
    CREDD_PORT: '0',
    // Never the real user's keyring: tests that want one start a throwaway Secret Service.
    CREDD_KEYRING: 'none',
  });
  return { root, home, runtimeDir: join(root, 'run', 'credd'), env, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** The outcome of a finished command. */
export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command to completion without blocking the event loop: the STS proxy and
 * moto helpers live in the test process and must keep answering meanwhile.
 */
export function runCommand(cmd: string, args: string[], env: Record<string, string>, input?: string): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 60000);
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(input ?? '');
  });
}

/** Runs the built CLI to completion. */
export function credd(env: Record<string, string>, args: string[], input?: string): Promise<RunResult> {
  return runCommand(process.execPath, [CREDD_BIN, ...args], env, input);
}

/** A daemon running in the foreground as a child, with its log collected. */
export interface DaemonProcess {
  child: ChildProcess;
  /** The daemon's own pid (a `wrap` command such as `taskset` execs it, keeping its pid). */
  pid: number;
  log(): string;
  /** SIGTERM and wait for exit; resolves the exit code. */
  stop(): Promise<number | null>;
  /** Waits for the daemon to exit by itself (after `credd stop`); resolves the exit code. */
  exited: Promise<number | null>;
}

/** How to run the daemon: node flags, and a command that execs it (the bench pins it with `taskset -c N`). */
export interface DaemonLaunch {
  nodeArgs?: string[];
  wrap?: string[];
}

/** Spawns `credd daemon` and waits until `credd status` answers. */
export async function startDaemonProcess(env: Record<string, string>, { nodeArgs = [], wrap = [] }: DaemonLaunch = {}): Promise<DaemonProcess> {
  const argv = [process.execPath, ...nodeArgs, CREDD_BIN, 'daemon'];
  const child = wrap.length
    ? spawn(wrap[0]!, [...wrap.slice(1), ...argv], { env, stdio: ['ignore', 'ignore', 'pipe'] })
    : spawn(argv[0]!, argv.slice(1), { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (c: Buffer) => (log += c.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`credd daemon exited early: ${log}`);
    if ((await credd(env, ['status'])).code === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    child,
    pid: child.pid!,
    log: () => log,
    exited,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** The running daemon's endpoint URL and token, from its runtime directory. */
export function endpointOf(box: Sandbox): { url: string; token: string } {
  const record = JSON.parse(readFileSync(join(box.runtimeDir, 'endpoint.json'), 'utf8')) as { url: string };
  return { url: record.url, token: readFileSync(join(box.runtimeDir, 'token'), 'utf8') };
}

/** GET with node:http: `fetch` adds Sec-Fetch-* headers, which the endpoint refuses as a browser's. */
export function httpGet(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers, agent: false }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

/** The world of an end-to-end test: moto, the strict STS proxy in front of it, a sandbox, a running daemon. */
export interface Scenario {
  moto: { url: string };
  proxy: StsProxy;
  box: Sandbox;
  /** The daemon the teardown stops if it still runs: a test that restarts the daemon puts the new one here. */
  daemon: DaemonProcess;
}

/** What `startScenario` tears down besides its own daemon. */
export interface ScenarioOptions {
  /** Also `credd stop` at the end, for a test that starts daemons of its own (`credd start`). */
  stopStarted?: boolean;
}

/**
 * Starts moto, the proxy, a sandbox and the daemon, and tears them down with `t`.
 * Resolves null (after a SKIP, or a failure under CI=true) when moto_server is missing.
 */
export async function startScenario(t: Test, { stopStarted = false }: ScenarioOptions = {}): Promise<Scenario | null> {
  const moto = await startMoto();
  if (!requireOrSkip(t, 'moto_server', moto !== null)) return null;
  const proxy = await startStsProxy({ upstream: moto!.url });
  const box = makeSandbox(proxy.url);
  const world: Scenario = { moto: moto!, proxy, box, daemon: await startDaemonProcess(box.env) };
  t.teardown(async () => {
    // The test may have stopped or killed it already.
    const { child } = world.daemon;
    if (child.exitCode === null && child.signalCode === null) await world.daemon.stop();
    // Before the sandbox goes: `credd stop` finds its daemon through the sandbox's runtime directory.
    if (stopStarted) await credd(box.env, ['stop']);
    await proxy.close();
    await moto!.stop();
    box.cleanup();
  });
  return world;
}
