// Scale of configuration: a generated AWS config of thousands of profiles, loaded and resolved by
// credd (bench/scale-worker.js, a fresh process per run) next to the AWS SDK's own parse of it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmt, median, mib } from './stats.js';

const WORKER = join(dirname(fileURLToPath(import.meta.url)), '..', 'scale-worker.js');
export const SCALE_TARGET_MS = 200;

/**
 * Writes `count` profiles shaped like a large organisation's: one profile with keys per 100
 * (its keys in the credentials file), the others roles on top of it, half of the blocks behind an
 * MFA device, every tenth role chained from the role before it, some with duration_seconds,
 * external_id or role_session_name.
 */
export function writeLargeConfig(dir, count) {
  const config = [];
  const credentials = [];
  for (let i = 0; i < count; i++) {
    const name = `p${String(i).padStart(5, '0')}`;
    const block = Math.floor(i / 100) * 100;
    if (i === block) {
      credentials.push(`[${name}]\naws_access_key_id = AKIA${String(i).padStart(16, '0')}\naws_secret_access_key = ${'s'.repeat(40)}\n`);
      config.push(`[profile ${name}]\nregion = us-east-1\n`);
      continue;
    }
    const lines = [`[profile ${name}]`, 'region = eu-west-1', `role_arn = arn:aws:iam::${String(100000000000 + i)}:role/Role${i}`];
    lines.push(`source_profile = p${String(i % 10 === 5 ? i - 1 : block).padStart(5, '0')}`);
    if ((block / 100) % 2 === 1) lines.push(`mfa_serial = arn:aws:iam::${String(100000000000 + block)}:mfa/user${block}`);
    if (i % 7 === 0) lines.push('duration_seconds = 3600');
    if (i % 11 === 0) lines.push(`external_id = ext-${i}`);
    if (i % 13 === 0) lines.push(`role_session_name = session-${i}`);
    config.push(`${lines.join('\n')}\n`);
  }
  const configFile = join(dir, 'config');
  const credentialsFile = join(dir, 'credentials');
  writeFileSync(configFile, config.join('\n'));
  writeFileSync(credentialsFile, credentials.join('\n'));
  return { configFile, credentialsFile };
}

/** One fresh-process measurement (see scale-worker.js). */
function once(mode, files) {
  const r = spawnSync(process.execPath, ['--expose-gc', WORKER], {
    env: { ...process.env, BENCH_SCALE: JSON.stringify({ mode, ...files }) },
    encoding: 'utf8',
    timeout: 60000,
  });
  if (r.status !== 0) throw new Error(`scale worker (${mode}) exited ${r.status}: ${r.stderr.trim()}`);
  return JSON.parse(r.stdout);
}

/** `runs` fresh processes of each kind, alternating; medians of each figure. */
export function measureConfigScale({ count, runs }) {
  const dir = mkdtempSync(join(tmpdir(), 'credd-bench-scale-'));
  try {
    const files = writeLargeConfig(dir, count);
    const all = { credd: [], sdk: [] };
    for (let i = 0; i < runs; i++) for (const mode of ['credd', 'sdk']) all[mode].push(once(mode, files));
    const med = (mode) =>
      Object.fromEntries(Object.keys(all[mode][0]).map((k) => [k, typeof all[mode][0][k] === 'number' ? median(all[mode].map((x) => x[k])) : all[mode][0][k]]));
    return { profiles: count, runs, credd: med('credd'), sdk: med('sdk'), all };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The scale table. */
export function configScaleMarkdown(r) {
  const { credd, sdk } = r;
  return [
    `| ${r.profiles} profiles, a fresh process each, median of ${r.runs} | credd: load + resolve every profile | AWS SDK for JS: parse only (baseline) | credd / SDK | target | verdict |`,
    '| --- | ---: | ---: | ---: | --- | --- |',
    `| load + resolve (ms) | ${fmt(credd.totalMs, 1)} (${fmt(credd.loadMs, 1)} + ${fmt(credd.resolveMs, 1)}) | ${fmt(sdk.totalMs, 1)} | ${fmt(credd.totalMs / sdk.totalMs)} | < ${SCALE_TARGET_MS} ms | ${credd.totalMs < SCALE_TARGET_MS ? 'met' : '**missed**'} |`,
    `| importing the modules (ms, not counted above) | ${fmt(credd.importMs, 1)} | ${fmt(sdk.importMs, 1)} | — | — | — |`,
    `| heap growth while loading (MiB) | ${mib(credd.heapGrowthBytes)} | ${mib(sdk.heapGrowthBytes)} | ${fmt(credd.heapGrowthBytes / sdk.heapGrowthBytes)} | — | — |`,
    `| heap retained after GC (MiB) | ${mib(credd.heapRetainedBytes)} | ${mib(sdk.heapRetainedBytes)} | ${fmt(credd.heapRetainedBytes / sdk.heapRetainedBytes)} | — | — |`,
    `| process RSS at the end (MiB) | ${mib(credd.rssBytes)} | ${mib(sdk.rssBytes)} | ${fmt(credd.rssBytes / sdk.rssBytes)} | — | — |`,
  ].join('\n');
}
