// Per-call cost of the pieces on credd's hot path that are credd's own code, in-process,
// with nothing else running: what bench/variants.js cannot separate.
//   node bench/micro.js   (after `npm run build`)
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createTokenMatcher, tokenMatches } from '../dist/state/token.js';
import { checkProfileName } from '../dist/http/profile-name.js';
import { freshness, DEFAULT_REFRESH } from '../dist/engine/refresh-policy.js';
import { readFileSync } from 'node:fs';
import { findOwner } from '../dist/http/proc-net-tcp.js';
import { createHostCheck, hostAllowed } from '../dist/http/host-check.js';
import { createGuard } from '../dist/http/guards.js';
import { createFastPath } from '../dist/http/fast-path.js';

const token = randomBytes(32).toString('base64url');
const presented = String(token); // equal content, distinct string
const expected = Buffer.from(token);
const now = Date.now();

const matcher = createTokenMatcher(token);
const hosts = createHostCheck({ port: () => 9911, extraHosts: ['127.0.0.1'] });

const CASES = {
  'tokenMatches (one-off: makes the expected Buffer each call)': () => tokenMatches(presented, token),
  'createTokenMatcher(token)(presented) (length check + timingSafeEqual)': () => matcher(presented),
  'length check + timingSafeEqual (Buffer.from per call)': () => {
    const b = Buffer.from(presented);
    return b.length === expected.length && timingSafeEqual(b, expected);
  },
  'checkProfileName': () => checkProfileName('dev'),
  'freshness (refresh-policy)': () => freshness(now + 3600e3, now - 60e3, now, DEFAULT_REFRESH),
  'hostAllowed("127.0.0.1:9911") (parses)': () => hostAllowed('127.0.0.1:9911', 9911, ['127.0.0.1']),
  'createHostCheck(…).allowed("127.0.0.1:9911") (set lookup)': () => hosts.allowed('127.0.0.1:9911'),
  'await Promise.resolve(x)': null,
  'guard hook, whole (peer verdict cached, token valid)': 'guard',
  'fast path, whole, up to res.writeHead/end (not included)': () => fastPath(request.raw, response),
};

// The guard as the daemon builds it, on a request shaped like an SDK's, its peer already judged.
const verdict = Promise.resolve({ allowed: true });
const guard = createGuard({
  token,
  hosts,
  peer: { status: () => ({ enabled: true, detail: '' }), watch: () => {}, verdict: () => verdict, known: () => ({ allowed: true }) },
  security: { refused: () => {} },
});
const socket = { remoteAddress: '127.0.0.1', remotePort: 40000, localAddress: '127.0.0.1', localPort: 9911 };
const headers = { host: '127.0.0.1:9911', authorization: presented, 'user-agent': 'aws-sdk-js/3', accept: '*/*', connection: 'keep-alive' };
const request = { method: 'GET', raw: { method: 'GET', url: '/creds/dev', socket, headers }, headers };
const fastPath = createFastPath({
  cachedBody: () => '{"AccessKeyId":"ASIA"}',
  token,
  hosts,
  peer: { known: () => ({ allowed: true }) },
  closing: () => false,
});
const response = { writeHead: () => {}, end: () => {} };

let sink;
const time = (fn, n) => {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) sink = fn();
  return ((performance.now() - t0) * 1000) / n;
};
const timeAsync = async (n, fn) => {
  const x = {};
  const t0 = performance.now();
  for (let i = 0; i < n; i++) sink = await (fn ? fn() : Promise.resolve(x));
  return ((performance.now() - t0) * 1000) / n;
};

const N = 300_000;
console.log('| call | µs per call |\n| --- | ---: |');
for (const [name, fn] of Object.entries(CASES)) {
  const asyncFn = fn === 'guard' ? () => guard(request) : undefined;
  const us = typeof fn === 'function' ? (time(fn, N / 10), time(fn, N)) : (await timeAsync(N / 10, asyncFn), await timeAsync(N, asyncFn));
  console.log(`| ${name} | ${us.toFixed(3)} |`);
}

// The peer-UID check reads the whole TCP table for the first request of a connection (one read
// shared by the connections waiting for it) and finds the client's line with one indexOf; both
// costs grow with the number of sockets on the machine (TIME_WAIT ones included).
const cpuMs = (fn, n) => {
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i++) sink = fn();
  const c = process.cpuUsage(c0);
  return { user: c.user / 1000 / n, system: c.system / 1000 / n };
};
const text = readFileSync('/proc/net/tcp', 'utf8');
const lines = text.split('\n').length - 2;
const read = cpuMs(() => readFileSync('/proc/net/tcp', 'utf8'), 20);
const read6 = cpuMs(() => readFileSync('/proc/net/tcp6', 'utf8'), 20);
const conn = { remoteAddress: '127.0.0.1', remotePort: 1, localAddress: '127.0.0.1', localPort: 9911 }; // not listed: the whole text is searched
const find = cpuMs(() => findOwner(text, conn, 'tcp', true), 20);
console.log(`\nper new connection, with ${lines} sockets in /proc/net/tcp now:\n`);
console.log('| step | user ms | system (kernel) ms |\n| --- | ---: | ---: |');
console.log(`| read /proc/net/tcp | ${read.user.toFixed(2)} | ${read.system.toFixed(2)} |`);
console.log(`| read /proc/net/tcp6 | ${read6.user.toFixed(2)} | ${read6.system.toFixed(2)} |`);
console.log(`| findOwner (the whole table searched) | ${find.user.toFixed(3)} | ${find.system.toFixed(3)} |`);
if (sink === Symbol.for('never')) console.log(sink);
