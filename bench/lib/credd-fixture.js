// A real credd daemon in an isolated HOME/XDG sandbox with the spec's five-account config.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exitReason, spawnPinned, stopChild, tail, waitUntil } from './processes.js';

export const CREDD_BIN = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'bin', 'credd.js');
/** The four role accounts of the spec's scenario (interface.md). */
export const ACCOUNTS = { dev: '222222222222', test: '333333333333', staging: '444444444444', prod: '555555555555' };
const MFA_SERIAL = 'arn:aws:iam::111111111111:mfa/user.name';

/** A role profile behind the shared MFA device, as in the spec. */
const roleProfile = (name, account) =>
  `[profile ${name}]\nregion = us-west-2\nsource_profile = management\nrole_arn = arn:aws:iam::${account}:role/RoleNameIn${name}\nmfa_serial = ${MFA_SERIAL}\n`;

/** Names of the `count` generated extra profiles (`bulk0001`…), for the memory scenario. */
export const bulkProfileNames = (count) => Array.from({ length: count }, (_, i) => `bulk${String(i + 1).padStart(4, '0')}`);

/**
 * Writes a sandbox: `~/.aws/credentials` for `management`, `~/.aws/config` with its four role
 * profiles (plus `extraProfiles` generated ones, all behind the same MFA device), XDG directories
 * of its own, and `AWS_ENDPOINT_URL_STS` = `stsUrl`. Nothing of the user's AWS_/CREDD_/XDG_
 * environment leaks in.
 */
export function makeSandbox(stsUrl, { extraProfiles = 0 } = {}) {
  const root = mkdtempSync(join(tmpdir(), 'credd-bench-'));
  const home = join(root, 'home');
  mkdirSync(join(home, '.aws'), { recursive: true });
  writeFileSync(join(home, '.aws', 'credentials'),
    '[management]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n');
  const roles = Object.entries(ACCOUNTS).map(([name, account]) => roleProfile(name, account));
  // Account numbers only need to be 12 digits; moto accepts any.
  for (const [i, name] of bulkProfileNames(extraProfiles).entries()) roles.push(roleProfile(name, String(600000000000 + i)));
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
  return { root, home, env, runtimeDir: join(root, 'run', 'credd'), cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** Runs the credd CLI to completion; throws with its stderr on a non-zero exit. */
export function creddCli(env, args) {
  const r = spawnSync(process.execPath, [CREDD_BIN, ...args], { env, encoding: 'utf8', timeout: 30000 });
  if (r.status !== 0) throw new Error(`credd ${args.join(' ')} exited ${r.status}: ${r.stderr.trim()}`);
  return r.stdout;
}

/**
 * The environment a shell has after `eval "$(credd env [NAME])"`: sh itself evaluates credd's
 * output (quoting, unsets), then `env -0` prints the result.
 */
export function shellEnvOf(env, args = []) {
  const script = `eval "$("$BENCH_NODE" "$BENCH_CREDD" env ${args.join(' ')})" && unset BENCH_NODE BENCH_CREDD && env -0`;
  const r = spawnSync('sh', ['-c', script], { env: { ...env, BENCH_NODE: process.execPath, BENCH_CREDD: CREDD_BIN }, encoding: 'utf8', timeout: 30000 });
  if (r.status !== 0) throw new Error(`eval "$(credd env)" failed: ${r.stderr.trim()}`);
  return Object.fromEntries(r.stdout.split('\0').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
}

/**
 * Starts `node [nodeArgs] dist/bin/credd.js daemon --port 0` (pinned to `core` when `pin`), waits for
 * its endpoint record, and returns `{ pid, url, token, stop() }`.
 */
export async function startCredd(sandbox, { pin = false, core = 0, nodeArgs = [] } = {}) {
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
