// CLI latency: the wall time of `credd status` and `credd switch NAME` against a running daemon,
// next to `node -e 0`, the floor any Node CLI pays (process start, V8, Node's bootstrap).
import { spawnSync } from 'node:child_process';
import { CREDD_BIN } from './credd-fixture.js';
import { fmt, median, percentile } from './stats.js';

export const CLI_TARGET_MS = 80;

/** Wall time of one run of `args`, in ms; throws on a non-zero exit (a failing command is not a measurement). */
function timeOnce(args, env) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', timeout: 30000 });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr.trim()}`);
  return ms;
}

/**
 * `runs` rounds; each round runs every command once, the order rotating, so that a burst of
 * load from other processes hits all of them alike. Medians and p90 per command.
 */
export function measureCliLatency({ env, profile, runs }) {
  const commands = [
    { key: 'floor', label: '`node -e 0` (floor)', args: ['-e', '0'] },
    { key: 'status', label: '`credd status`', args: [CREDD_BIN, 'status'] },
    { key: 'switch', label: `\`credd switch ${profile}\``, args: [CREDD_BIN, 'switch', profile] },
  ];
  const times = Object.fromEntries(commands.map((c) => [c.key, []]));
  for (const c of commands) timeOnce(c.args, env); // once unmeasured: the file cache
  for (let i = 0; i < runs; i++) {
    for (let j = 0; j < commands.length; j++) {
      const c = commands[(i + j) % commands.length];
      times[c.key].push(timeOnce(c.args, env));
    }
  }
  const floor = median(times.floor);
  return {
    runs,
    floorMs: floor,
    commands: commands.map((c) => ({
      key: c.key,
      label: c.label,
      medianMs: median(times[c.key]),
      p90Ms: percentile(times[c.key], 90),
      overFloorMs: median(times[c.key]) - floor,
      times: times[c.key],
    })),
  };
}

/** The CLI latency table. */
export function cliLatencyMarkdown(r) {
  return [
    `| command (median of ${r.runs}, alternating) | wall time (ms) | p90 (ms) | over the floor (ms) | target | verdict |`,
    '| --- | ---: | ---: | ---: | --- | --- |',
    ...r.commands.map((c) =>
      c.key === 'floor'
        ? `| ${c.label} | ${fmt(c.medianMs, 1)} | ${fmt(c.p90Ms, 1)} | — | — | — |`
        : `| ${c.label} | ${fmt(c.medianMs, 1)} | ${fmt(c.p90Ms, 1)} | ${fmt(c.overFloorMs, 1)} | ≤ ${CLI_TARGET_MS} ms over | ${c.overFloorMs <= CLI_TARGET_MS ? 'met' : '**missed**'} |`,
    ),
  ].join('\n');
}
