// The footprint after real use (issue 18): a daemon of its own and a bare server of its own go
// through the same day in small — start, an MFA session (credd) or one request (bare), a burst of
// concurrent cold requests, a keep-alive load — and then idle. At each step the RSS (from /proc)
// and process.memoryUsage() (from bench/mem-probe.js, preloaded into both) are recorded; the
// figure that counts is the lowest RSS while they idle afterwards, next to the same figure after
// start-up.
import { existsSync, readFileSync } from 'node:fs';
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
  return Object.fromEntries(
    [...seen].map(([pid, xs]) => [pid, { minBytes: Math.min(...xs), firstBytes: xs[0], lastBytes: xs.at(-1), samples: xs.length, seconds }]),
  );
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

/** Starts a daemon of its own (in its own sandbox) with the probe and `nodeArgs`; resolves it with its sandbox and probe file. */
async function startProbedCredd(stsUrl, nodeArgs, pin, core) {
  const sandbox = makeSandbox(stsUrl, { extraProfiles: 1 });
  const file = join(sandbox.root, 'probe.jsonl');
  try {
    const credd = await startCredd({ ...sandbox, env: { ...sandbox.env, BENCH_PROBE_FILE: file } }, { pin, core, nodeArgs: ['--import', PROBE, ...nodeArgs] });
    return {
      ...credd,
      sandbox,
      file,
      stop: async () => {
        await credd.stop();
        sandbox.cleanup();
      },
    };
  } catch (err) {
    sandbox.cleanup();
    throw err;
  }
}

/**
 * Runs the footprint day for credd (with `daemonNodeArgs`, the flags `credd start` and the
 * service units pass), the bare server and, when those flags are not empty, a second daemon
 * without them: what the flags buy, in the same run. Resolves `{ steps, startup, afterUse, … }`,
 * each keyed by server: `credd`, `bare` and maybe `creddNoFlags`.
 */
export async function measureFootprint({ stsUrl, count, loadSeconds, startIdleMs, idleMs, pin, core, loadCore, daemonNodeArgs = [], say }) {
  const servers = {};
  try {
    servers.credd = await startProbedCredd(stsUrl, daemonNodeArgs, pin, core);
    if (daemonNodeArgs.length) servers.creddNoFlags = await startProbedCredd(stsUrl, [], pin, core);
    const { token } = servers.credd;
    // A body of about credd's size (586 bytes for `dev` against moto): the exact size matters for
    // throughput (the endpoint scenario matches it), not for memory.
    const file = join(servers.credd.sandbox.root, 'probe-bare.jsonl');
    servers.bare = {
      ...(await startBare({ token, body: sameSizeBody(586), imdsBody: '{}', pin, core, nodeArgs: ['--import', PROBE], env: { BENCH_PROBE_FILE: file } })),
      file,
      token,
    };
    const names = Object.keys(servers);
    const pids = names.map((n) => servers[n].pid);
    const byName = (perPid) => Object.fromEntries(names.map((n) => [n, perPid[servers[n].pid]]));
    const steps = [];
    const record = async (step) => {
      const row = { step };
      for (const n of names) row[n] = { rssBytes: memoryOf(servers[n].pid).rssBytes, usage: await probe(servers[n].pid, servers[n].file) };
      steps.push(row);
    };
    say(`footprint: start-up, idle ${startIdleMs / 1000} s`);
    await record('started');
    const startup = byName(await idleRss(pids, startIdleMs));
    await record('start-up idle');
    for (const n of names) {
      const s = servers[n];
      if (s.sandbox) {
        creddCli(s.sandbox.env, ['switch', 'dev']);
        creddCli(s.sandbox.env, ['mfa', '123456']);
      }
      const r = await get(`${s.url}/creds`, s.token);
      if (r.status !== 200) throw new Error(`footprint ${n} answered ${r.status}: ${r.body}`);
    }
    await record('credd: MFA session + 1 request; bare: 1 request');
    say(`footprint: ${count} concurrent cold requests each`);
    const profile = bulkProfileNames(1)[0];
    const bursts = {};
    // Each burst from a loopback address of its own (see cold-burst.js).
    for (const [i, n] of names.entries())
      bursts[n] = await burst(`${servers[n].url}/creds/${profile}`, servers[n].token, count, `127.0.0.${5 + i}`, servers[n].pid);
    await record(`burst of ${count}`);
    say(`footprint: 64-connection load, ${loadSeconds} s each`);
    const loads = {};
    for (const n of names) {
      const s = servers[n];
      loads[n] = await measureRun({
        server: { pid: s.pid, url: `${s.url}/creds` },
        headers: { authorization: s.token },
        connections: 64,
        duration: loadSeconds,
        pin,
        core: loadCore,
      });
    }
    await record('64-connection load');
    say(`footprint: idle ${idleMs / 1000} s`);
    const afterUse = byName(await idleRss(pids, idleMs));
    await record('idle after use');
    return {
      steps,
      startup,
      afterUse,
      bursts: Object.fromEntries(
        Object.entries(bursts).map(([k, b]) => [k, { allOk: b.allOk, allAnsweredMs: b.allAnsweredMs, finalStatuses: b.finalStatuses }]),
      ),
      loads: Object.fromEntries(
        Object.entries(loads).map(([k, l]) => [
          k,
          { requestsPerSecond: l.requestsPerSecond, totalRequests: l.totalRequests, non2xx: l.non2xx, errors: l.errors },
        ]),
      ),
      method: { count, loadSeconds, startIdleSeconds: startIdleMs / 1000, idleSeconds: idleMs / 1000, daemonNodeArgs },
    };
  } finally {
    for (const s of Object.values(servers).reverse()) await s.stop();
  }
}

