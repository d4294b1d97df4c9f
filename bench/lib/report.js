// Turns the results of one run into markdown: the targets at a glance, then one section per
// scenario (each scenario's module renders its own table; the endpoint's are here).
import { awsCliMarkdown } from './aws-cli.js';
import { CLI_TARGET_MS, cliLatencyMarkdown } from './cli-latency.js';
import { coldBurstMarkdown } from './cold-burst.js';
import { configScaleMarkdown, SCALE_TARGET_MS } from './config-scale.js';
import { TARGET_CONNECTIONS } from './endpoint.js';
import { footprintMarkdown, footprintRatio, RSS_RATIO_TARGET } from './footprint.js';
import { memoryMarkdown } from './memory.js';
import { fmt, mib } from './stats.js';

/** One row per (path, connections): medians of each server, and credd / bare. */
function endpointMarkdown(e) {
  const verdict = (s) => (s.targets ? s.targets.map((t) => `${t.label}: ${t.met ? 'met' : '**missed**'}`).join('; ') : '—');
  return [
    '| path | conn. | credd req/s | bare req/s | **req/s ratio** (spread) | credd p50 ms | bare p50 ms | credd p99 ms | bare p99 ms | **p99 ratio** (spread) | CPU µs/req credd / bare | targets (64 connections) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    ...e.summaries.map(
      (s) =>
        `| ${s.label} | ${s.connections} | ${fmt(s.credd.requestsPerSecond, 0)} | ${fmt(s.bare.requestsPerSecond, 0)} | **${fmt(s.rpsRatio)}** (${fmt(s.rps.min)}–${fmt(s.rps.max)}) | ` +
        `${fmt(s.credd.p50Ms, 3)} | ${fmt(s.bare.p50Ms, 3)} | ${fmt(s.credd.p99Ms, 3)} | ${fmt(s.bare.p99Ms, 3)} | **${fmt(s.p99Ratio)}** (${fmt(s.p99.min)}–${fmt(s.p99.max)}) | ` +
        `${fmt(s.credd.cpuMicrosPerRequest, 1)} / ${fmt(s.bare.cpuMicrosPerRequest, 1)} | ${verdict(s)} |`,
    ),
  ].join('\n');
}

/** Every measured run, for the record (and to judge the noise). */
function runsMarkdown(runs, cores) {
  return [
    `| path | conn. | round | server | req/s | p50 ms | p99 ms | max ms | server CPU µs/req | server CPU % | load CPU % | others' load before, % | TCP sockets before | machine busy, % of ${100 * cores} | RSS MiB | non-2xx | errors |`,
    '| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...runs.map(
      (x) =>
        `| ${x.path} | ${x.connections} | ${x.round ?? '—'} | ${x.server} | ${fmt(x.requestsPerSecond, 0)} | ${fmt(x.latencyMs.p50, 3)} | ${fmt(x.latencyMs.p99, 3)} | ` +
        `${fmt(x.latencyMs.max, 1)} | ${fmt(x.cpuMicrosPerRequest, 1)} | ${x.serverCpuPercent} | ${x.loadCpuPercent} | ${x.backgroundBusyPercent} | ${x.tcpSockets} | ` +
        `${x.machineBusyPercent} | ${mib(x.rssBytes)} | ${x.non2xx} | ${x.errors + x.timeouts} |`,
    ),
  ].join('\n');
}

