// The footprint after real use (issue 18): a daemon of its own and a bare server of its own go
// through the same day in small — start, an MFA session (credd) or one request (bare), a burst of
// concurrent cold requests, a keep-alive load — and then idle. At each step the RSS (from /proc)
// and process.memoryUsage() (from bench/mem-probe.js, preloaded into both) are recorded; the
// figure that counts is the lowest RSS while they idle afterwards, next to the same figure after
// start-up.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sameSizeBody, startBare } from './bare.js';
import { burst } from './cold-burst.js';
import { bulkProfileNames, creddCli, makeSandbox, startCredd } from './credd-fixture.js';
import { get } from './load.js';
import { measureRun } from './measure.js';
import { memoryOf } from './processes.js';
import { fmt, mib } from './stats.js';

const PROBE = join(dirname(fileURLToPath(import.meta.url)), '..', 'mem-probe.js');
/** The developers' guide's target: RSS ≤ 1.8 × the bare server's after the same use. */
export const RSS_RATIO_TARGET = 1.8;
export const pause = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Samples the RSS of `pids` every `everyMs` for `ms` and resolves per pid the lowest, first and
 * last reading. Why the lowest: an idle node process keeps its last work's garbage until V8's
 * memory reducer runs a full GC, some 8–25 s after allocation stops (credd's RSS then falls by
 * 10 MiB or more at an unpredictable moment); one reading would measure luck. Both processes are
 * sampled over the same window.
 */
export async function idleRss(pids, ms, everyMs = 500) {
  const seen = new Map(pids.map((pid) => [pid, []]));
  const t0 = performance.now();
  for (;;) {
    for (const [pid, xs] of seen) xs.push(memoryOf(pid).rssBytes);
    if (performance.now() - t0 >= ms) break;
    await pause(everyMs);
  }
  const seconds = (performance.now() - t0) / 1000;
  return Object.fromEntries([...seen].map(([pid, xs]) => [pid, { minBytes: Math.min(...xs), firstBytes: xs[0], lastBytes: xs.at(-1), samples: xs.length, seconds }]));
}

/** Asks `pid`'s probe for process.memoryUsage(); resolves it (or undefined after 2 s). */
async function probe(pid, file) {
  const lines = () => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);
  const before = lines().length;
  process.kill(pid, 'SIGUSR2');
  for (let i = 0; i < 40; i++) {
    const now = lines();
    if (now.length > before) return JSON.parse(now.at(-1));
    await pause(50);
  }
  return undefined;
}

/**
 * Runs the footprint day for credd and the bare server. `daemonNodeArgs`: node flags for the
 * daemon (what `credd start` and the service units pass). Resolves `{ steps, startup, afterUse, method }`.
 */
export async function measureFootprint({ stsUrl, count, loadSeconds, startIdleMs, idleMs, pin, core, loadCore, daemonNodeArgs = [], say }) {
  const sandbox = makeSandbox(stsUrl, { extraProfiles: 1 });
  const files = { credd: join(sandbox.root, 'probe-credd.jsonl'), bare: join(sandbox.root, 'probe-bare.jsonl') };
  const stops = [];
  try {
    const credd = await startCredd({ ...sandbox, env: { ...sandbox.env, BENCH_PROBE_FILE: files.credd } },
      { pin, core, nodeArgs: ['--import', PROBE, ...daemonNodeArgs] });
    stops.push(credd.stop);
    // The bare server answers a body of about credd's size (586 bytes for `dev` against moto);
    // the exact size matters for throughput (the endpoint scenario matches it), not for memory.
    const bodyOf = async () => {
      creddCli(sandbox.env, ['switch', 'dev']);
      creddCli(sandbox.env, ['mfa', '123456']);
      const r = await get(`${credd.url}/creds`, credd.token);
      if (r.status !== 200) throw new Error(`footprint credd answered ${r.status}: ${r.body}`);
      return r.body;
    };
    const bare = await startBare({ token: credd.token, body: sameSizeBody(586), imdsBody: '{}', pin, core,
      nodeArgs: ['--import', PROBE], env: { BENCH_PROBE_FILE: files.bare } });
    stops.push(bare.stop);
    const servers = { credd, bare };
    const steps = [];
    const record = async (step) => {
      const row = { step };
      for (const [name, s] of Object.entries(servers)) row[name] = { rssBytes: memoryOf(s.pid).rssBytes, usage: await probe(s.pid, files[name]) };
      steps.push(row);
    };
    say(`footprint: start-up, idle ${startIdleMs / 1000} s`);
    await record('started');
    const idle0 = await idleRss([credd.pid, bare.pid], startIdleMs);
    const startup = { credd: idle0[credd.pid], bare: idle0[bare.pid] };
    await record('start-up idle');
    const body = await bodyOf();
    if (Math.abs(Buffer.byteLength(body) - 586) > 64) say(`footprint: credd's body is ${Buffer.byteLength(body)} bytes, the bare server's 586`);
    if ((await get(`${bare.url}/creds`, credd.token)).status !== 200) throw new Error('footprint bare server did not answer 200');
    await record('credd: MFA session + 1 request; bare: 1 request');
    say(`footprint: ${count} concurrent cold requests each`);
    const profile = bulkProfileNames(1)[0];
    const bursts = {
      credd: await burst(`${credd.url}/creds/${profile}`, credd.token, count, '127.0.0.5', credd.pid),
      bare: await burst(`${bare.url}/creds/${profile}`, credd.token, count, '127.0.0.6', bare.pid),
    };
    await record(`burst of ${count}`);
    say(`footprint: 64-connection load, ${loadSeconds} s each`);
    const loads = {};
    for (const name of ['credd', 'bare']) {
      const s = servers[name];
      loads[name] = await measureRun({ server: { pid: s.pid, url: `${s.url}/creds` }, headers: { authorization: credd.token }, connections: 64, duration: loadSeconds, pin, core: loadCore });
    }
    await record('64-connection load');
    say(`footprint: idle ${idleMs / 1000} s`);
    const idle1 = await idleRss([credd.pid, bare.pid], idleMs);
    const afterUse = { credd: idle1[credd.pid], bare: idle1[bare.pid] };
    await record('idle after use');
    return {
      steps, startup, afterUse,
      bursts: Object.fromEntries(Object.entries(bursts).map(([k, b]) => [k, { allOk: b.allOk, allAnsweredMs: b.allAnsweredMs, finalStatuses: b.finalStatuses }])),
      loads: Object.fromEntries(Object.entries(loads).map(([k, l]) => [k, { requestsPerSecond: l.requestsPerSecond, totalRequests: l.totalRequests, non2xx: l.non2xx, errors: l.errors }])),
      method: { count, loadSeconds, startIdleSeconds: startIdleMs / 1000, idleSeconds: idleMs / 1000, daemonNodeArgs },
    };
  } finally {
    for (const stop of stops.reverse()) await stop();
    rmSync(sandbox.root, { recursive: true, force: true });
  }
}

