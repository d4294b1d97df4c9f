// The daemon fixture of the tests (test/helpers/credd-process.ts, built to build/test-helpers/),
// with what the bench adds: CPU pinning, the endpoint and token at hand, and the CLI run
// synchronously (the STS proxy has a process of its own, so nothing waits on the bench's loop).
import { spawnSync } from 'node:child_process';
import { CREDD_BIN, SCENARIO_ACCOUNTS, bulkProfileNames, endpointOf, makeSandbox, startDaemonProcess } from '../../build/test-helpers/credd-process.js';
import { waitUntil } from './processes.js';

export { CREDD_BIN, bulkProfileNames, makeSandbox };
/** The four role accounts of the spec's scenario (interface.md). */
export const ACCOUNTS = SCENARIO_ACCOUNTS;

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
  return Object.fromEntries(
    r.stdout
      .split('\0')
      .filter(Boolean)
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );
}

/**
 * Starts `node [nodeArgs] dist/bin/credd.js daemon` in `sandbox` (pinned to `core` with taskset
 * when `pin`), waits for its endpoint, and resolves `{ pid, url, token, log(), stop() }`.
 */
export async function startCredd(sandbox, { pin = false, core = 0, nodeArgs = [] } = {}) {
  const daemon = await startDaemonProcess(sandbox.env, { nodeArgs, wrap: pin ? ['taskset', '-c', String(core)] : [] });
  try {
    const { url, token } = await waitUntil(() => endpointOf(sandbox), 'credd endpoint', {
      failed: () => (daemon.child.exitCode !== null ? 'exited' : undefined),
    });
    return { pid: daemon.pid, url, token, log: daemon.log, stop: daemon.stop };
  } catch (err) {
    await daemon.stop();
    throw new Error(`credd daemon did not start: ${err.message}\n${daemon.log()}`);
  }
}
