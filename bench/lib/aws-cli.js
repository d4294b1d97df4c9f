// Against the AWS CLI's own way: `aws sts get-caller-identity` through credd (the environment of
// `eval "$(credd env)"`) versus through the CLI's native assume-role profile (source_profile +
// role_arn + mfa_serial) with its cache warm, both against moto through the counting proxy.
// Then the MFA prompts needed to use the four role accounts of the spec's scenario, both ways.
import { spawn } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ACCOUNTS, creddCli, shellEnvOf } from './credd-fixture.js';
import { countByAction } from './sts-proxy.js';
import { fmt, median } from './stats.js';

/** What botocore prints when it asks for a code (on stderr once it has no terminal). */
const PROMPT = /Enter MFA code for /g;

/**
 * Runs `aws ARGS` in a new session (`detached`: setsid), so it has no controlling terminal: the
 * MFA prompt can then only read `input` from stdin and never waits on whoever runs the bench.
 * Resolves `{ ms, status, stdout, stderr, prompts }`.
 */
function aws(args, env, input = '') {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn('aws', args, { env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c) => (stderr += c));
    const timer = setTimeout(() => process.kill(-child.pid, 'SIGKILL'), 60000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ ms: performance.now() - t0, status, stdout, stderr, prompts: (stderr.match(PROMPT) ?? []).length });
    });
    child.stdin.on('error', () => {}); // it may exit without reading
    child.stdin.end(input);
  });
}

/** The account `get-caller-identity` printed, or a failure with the CLI's own words. */
function accountOf(r, what) {
  if (r.status !== 0) throw new Error(`${what}: aws exited ${r.status}: ${r.stderr.trim().split('\n').slice(-2).join(' ')}`);
  return JSON.parse(r.stdout).Account;
}

const IDENTITY = ['sts', 'get-caller-identity', '--output', 'json'];

/**
 * `sandbox`: the main sandbox (its daemon running, `profile` active, its source session open);
 * `sts`: the counting proxy both ways go through. The credd prompt count runs `credd logout`
 * first, so it leaves the daemon without credentials: run this last.
 */
export async function measureAwsCli({ sandbox, sts, profile, runs, say }) {
  const names = Object.keys(ACCOUNTS);
  const cacheDir = join(sandbox.home, '.aws', 'cli', 'cache');
  const callsSince = async (n) => countByAction((await sts.calls()).slice(n));

  // 1. Native: every profile from a cold cache, four codes on stdin; count the prompts it prints.
  say('aws CLI, native profiles, cold cache: counting MFA prompts');
  rmSync(cacheDir, { recursive: true, force: true });
  let mark = (await sts.calls()).length;
  const native = [];
  for (const name of names) {
    const r = await aws([...IDENTITY, '--profile', name], sandbox.env, '123456\n'.repeat(4));
    native.push({ name, prompts: r.prompts, account: accountOf(r, `native ${name}`) });
  }
  const nativeCalls = await callsSince(mark);
  let cacheFiles = [];
  try {
    cacheFiles = readdirSync(cacheDir).filter((f) => f.endsWith('.json'));
  } catch {
    // no cache directory: reported as 0 files
  }

  // 2. Timing: native (cache warm, stdin empty: a prompt would fail the run) against credd's environment.
  const creddEnv = shellEnvOf(sandbox.env);
  const times = { native: [], credd: [] };
  mark = (await sts.calls()).length;
  say(`aws CLI timing: ${runs} runs each, alternating`);
  for (let i = 0; i < runs + 1; i++) {
    for (const way of i % 2 ? ['credd', 'native'] : ['native', 'credd']) {
      const r = way === 'native' ? await aws([...IDENTITY, '--profile', profile], sandbox.env) : await aws(IDENTITY, creddEnv);
      if (accountOf(r, `${way} timing run`) !== ACCOUNTS[profile]) throw new Error(`${way}: wrong account`);
      if (i > 0) times[way].push(r.ms); // the first round warms the file cache
    }
  }
  const timingCalls = await callsSince(mark);

  // 3. credd: one code for the source session, then all four accounts without a prompt.
  say('aws CLI through credd: counting MFA prompts');
  // logout forgets the active profile too: choose it again (no code needed for that).
  creddCli(sandbox.env, ['logout']);
  creddCli(sandbox.env, ['switch', profile]);
  mark = (await sts.calls()).length;
  creddCli(sandbox.env, ['mfa', '123456']);
  const viaCredd = [];
  for (const name of names) {
    const r = await aws(IDENTITY, shellEnvOf(sandbox.env, [name]), '123456\n'.repeat(4));
    viaCredd.push({ name, prompts: r.prompts, account: accountOf(r, `credd ${name}`) });
  }
  const creddCalls = await callsSince(mark);

  return {
    runs,
    nativeMs: median(times.native),
    creddMs: median(times.credd),
    times,
    timingStsCalls: timingCalls,
    cacheFiles: cacheFiles.length,
    prompts: {
      native: native.reduce((n, x) => n + x.prompts, 0),
      // `credd mfa 123456` is the one code; the aws runs themselves never asked.
      credd: 1 + viaCredd.reduce((n, x) => n + x.prompts, 0),
    },
    nativeProfiles: native,
    creddProfiles: viaCredd,
    nativeStsCalls: nativeCalls,
    creddStsCalls: creddCalls,
    accountsOk: [...native, ...viaCredd].every((x) => x.account === ACCOUNTS[x.name]),
  };
}

