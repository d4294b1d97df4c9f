// Turns the raw runs into the summary, the target verdicts, and the markdown tables.

/** The targets, as ratios of credd to the bare node:http server measured in the same run. */
export const TARGETS = [
  { key: 'rps', label: 'req/s', op: '>=', limit: 0.9 },
  { key: 'p99', label: 'p99 latency', op: '<=', limit: 1.25 },
  { key: 'rss', label: 'RSS after load', op: '<=', limit: 1.8 },
];

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Medians over the measured rounds of one server; RSS is the reading after its last round. */
function summarize(runs) {
  return {
    rounds: runs.length,
    requestsPerSecond: median(runs.map((r) => r.requestsPerSecond)),
    p50Ms: median(runs.map((r) => r.latencyMs.p50)),
    p99Ms: median(runs.map((r) => r.latencyMs.p99)),
    cpuMicrosPerRequest: median(runs.map((r) => r.cpuMicrosPerRequest)),
    rssBytes: runs[runs.length - 1].rssBytes,
    peakRssBytes: Math.max(...runs.map((r) => r.hwmBytes)),
    steady: runs.every((r) => r.steady) ? {
      requestsPerSecond: median(runs.map((r) => r.steady.requestsPerSecond)),
      p99Ms: median(runs.map((r) => r.steady.latencyMs.p99)),
      cpuMicrosPerRequest: median(runs.map((r) => r.steady.cpuMicrosPerRequest)),
    } : undefined,
  };
}

/** Builds the result document from the measured (non-warm-up) runs. */
export function buildReport({ runs, fresh = [], meta }) {
  const credd = summarize(runs.filter((r) => r.server === 'credd'));
  const bare = summarize(runs.filter((r) => r.server === 'bare'));
  const ratios = {
    rps: credd.requestsPerSecond / bare.requestsPerSecond,
    p50: credd.p50Ms / bare.p50Ms,
    p99: credd.p99Ms / bare.p99Ms,
    cpuPerRequest: credd.cpuMicrosPerRequest / bare.cpuMicrosPerRequest,
    rss: credd.rssBytes / bare.rssBytes,
  };
  const targets = TARGETS.map((t) => {
    const value = ratios[t.key];
    return { ...t, value, met: t.op === '>=' ? value >= t.limit : value <= t.limit };
  });
  const clean = [...runs, ...fresh].every((r) => r.non2xx === 0 && r.errors === 0 && r.timeouts === 0);
  return { ...meta, runs, fresh, summary: { credd, bare }, ratios, targets, clean, allMet: clean && targets.every((t) => t.met) };
}

const f = (x, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
const mib = (b) => f(b / 1048576, 1);

/** The report as markdown, for stdout and docs/performance.md. */
export function toMarkdown(r) {
  const { credd, bare } = r.summary;
  const verdict = (key) => {
    const t = r.targets.find((x) => x.key === key);
    return t ? `${t.op} ${t.limit} | ${t.met ? 'met' : '**missed**'}` : '— | —';
  };
  const row = (label, c, b, ratio, key) => `| ${label} | ${c} | ${b} | ${f(ratio)} | ${verdict(key)} |`;
  const runRow = (x) => `| ${x.round ?? '—'} | ${x.server} | ${f(x.requestsPerSecond, 0)} | ${f(x.latencyMs.p50, 3)} | ${f(x.latencyMs.p99, 3)} | ${f(x.latencyMs.max, 1)} | ` +
    `${f(x.cpuMicrosPerRequest, 1)} | ${x.steady ? f(x.steady.cpuMicrosPerRequest, 1) : '—'} | ${x.serverCpuPercent} | ${x.loadCpuPercent} | ${x.backgroundBusyPercent} | ${x.tcpSockets} | ${x.machineBusyPercent} | ${mib(x.rssBytes)} | ${x.non2xx} | ${x.errors + x.timeouts} |`;
  const runHeader = [
    `| round | server | req/s | p50 ms | p99 ms | max ms | server CPU µs/req | … steady state | server CPU % | load CPU % | others' load before, % | TCP sockets before | machine busy during, % (of ${100 * r.machine.cores}) | RSS MiB | non-2xx | errors |`,
    '| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  const lines = [
    `| metric (median of ${credd.rounds} rounds, ${r.method.connections} connections, keep-alive) | credd | bare node:http | credd / bare | target | verdict |`,
    '| --- | ---: | ---: | ---: | --- | --- |',
    row('req/s', f(credd.requestsPerSecond, 0), f(bare.requestsPerSecond, 0), r.ratios.rps, 'rps'),
    row('p50 latency (ms)', f(credd.p50Ms, 3), f(bare.p50Ms, 3), r.ratios.p50, 'p50'),
    row('p99 latency (ms)', f(credd.p99Ms, 3), f(bare.p99Ms, 3), r.ratios.p99, 'p99'),
    row('server CPU per request (µs)', f(credd.cpuMicrosPerRequest, 1), f(bare.cpuMicrosPerRequest, 1), r.ratios.cpuPerRequest, 'cpu'),
    ...(credd.steady && bare.steady ? [
      row(`steady state (after ${r.method.settleSeconds} s): req/s`, f(credd.steady.requestsPerSecond, 0), f(bare.steady.requestsPerSecond, 0), credd.steady.requestsPerSecond / bare.steady.requestsPerSecond, 'info'),
      row('steady state: p99 latency (ms)', f(credd.steady.p99Ms, 3), f(bare.steady.p99Ms, 3), credd.steady.p99Ms / bare.steady.p99Ms, 'info'),
      row('steady state: server CPU per request (µs)', f(credd.steady.cpuMicrosPerRequest, 1), f(bare.steady.cpuMicrosPerRequest, 1), credd.steady.cpuMicrosPerRequest / bare.steady.cpuMicrosPerRequest, 'info'),
    ] : []),
    row('RSS after load (MiB)', mib(credd.rssBytes), mib(bare.rssBytes), r.ratios.rss, 'rss'),
    row('RSS idle, before any load (MiB)', mib(r.idleRss.credd), mib(r.idleRss.bare), r.idleRss.credd / r.idleRss.bare, 'idle'),
    row('peak RSS, VmHWM (MiB)', mib(credd.peakRssBytes), mib(bare.peakRssBytes), credd.peakRssBytes / bare.peakRssBytes, 'hwm'),
    '',
    ...runHeader,
    ...r.runs.map(runRow),
  ];
  if (r.fresh.length) lines.push('', `A new TCP connection for every request, ${r.method.freshConnections} at a time, at most ${r.method.freshRequests} requests (informational, no target):`, '', ...runHeader, ...r.fresh.map(runRow));
  lines.push('', `${r.clean ? 'All responses were 200.' : '**Some responses were not 200 or failed: the numbers are not valid.**'} ` +
    `Targets: ${r.allMet ? 'all met.' : 'NOT all met.'}`);
  return lines.join('\n');
}