/** [label, measured, target, met] for every target of the issue that this run measured. */
export function targetRows(r) {
  const rows = [];
  const e = r.endpoint;
  for (const s of e?.summaries.filter((x) => x.connections === TARGET_CONNECTIONS) ?? []) {
    rows.push([
      `${s.label}: req/s, ${TARGET_CONNECTIONS} connections`,
      `${fmt(s.rpsRatio)} × bare (median of ${s.rps.pairs} pairs; ${fmt(s.rps.min)}–${fmt(s.rps.max)})`,
      '≥ 0.9 × bare',
      s.rpsRatio >= 0.9,
    ]);
    rows.push([
      `${s.label}: p99, ${TARGET_CONNECTIONS} connections`,
      `${fmt(s.p99Ratio)} × bare (median of ${s.p99.pairs} pairs; ${fmt(s.p99.min)}–${fmt(s.p99.max)})`,
      '≤ 1.25 × bare (guide; replaces < 2 ms)',
      s.p99Ratio <= 1.25,
    ]);
  }
  if (r.coldBurst)
    rows.push([
      `cold burst: STS calls for ${r.coldBurst.requests} concurrent requests`,
      String(r.coldBurst.stsCalls),
      'exactly 1',
      r.coldBurst.stsCalls === 1 && r.coldBurst.cold.allOk,
    ]);
  if (r.configScale)
    rows.push([
      `load + resolve ${r.configScale.profiles} profiles`,
      `${fmt(r.configScale.credd.totalMs, 1)} ms`,
      `< ${SCALE_TARGET_MS} ms`,
      r.configScale.credd.totalMs < SCALE_TARGET_MS,
    ]);
  if (r.footprint) {
    const f = r.footprint;
    rows.push([
      'daemon RSS idle after use (MFA session, burst, 64-connection load)',
      `${mib(f.afterUse.credd.minBytes)} MiB, ${fmt(footprintRatio(f))} × bare (after start-up: ${fmt(f.startup.credd.minBytes / f.startup.bare.minBytes)} ×)`,
      `≤ ${RSS_RATIO_TARGET} × bare after the same use`,
      footprintRatio(f) <= RSS_RATIO_TARGET,
    ]);
  }
  for (const c of r.cli?.commands.filter((x) => x.key !== 'floor') ?? []) {
    rows.push([`CLI: ${c.label}`, `${fmt(c.overFloorMs, 1)} ms over \`node -e 0\``, `≤ ${CLI_TARGET_MS} ms over`, c.overFloorMs <= CLI_TARGET_MS]);
  }
  if (r.awsCli) {
    rows.push(['`aws sts get-caller-identity`: credd / native (cache warm)', fmt(r.awsCli.creddMs / r.awsCli.nativeMs), 'report the ratio', null]);
    rows.push([
      'MFA codes for the four role accounts',
      `native ${r.awsCli.prompts.native}, credd ${r.awsCli.prompts.credd}`,
      'native 4, credd 1',
      r.awsCli.prompts.native === 4 && r.awsCli.prompts.credd === 1,
    ]);
  }
  return rows;
}

/** Other processes used more than a quarter of the machine before the median run. */
const busy = (r) => r.background.medianPercent > 25 * r.machine.cores;

/** The whole run as markdown (for stdout and docs/performance.md). */
export function toMarkdown(r) {
  const m = r.machine;
  const lines = [
    `Run of ${r.generatedAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}, commit \`${m.commit}\`` +
      `${m.srcUncommittedChanges ? ` with ${m.srcUncommittedChanges} uncommitted file(s) under src/ (dist/ was built from the working tree)` : ''}; ` +
      `\`${r.command}\`: the build, then \`node bench/run.js\`, which took ${fmt(r.totalSeconds, 0)} s. Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}, ` +
      `autocannon ${m.autocannon}, ${r.tools.aws ?? 'aws CLI not found'}, moto ${r.tools.moto ?? '?'}. ` +
      `Other processes' load before the runs: median ${r.background.medianPercent} %, at most ${r.background.maxPercent} % of ${100 * m.cores} %; ` +
      `load average after: ${r.loadAverageAfter.map((x) => x.toFixed(2)).join(' ')}.`,
    '',
    '| what | measured | target | verdict |',
    '| --- | --- | --- | --- |',
    ...targetRows(r).map(
      ([label, value, target, met]) =>
        `| ${label} | ${value} | ${target} | ${met === null ? '—' : met ? 'met' : '**missed**'}${met === false && busy(r) && /connections|CLI|profiles/.test(label) ? ' (machine busy)' : ''} |`,
    ),
  ];
  if (busy(r)) {
    lines.push(
      '',
      `**Other processes kept this machine busy** (a median of ${r.background.medianPercent} % of its ${100 * m.cores} % before the runs): times, ` +
        'throughput and latency measure the neighbours as much as credd, and a verdict marked "machine busy" is not one about credd. Memory moves little with load.',
    );
  }
  const section = (title, body) => lines.push('', `### ${title}`, '', body);
  if (r.endpoint) {
    const e = r.endpoint;
    section(
      'Endpoint throughput and latency',
      [
        `Keep-alive connections, autocannon in its own process; ${e.method.rounds} rounds of ${e.method.durationSeconds} s, each round credd and the bare server back to back ` +
          `(which goes first alternating). A ratio is the median of the ${e.method.rounds} rounds' paired ratios, with the lowest and highest pair in brackets; req/s and latencies are each server's medians. The IMDS row: \`PUT /latest/api/token\` once, then \`GET ${e.method.imdsPath}\` with the token ` +
          `(the bare server checks its own tokens the same way). Bodies: ${e.method.bodyBytes} and ${e.method.imdsBodyBytes} bytes, the same for both servers.`,
        '',
        endpointMarkdown(e),
        '',
        e.fresh.length
          ? `A new TCP connection for every request (Node \`http.get\` with \`agent: false\`), ${e.method.freshConnections} at a time, at most ${e.method.freshRequests} requests (informational, no target):\n\n` +
            `| server | req/s | p50 ms | p99 ms | max ms | server CPU per request |\n| --- | ---: | ---: | ---: | ---: | ---: |\n` +
            e.fresh
              .map(
                (x) =>
                  `| ${x.server} | ${fmt(x.requestsPerSecond, 0)} | ${fmt(x.latencyMs.p50, 1)} | ${fmt(x.latencyMs.p99, 1)} | ${fmt(x.latencyMs.max, 1)} | ${fmt(x.cpuMicrosPerRequest / 1000, 2)} ms |`,
              )
              .join('\n')
          : '',
        '',
        `<details><summary>Every run</summary>\n\n${runsMarkdown([...e.runs, ...e.fresh.map((x) => ({ ...x, path: 'fresh' }))], m.cores)}\n\n</details>`,
        '',
        `${e.clean ? 'All responses were 200.' : '**Some responses were not 200 or failed: those numbers are not valid.**'}`,
      ].join('\n'),
    );
  }
  if (r.coldBurst) section('Cold burst', coldBurstMarkdown(r.coldBurst));
  if (r.configScale) section('Scale of configuration', configScaleMarkdown(r.configScale));
  if (r.footprint) section('Footprint after use', footprintMarkdown(r.footprint));
  if (r.memory) section('Many profiles in use', memoryMarkdown(r.memory));
  if (r.cli) section('CLI latency', cliLatencyMarkdown(r.cli));
  if (r.awsCli) section("Against the AWS CLI's own way", awsCliMarkdown(r.awsCli));
  return lines.join('\n');
}

