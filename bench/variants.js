// Attributes credd's hot-path cost: loads each bench/variant-server.js variant (one layer
// added at a time) the same way bench/run.js loads the servers, and reports req/s and the
// server's CPU time per request. CPU µs/request barely moves when other processes share the
// machine, so it is the number to compare; req/s is shown for scale.
//   node bench/variants.js [--duration 5 --rounds 3 --bytes 586 --only a,b]
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runLoad } from './lib/load.js';
import { cpuSecondsOf, firstJsonLine, hasCommand, spawnPinned, stopChild } from './lib/processes.js';

const here = dirname(fileURLToPath(import.meta.url));
const SERVER = join(here, 'variant-server.js');
const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
    bytes: { type: 'string', default: '586' },
    only: { type: 'string', default: '' },
    out: { type: 'string', default: join(here, 'results', 'variants.json') },
  },
});
const pin = hasCommand('taskset') && os.cpus().length >= 2;
const token = randomBytes(32).toString('base64url');
const body = JSON.stringify({ AccessKeyId: 'ASIAVARIANT', Token: 'x'.repeat(Math.max(0, Number(args.bytes) - 36)) });
const all = spawnSync(process.execPath, [SERVER, '--list'], { encoding: 'utf8' }).stdout.trim().split('\n');
const names = args.only ? args.only.split(',') : all;
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

const results = Object.fromEntries(names.map((n) => [n, []]));
for (let round = 1; round <= Number(args.rounds); round++) {
  for (const name of round % 2 ? names : [...names].reverse()) {
    const child = spawnPinned(pin, 0, process.execPath, [SERVER, name], { env: { ...process.env, BENCH_TOKEN: token, BENCH_BODY: body }, stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const { port } = await firstJsonLine(child, name);
      const load = (duration) => runLoad({ url: `http://127.0.0.1:${port}/creds/dev`, token, connections: 64, duration, pin, core: 1 });
      await load(2); // warm-up: JIT, connection setup
      const before = cpuSecondsOf(child.pid);
      const r = await load(Number(args.duration));
      if (r.non2xx || r.errors) throw new Error(`${name}: ${r.non2xx} non-2xx, ${r.errors} errors`);
      const cpu = cpuSecondsOf(child.pid) - before;
      results[name].push({ requestsPerSecond: r.requestsPerSecond, cpuMicrosPerRequest: (cpu * 1e6) / r.totalRequests, p99Ms: r.latencyMs.p99 });
      process.stderr.write(`variants: round ${round} ${name}: ${Math.round(r.requestsPerSecond)} req/s\n`);
    } finally {
      await stopChild(child);
    }
  }
}

const base = median(results[names[0]].map((r) => r.cpuMicrosPerRequest));
const lines = [`| variant | req/s | server CPU µs/request | vs ${names[0]} |`, '| --- | ---: | ---: | ---: |'];
const summary = {};
for (const name of names) {
  const us = median(results[name].map((r) => r.cpuMicrosPerRequest));
  summary[name] = { requestsPerSecond: median(results[name].map((r) => r.requestsPerSecond)), cpuMicrosPerRequest: us };
  lines.push(`| ${name} | ${Math.round(summary[name].requestsPerSecond)} | ${us.toFixed(1)} | ${us >= base ? '+' : ''}${(us - base).toFixed(1)} µs |`);
}
mkdirSync(dirname(args.out), { recursive: true });
writeFileSync(args.out, JSON.stringify({ generatedAt: new Date().toISOString(), pinned: pin, bodyBytes: Buffer.byteLength(body), summary, results }, null, 2) + '\n');
process.stdout.write(lines.join('\n') + '\n');
