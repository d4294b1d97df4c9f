// The STS proxy (bench/sts-proxy.js) as a child process, and counting what it saw.
import { fork } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stopChild } from './processes.js';

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '..', 'sts-proxy.js');

/** The next IPC message of `child` that has `key`; rejects if the child exits first. */
const next = (child, key) =>
  new Promise((resolve, reject) => {
    const onMessage = (m) => {
      if (m && key in m) {
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(m[key]);
      }
    };
    const onExit = (code) => reject(new Error(`STS proxy exited with ${code}`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });

/**
 * Starts the proxy in front of `upstream` (moto's URL); resolves `{ url, calls(), stop() }`,
 * where `calls()` resolves every STS request received so far, in order.
 */
export async function startStsProxy(upstream) {
  const child = fork(SCRIPT, { env: { ...process.env, BENCH_UPSTREAM: upstream }, execArgv: [], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  try {
    const port = await next(child, 'port');
    const calls = () => {
      const answer = next(child, 'calls');
      child.send('calls');
      return answer;
    };
    return { url: `http://127.0.0.1:${port}`, calls, stop: () => stopChild(child) };
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
