// One load run in its own process (so the load generator never shares an event loop with a
// server). Input: BENCH_LOAD (JSON: url, connections, duration, settleSeconds) and BENCH_HEADERS
// (JSON: the request headers) from the environment, so the tokens never appear in `ps`. Output on stdout: a line
// `{"settled":N}` once settleSeconds have passed (N responses so far), then the summary line.
import autocannon from 'autocannon';

const opts = JSON.parse(process.env.BENCH_LOAD ?? '{}');

// autocannon's histogram has 1 ms resolution, too coarse for a 1.25x p99 target on
// millisecond latencies; keep every 2xx response time (float ms), in completion order.
let samples = new Float64Array(1 << 18);
let count = 0;
let responses = 0;
const record = (_client, statusCode, _bytes, responseTime) => {
  responses++;
  if (statusCode < 200 || statusCode > 299) return;
  if (count === samples.length) {
    const bigger = new Float64Array(samples.length * 2);
    bigger.set(samples);
    samples = bigger;
  }
  samples[count++] = responseTime;
};

/** Percentiles of `xs` (copied, then sorted). */
const percentiles = (xs) => {
  const s = Float64Array.from(xs).sort();
  const at = (p) => (s.length ? Math.round(s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] * 1000) / 1000 : NaN);
  return { p50: at(50), p90: at(90), p99: at(99), max: at(100), samples: s.length };
};

const cpuStart = process.cpuUsage();
const instance = autocannon({
  url: opts.url,
  connections: opts.connections,
  duration: opts.duration,
  pipelining: 1,
  headers: JSON.parse(process.env.BENCH_HEADERS ?? '{}'),
});
instance.on('response', record);
// After settleSeconds every connection is open and judged: what follows is the steady state.
let settled = { responses: 0, samples: 0 };
const settleMs = (opts.settleSeconds ?? 0) * 1000;
const timer =
  settleMs > 0 &&
  setTimeout(() => {
    settled = { responses, samples: count };
    process.stdout.write(`${JSON.stringify({ settled: responses })}\n`);
  }, settleMs);
const result = await instance;
clearTimeout(timer);
const cpu = process.cpuUsage(cpuStart);

const steadySeconds = result.duration - settleMs / 1000;
process.stdout.write(
  `${JSON.stringify({
    requestsPerSecond: result.requests.average,
    totalRequests: result.requests.total,
    latencyMs: percentiles(samples.subarray(0, count)),
    steady:
      settleMs > 0
        ? {
            seconds: steadySeconds,
            responses: responses - settled.responses,
            requestsPerSecond: (responses - settled.responses) / steadySeconds,
            latencyMs: percentiles(samples.subarray(settled.samples, count)),
          }
        : undefined,
    autocannonLatencyMs: { p50: result.latency.p50, p99: result.latency.p99 },
    throughputBytesPerSecond: result.throughput.average,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    durationSeconds: result.duration,
    loadCpuPercent: Math.round((cpu.user + cpu.system) / 1e4 / result.duration),
  })}\n`,
);