/** The footprint's target verdict: credd's lowest idle RSS after use over the bare server's. */
export const footprintRatio = (f) => f.afterUse.credd.minBytes / f.afterUse.bare.minBytes;

/** The footprint tables. */
export function footprintMarkdown(f) {
  const ratio = footprintRatio(f);
  const noFlags = f.afterUse.creddNoFlags;
  const flags = f.method.daemonNodeArgs.map((a) => `\`${a}\``).join(' ');
  const cell = (x) => `${mib(x.minBytes)} (${mib(x.firstBytes)})`;
  const u = (x, k) => (x?.usage ? mib(x.usage[k]) : 'n/a');
  const ns = (x) => (x?.usage?.spaces ? mib(x.usage.spaces.new_space) : 'n/a');
  const names = Object.keys(f.afterUse);
  const label = { credd: `credd${flags ? ` (${flags})` : ''}`, creddNoFlags: 'credd without node flags', bare: 'bare' };
  const statuses = (b) =>
    Object.entries(b.finalStatuses)
      .map(([s, n]) => `${n} × ${s}`)
      .join(', ');
  return [
    `| RSS (MiB), lowest while idle (first reading) | credd | bare node:http (baseline) | credd / bare | target | verdict |`,
    '| --- | ---: | ---: | ---: | --- | --- |',
    `| after start-up, ${fmt(f.startup.credd.seconds, 0)} s idle | ${cell(f.startup.credd)} | ${cell(f.startup.bare)} | ${fmt(f.startup.credd.minBytes / f.startup.bare.minBytes)} | — (informational) | — |`,
    `| **after use**: MFA session, a burst of ${f.method.count} cold requests, ${f.method.loadSeconds} s at 64 connections; then ${fmt(f.afterUse.credd.seconds, 0)} s idle | ` +
      `**${cell(f.afterUse.credd)}** | **${cell(f.afterUse.bare)}** | **${fmt(ratio)}** | ≤ ${RSS_RATIO_TARGET} × bare | ${ratio <= RSS_RATIO_TARGET ? 'met' : '**missed**'} |`,
    ...(noFlags
      ? [
          `| the same daemon without ${flags} (same run): after start-up | ${cell(f.startup.creddNoFlags)} | ${cell(f.startup.bare)} | ${fmt(f.startup.creddNoFlags.minBytes / f.startup.bare.minBytes)} | — (what the flags buy) | — |`,
          `| the same daemon without ${flags} (same run): after use | ${cell(noFlags)} | ${cell(f.afterUse.bare)} | ${fmt(noFlags.minBytes / f.afterUse.bare.minBytes)} | — (what the flags buy) | — |`,
        ]
      : []),
    '',
    `Bursts: ${names.map((n) => `${label[n]} ${statuses(f.bursts[n])}`).join('; ')}. ` +
      `Load (5 s each, one after the other; no target here, the endpoint section measures throughput): ${names.map((n) => `${label[n]} ${fmt(f.loads[n].requestsPerSecond, 0)} req/s`).join(', ')}.`,
    '',
    'Each step, read right after it (MiB; RSS from `/proc`, the rest `process.memoryUsage()` in the process itself; "new": V8\'s young generation):',
    '',
    `| step | ${names.map((n) => `${label[n]}: RSS | heap total | heap used | new`).join(' | ')} |`,
    `| --- | ${names.map(() => '---: | ---: | ---: | ---:').join(' | ')} |`,
    ...f.steps.map(
      (s) => `| ${s.step} | ${names.map((n) => `${mib(s[n].rssBytes)} | ${u(s[n], 'heapTotal')} | ${u(s[n], 'heapUsed')} | ${ns(s[n])}`).join(' | ')} |`,
    ),
  ].join('\n');
}
