// A load run in which every request opens its own TCP connection (`agent: false`), as many SDK
// credential fetches do; autocannon cannot count responses when it reconnects per request.
// Same input and output as load-worker.js (fields it cannot tell are left out), plus
// `maxRequests`: stop early, since each connection leaves a TIME_WAIT socket for 60 s.
import http from 'node:http';

const opts = JSON.parse(process.env.BENCH_LOAD ?? '{}');
const headers = JSON.parse(process.env.BENCH_HEADERS ?? '{}');
const samples = [];
let non2xx = 0;
let errors = 0;
const cpuStart = process.cpuUsage();
const start = performance.now();
const end = start + opts.duration * 1000;

const once = () =>
  new Promise((resolve) => {
    const t0 = performance.now();
    const req = http.get(opts.url, { agent: false, headers }, (res) => {
      res.resume();
      res.on('end', () => {
        if (res.statusCode >= 200 && res.statusCode < 300) samples.push(performance.now() - t0);
        else non2xx++;
        resolve();
      });
    });
    req.on('error', () => {
      errors++;
      resolve();
    });
  });
const max = opts.maxRequests ?? Infinity;
let started = 0;
const loop = async () => {
  while (performance.now() < end && started < max) {
    started++;
    await once();
  }
};
await Promise.all(Array.from({ length: opts.connections }, loop));

const seconds = (performance.now() - start) / 1000;
const cpu = process.cpuUsage(cpuStart);
const sorted = Float64Array.from(samples).sort();
const pct = (p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : NaN);
const round3 = (x) => Math.round(x * 1000) / 1000;
process.stdout.write(
  `${JSON.stringify({
    requestsPerSecond: (samples.length + non2xx) / seconds,
    totalRequests: samples.length + non2xx,
    latencyMs: { p50: round3(pct(50)), p90: round3(pct(90)), p99: round3(pct(99)), max: round3(pct(100)), samples: sorted.length },
    non2xx,
    errors,
    timeouts: 0,
    durationSeconds: seconds,
    loadCpuPercent: Math.round((cpu.user + cpu.system) / 1e4 / seconds),
  })}\n`,
);
