// The counting STS proxy (bench/sts-counter.js) as a child process.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from './load.js';
import { firstJsonLine, stopChild } from './processes.js';

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '..', 'sts-counter.js');

/**
 * Starts the proxy in front of `upstream` (moto's URL); resolves `{ url, calls(), stop() }`,
 * where `calls()` resolves every STS request received so far, in order.
 */
export async function startStsCounter(upstream) {
  const child = spawn(process.execPath, [SCRIPT], { env: { ...process.env, BENCH_UPSTREAM: upstream }, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const { port } = await firstJsonLine(child, 'STS counter');
    const url = `http://127.0.0.1:${port}`;
    const calls = async () => JSON.parse((await request(`${url}/__bench/calls`)).body);
    return { url, calls, stop: () => stopChild(child) };
  } catch (err) {
    await stopChild(child);
    throw err;
  }
}

/** Counts of `calls` by action, e.g. `{ AssumeRole: 1 }`. */
export function countByAction(calls) {
  const counts = {};
  for (const c of calls) counts[c.action] = (counts[c.action] ?? 0) + 1;
  return counts;
}