/**
 * The figures docs/performance.md cites, small enough to commit (bench/results/summary.json):
 * the run's conditions, each target's verdict, the endpoint's paired ratios and the footprint.
 * Every run, round and reading stays in the full JSON (bench/results/latest.json, not committed).
 */
export function summaryOf(r) {
  const round = (x, d = 3) => (Number.isFinite(x) ? +x.toFixed(d) : x);
  const mb = (b) => round(b / 1048576, 1);
  return {
    generatedAt: r.generatedAt,
    command: r.command,
    machine: r.machine,
    tools: r.tools,
    background: r.background,
    loadAverageAfter: r.loadAverageAfter.map((x) => round(x, 2)),
    targets: targetRows(r).map(([what, measured, target, met]) => ({ what, measured, target, met })),
    endpoint: r.endpoint?.summaries.map((s) => ({
      path: s.path,
      connections: s.connections,
      pairs: s.rps.pairs,
      rpsRatio: { median: round(s.rps.median), min: round(s.rps.min), max: round(s.rps.max) },
      p99Ratio: { median: round(s.p99.median), min: round(s.p99.min), max: round(s.p99.max) },
      cpuRatio: round(s.cpu.median),
      credd: { rps: Math.round(s.credd.requestsPerSecond), p99Ms: s.credd.p99Ms, cpuMicrosPerRequest: s.credd.cpuMicrosPerRequest },
      bare: { rps: Math.round(s.bare.requestsPerSecond), p99Ms: s.bare.p99Ms, cpuMicrosPerRequest: s.bare.cpuMicrosPerRequest },
    })),
    footprint: r.footprint && {
      daemonNodeArgs: r.footprint.method.daemonNodeArgs,
      startupMiB: Object.fromEntries(Object.entries(r.footprint.startup).map(([n, x]) => [n, mb(x.minBytes)])),
      afterUseMiB: Object.fromEntries(Object.entries(r.footprint.afterUse).map(([n, x]) => [n, mb(x.minBytes)])),
      ratio: round(footprintRatio(r.footprint)),
      steps: r.footprint.steps.map((x) => ({
        step: x.step,
        ...Object.fromEntries(
          Object.keys(r.footprint.afterUse).map((n) => [
            n,
            {
              rssMiB: mb(x[n].rssBytes),
              heapTotalMiB: x[n].usage && mb(x[n].usage.heapTotal),
              heapUsedMiB: x[n].usage && mb(x[n].usage.heapUsed),
              newSpaceMiB: x[n].usage?.spaces && mb(x[n].usage.spaces.new_space),
            },
          ]),
        ),
      })),
    },
  };
}