/** The footprint's target verdict: credd's lowest idle RSS after use over the bare server's. */
export const footprintRatio = (f) => f.afterUse.credd.minBytes / f.afterUse.bare.minBytes;

/** The footprint tables. */
export function footprintMarkdown(f) {
  const r = (x) => fmt(x.credd.minBytes / x.bare.minBytes);
  const ratio = footprintRatio(f);
  const u = (x, k) => (x?.usage ? mib(x.usage[k]) : 'n/a');
  const ns = (x) => (x?.usage?.spaces ? mib(x.usage.spaces.new_space) : 'n/a');
  return [
    `| RSS (MiB), lowest while idle (first reading) | credd | bare node:http (baseline) | credd / bare | target | verdict |`,
    '| --- | ---: | ---: | ---: | --- | --- |',
    `| after start-up, ${fmt(f.startup.credd.seconds, 0)} s idle | ${mib(f.startup.credd.minBytes)} (${mib(f.startup.credd.firstBytes)}) | ${mib(f.startup.bare.minBytes)} (${mib(f.startup.bare.firstBytes)}) | ${r(f.startup)} | — (informational) | — |`,
    `| **after use**: MFA session, a burst of ${f.method.count} cold requests, ${f.method.loadSeconds} s at 64 connections; then ${fmt(f.afterUse.credd.seconds, 0)} s idle | ` +
      `**${mib(f.afterUse.credd.minBytes)}** (${mib(f.afterUse.credd.firstBytes)}) | **${mib(f.afterUse.bare.minBytes)}** (${mib(f.afterUse.bare.firstBytes)}) | **${fmt(ratio)}** | ≤ ${RSS_RATIO_TARGET} × bare | ${ratio <= RSS_RATIO_TARGET ? 'met' : '**missed**'} |`,
    '',
    `Daemon node flags: ${f.method.daemonNodeArgs.length ? f.method.daemonNodeArgs.map((a) => `\`${a}\``).join(' ') : 'none'}. ` +
      `Bursts: credd ${Object.entries(f.bursts.credd.finalStatuses).map(([s, n]) => `${n} × ${s}`).join(', ')}, bare ${Object.entries(f.bursts.bare.finalStatuses).map(([s, n]) => `${n} × ${s}`).join(', ')}; ` +
      `load: credd ${fmt(f.loads.credd.requestsPerSecond, 0)} req/s, bare ${fmt(f.loads.bare.requestsPerSecond, 0)} req/s.`,
    '',
    'Each step, read right after it (MiB; `process.memoryUsage()` in the process itself; "new space": V8\'s young generation):',
    '',
    '| step | credd RSS | heap total | heap used | new space | external | bare RSS | heap total | heap used | new space | external |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...f.steps.map((s) => `| ${s.step} | ${mib(s.credd.rssBytes)} | ${u(s.credd, 'heapTotal')} | ${u(s.credd, 'heapUsed')} | ${ns(s.credd)} | ${u(s.credd, 'external')} | ` +
      `${mib(s.bare.rssBytes)} | ${u(s.bare, 'heapTotal')} | ${u(s.bare, 'heapUsed')} | ${ns(s.bare)} | ${u(s.bare, 'external')} |`),
  ].join('\n');
}
