import http from 'node:http';
import type { Test } from 'tap';
import { requireOrSkip, startMoto } from './moto.js';
import { startStsProxy, type StsProxy } from './sts-proxy.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

/** An isolated HOME with the scenario's AWS files and private XDG dirs. */
export interface Sandbox {
  root: string;
  home: string;
  /** Environment for credd and for clients: isolated dirs, no inherited AWS variables. */
  env: Record<string, string>;
  cleanup(): void;
}

/** Creates a sandbox whose daemon talks to STS at `stsUrl`. */
export function makeSandbox(stsUrl: string): Sandbox {
  const root = mkdtempSync(join(tmpdir(), 'credd-e2e-'));
  const home = join(root, 'home');
  mkdirSync(join(home, '.aws'), { recursive: true });
  writeFileSync(join(home, '.aws', 'credentials'), `[management]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = ${MANAGEMENT_SECRET}\n`);
  const roles = Object.entries(SCENARIO_ACCOUNTS).map(([name, account]) =>
    `[profile ${name}]\nregion = us-west-2\nsource_profile = management\nrole_arn = arn:aws:iam::${account}:role/RoleNameIn${name}\nmfa_serial = ${MFA_SERIAL}\n`);
  writeFileSync(join(home, '.aws', 'config'), `[profile management]\nregion = us-west-2\n\n${roles.join('\n')}`);
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('AWS_') && !k.startsWith('CREDD_') && !k.startsWith('XDG_') && k !== 'DBUS_SESSION_BUS_ADDRESS') env[k] = v;
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
  return { root, home, env, cleanup: () => rmSync(root, { recursive: true, force: true }) };
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
  log(): string;
  /** SIGTERM and wait for exit; resolves the exit code. */
  stop(): Promise<number | null>;
  /** Waits for the daemon to exit by itself (after `credd stop`); resolves the exit code. */
  exited: Promise<number | null>;
}

/** Spawns `credd daemon` and waits until `credd status` answers. */
export async function startDaemonProcess(env: Record<string, string>): Promise<DaemonProcess> {
  const child = spawn(process.execPath, [CREDD_BIN, 'daemon'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
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
    log: () => log,
    exited,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** GET with node:http: `fetch` adds Sec-Fetch-* headers, which the endpoint refuses as a browser's. */
export function httpGet(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http.get(url, { headers, agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

/** The world of an end-to-end test: moto, the strict STS proxy in front of it, a sandbox, a running daemon. */
export interface Scenario {
  moto: { url: string };
  proxy: StsProxy;
  box: Sandbox;
  daemon: DaemonProcess;
}

/**
 * Starts moto, the proxy, a sandbox and the daemon, and tears them down with `t`.
 * Resolves null (after a SKIP, or a failure under CI=true) when moto_server is missing.
 */
export async function startScenario(t: Test): Promise<Scenario | null> {
  const moto = await startMoto();
  if (!requireOrSkip(t, 'moto_server', moto !== null)) return null;
  const proxy = await startStsProxy({ upstream: moto!.url });
  const box = makeSandbox(proxy.url);
  const daemon = await startDaemonProcess(box.env);
  t.teardown(async () => {
    await daemon.stop();
    await proxy.close();
    await moto!.stop();
    box.cleanup();
  });
  return { moto: moto!, proxy, box, daemon };
}
