// One measurement of loading a large AWS config, in a fresh process (so the first, cold call is
// what is timed: that is what a daemon start or `credd reload` pays). Run with --expose-gc.
// Input: BENCH_SCALE (JSON: { mode, configFile, credentialsFile }).
// - mode "credd": dist/aws/config.js loadAwsConfig, then dist/aws/resolve-plan.js resolvePlan
//   for every profile;
// - mode "sdk": the AWS SDK for JavaScript's own loader (loadSharedConfigFiles of @smithy/core),
//   the parse every SDK process does at start: the baseline.
// Output: one JSON line with times (ms) and memory (bytes).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const { mode, configFile, credentialsFile } = JSON.parse(process.env.BENCH_SCALE ?? '{}');
const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'aws');
const gc = globalThis.gc ?? (() => {});

// Module loading is timed apart: the daemon has loaded these long before it reads a config.
let t = performance.now();
const mod =
  mode === 'credd' ? { ...(await import(join(dist, 'config.js'))), ...(await import(join(dist, 'resolve-plan.js'))) } : await import('@smithy/core/config');
const importMs = performance.now() - t;

gc();
const before = process.memoryUsage();
t = performance.now();
let loadMs;
let resolveMs = 0;
let profiles;
let kept;
if (mode === 'credd') {
  const config = mod.loadAwsConfig({ configFile, credentialsFile });
  loadMs = performance.now() - t;
  const t2 = performance.now();
  const plans = [...config.profiles.keys()].map((name) => mod.resolvePlan(config, name));
  resolveMs = performance.now() - t2;
  profiles = plans.length;
  kept = { config, plans };
} else {
  const files = await mod.loadSharedConfigFiles({ filepath: credentialsFile, configFilepath: configFile, ignoreCache: true });
  loadMs = performance.now() - t;
  profiles = Object.keys(files.configFile).length;
  kept = files;
}
const totalMs = performance.now() - t;
const after = process.memoryUsage();
gc();
const retained = process.memoryUsage();

process.stdout.write(
  `${JSON.stringify({
    mode,
    profiles,
    importMs,
    loadMs,
    resolveMs,
    totalMs,
    // Heap growth while loading (garbage included), what stays after a full GC with the result
    // still referenced, and the process's RSS at the end.
    heapGrowthBytes: after.heapUsed - before.heapUsed,
    heapRetainedBytes: retained.heapUsed - before.heapUsed,
    rssBytes: retained.rss,
    rssGrowthBytes: retained.rss - before.rss,
    keptSomething: kept !== undefined,
  })}\n`,
);
