// A real credd daemon in an isolated HOME/XDG sandbox with the spec's five-account config.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exitReason, spawnPinned, stopChild, tail, waitUntil } from './processes.js';

export const CREDD_BIN = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'bin', 'credd.js');
const ACCOUNTS = { dev: '222222222222', test: '333333333333', staging: '444444444444', prod: '555555555555' };
const MFA_SERIAL = 'arn:aws:iam::111111111111:mfa/user.name';

/** Writes the sandbox: `~/.aws/credentials` for `management`, `~/.aws/config` with its four role profiles. */
export function makeSandbox(stsUrl) {
  const root = mkdtempSync(join(tmpdir(), 'credd-bench-'));
  const home = join(root, 'home');
  mkdirSync(join(home, '.aws'), { recursive: true });
  writeFileSync(join(home, '.aws', 'credentials'),
    '[management]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n');
  const roles = Object.entries(ACCOUNTS).map(([name, account]) =>
    `[profile ${name}]\nregion = us-west-2\nsource_profile = management\nrole_arn = arn:aws:iam::${account}:role/RoleNameIn${name}\nmfa_serial = ${MFA_SERIAL}\n`);
  writeFileSync(join(home, '.aws', 'config'), `[profile management]\nregion = us-west-2\n\n${roles.join('\n')}`);
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !/^(AWS_|CREDD_|XDG_)/.test(k)) env[k] = v;
  }
  Object.assign(env, {
    HOME: home,
    XDG_RUNTIME_DIR: join(root, 'run'),
    XDG_STATE_HOME: join(root, 'state'),
    XDG_CONFIG_HOME: join(root, 'config'),
    AWS_ENDPOINT_URL_STS: stsUrl,
  });
  return { root, env, runtimeDir: join(root, 'run', 'credd'), cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** Runs the credd CLI to completion; throws with its stderr on a non-zero exit. */
export function creddCli(env, args) {
  const r = spawnSync(process.execPath, [CREDD_BIN, ...args], { env, encoding: 'utf8', timeout: 30000 });
  if (r.status !== 0) throw new Error(`credd ${args.join(' ')} exited ${r.status}: ${r.stderr.trim()}`);
  return r.stdout;
}

/**
 * Starts `node [nodeArgs] dist/bin/credd.js daemon --port 0` (pinned to `core` when `pin`), waits for
 * its endpoint record, and returns `{ pid, url, token, stop() }`.
 */
export async function startCredd(sandbox, { pin, core, nodeArgs = [] }) {
  const child = spawnPinned(pin, core, process.execPath, [...nodeArgs, CREDD_BIN, 'daemon', '--port', '0'], {
    env: sandbox.env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const log = tail(child.stderr);
  const endpointFile = join(sandbox.runtimeDir, 'endpoint.json');
  try {
    const record = await waitUntil(() => JSON.parse(readFileSync(endpointFile, 'utf8')), 'credd daemon', { failed: exitReason(child) });
    const token = readFileSync(join(sandbox.runtimeDir, 'token'), 'utf8');
    return { pid: child.pid, url: record.url, token, log, stop: () => stopChild(child) };
  } catch (err) {
    await stopChild(child);
    throw new Error(`credd daemon did not start: ${err.message}\n${log()}`);
  }
}