/** The AWS CLI tables. */
export function awsCliMarkdown(r) {
  const calls = (c) =>
    Object.entries(c)
      .map(([a, n]) => `${n} ${a}`)
      .join(', ') || 'none';
  return [
    `| \`aws sts get-caller-identity\` (AWS CLI v1, median of ${r.runs}, alternating) | wall time (ms) |`,
    '| --- | ---: |',
    `| native assume-role profile \`--profile dev\`, role credentials from \`~/.aws/cli/cache\` (baseline) | ${fmt(r.nativeMs, 0)} |`,
    `| through credd: the environment of \`eval "$(credd env)"\` | ${fmt(r.creddMs, 0)} |`,
    `| **credd / native** | **${fmt(r.creddMs / r.nativeMs)}** |`,
    '',
    `STS calls during the timed runs: ${calls(r.timingStsCalls)} (no AssumeRole: the native runs used the cache, credd its memory).`,
    '',
    '| MFA codes needed to use dev, test, staging and prod | native CLI (`mfa_serial` in each profile) | credd | target |',
    '| --- | ---: | ---: | --- |',
    `| codes asked for, from a cold start | ${r.prompts.native} | ${r.prompts.credd} | native once per profile, credd once |`,
    `| STS calls made meanwhile | ${calls(r.nativeStsCalls)} | ${calls(r.creddStsCalls)} | — |`,
    '',
    `Native: each \`aws --profile NAME\` ran in a new session without a terminal, with codes on stdin, and ` +
      `printed "Enter MFA code for …" ${r.nativeProfiles.map((p) => `${p.prompts}×`).join(' / ')} (dev / test / staging / prod); ` +
      `it then held ${r.cacheFiles} role credentials in \`~/.aws/cli/cache\`, which is what made the timed runs prompt-free (their stdin was empty, ` +
      `so a prompt would have failed them). credd: \`credd logout\`, one \`credd mfa 123456\`, then the four accounts through ` +
      `\`eval "$(credd env NAME)"\` with codes offered on stdin: ${r.creddProfiles.reduce((n, p) => n + p.prompts, 0)} prompts. ` +
      `Every call answered the right account: ${r.accountsOk ? 'yes' : '**no**'}. The CLI's cache holds each role for 1 hour, so ` +
      'the native way asks again, per profile, every hour; credd asks once per source session.',
  ].join('\n');
}
