// Drives one load run through bench/load-worker.js, in its own (optionally pinned) process, and
// the single requests the bench makes to set things up and check them.
import http from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { firstJsonLine, spawnPinned, tail } from './processes.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Runs autocannon against `url` (keep-alive), or with `fresh` one new connection per request
 * (fresh-worker.js), sending `headers` (or `Authorization: token`), and resolves the summary
 * (see load-worker.js). With `settleSeconds`, `onSettled(responsesSoFar)` is called that long
 * after the load started.
 */
export async function runLoad({
  url,
  token,
  headers = { authorization: token },
  connections,
  duration,
  pin,
  core,
  fresh = false,
  maxRequests,
  settleSeconds = 0,
  onSettled = () => {},
}) {
  const worker = join(dir, fresh ? 'fresh-worker.js' : 'load-worker.js');
  const child = spawnPinned(pin, core, process.execPath, [worker], {
    // Headers hold tokens: the environment, not argv, so they never show in `ps`.
    env: { ...process.env, BENCH_HEADERS: JSON.stringify(headers), BENCH_LOAD: JSON.stringify({ url, connections, duration, maxRequests, settleSeconds }) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderr = tail(child.stderr);
  const isSummary = (line) => {
    if ('settled' in line) onSettled(line.settled);
    return !('settled' in line);
  };
  try {
    return await firstJsonLine(child, 'load generator', (duration + 30) * 1000, isSummary);
  } catch (err) {
    throw new Error(`${err.message}\n${stderr()}`);
  }
}

/** One request on its own connection; resolves `{ status, type, body }` (node:http: fetch's Sec-Fetch-* headers are refused by credd). */
export function request(url, { method = 'GET', headers = {}, timeoutMs = 5000 } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent: false, timeout: timeoutMs, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode, type: res.headers['content-type'], body }));
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${url} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/** One GET with `Authorization: token`. */
export const get = (url, token) => request(url, { headers: { authorization: token } });
