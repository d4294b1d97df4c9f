// `npm run bench`: every benchmark of issues 6 and 18, each figure next to a baseline measured in
// the same run, in an isolated HOME/XDG sandbox with its own moto_server. Prints the tables, writes
// everything to bench/results/latest.json (not committed) and, after a complete run, the results
// block of docs/performance.md and bench/results/summary.json. See that page.
//
//   npm run bench [-- --only endpoint,cold,scale,footprint,memory,cli,aws --quick --no-docs --no-pin --cpu-prof
//                     --daemon-node-args="FLAGS"|none
//                     --connections 1,16,64 --duration 3 --rounds 5 --warmup 2 --settle 1 --quiet-wait 5 --quiet-budget 20
//                     --fresh-duration 5 --fresh-connections 8 --fresh-requests 1000 --burst 1000
//                     --footprint-load 5 --footprint-start-idle 20 --footprint-idle 40
//                     --scale-profiles 5000 --scale-runs 3 --memory-profiles 500 --cli-runs 15 --aws-runs 5 --out FILE]
import { spawnSync } from 'node:child_process';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { measureAwsCli } from './lib/aws-cli.js';
import { sameSizeBody, sameSizeImdsBody, startBare } from './lib/bare.js';
import { measureCliLatency } from './lib/cli-latency.js';
import { measureColdBurst } from './lib/cold-burst.js';
import { measureConfigScale } from './lib/config-scale.js';
import { bulkProfileNames, creddCli, makeSandbox, startCredd } from './lib/credd-fixture.js';
import { writeResults } from './lib/docs.js';
import { measureEndpoints } from './lib/endpoint.js';
import { measureFootprint } from './lib/footprint.js';
import { request } from './lib/load.js';
import { describeMachine } from './lib/machine.js';
import { backgroundBusy } from './lib/measure.js';
import { pause, startProfilesInUse } from './lib/memory.js';
import { hasCommand } from './lib/processes.js';
import { summaryOf, toMarkdown } from './lib/report.js';
import { median } from './lib/stats.js';
import { startStsProxy } from './lib/sts-proxy.js';
import { startMoto } from '../build/test-helpers/moto.js';
import { DAEMON_NODE_FLAGS } from '../dist/daemon/node-flags.js';

const started = performance.now();
const here = dirname(fileURLToPath(import.meta.url));
const SCENARIOS = ['endpoint', 'cold', 'scale', 'footprint', 'memory', 'cli', 'aws'];
const { values: args } = parseArgs({
  options: {
    only: { type: 'string', default: SCENARIOS.join(',') },
    quick: { type: 'boolean', default: false },
    'no-docs': { type: 'boolean', default: false },
    'no-pin': { type: 'boolean', default: false },
    'cpu-prof': { type: 'boolean', default: false },
    connections: { type: 'string', default: '1,16,64' },
    duration: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '2' },
    settle: { type: 'string', default: '1' },
    'quiet-wait': { type: 'string', default: '5' },
    'quiet-budget': { type: 'string', default: '20' },
    'fresh-duration': { type: 'string', default: '5' },
    'fresh-connections': { type: 'string', default: '8' },
    'fresh-requests': { type: 'string', default: '1000' },
    burst: { type: 'string', default: '1000' },
    'scale-profiles': { type: 'string', default: '5000' },
    'scale-runs': { type: 'string', default: '3' },
    'memory-profiles': { type: 'string', default: '500' },
    'footprint-load': { type: 'string', default: '5' },
    'footprint-start-idle': { type: 'string', default: '20' },
    'footprint-idle': { type: 'string', default: '40' },
    // Default: the flags `credd start` and the service units give the daemon; `none` for none.
    'daemon-node-args': { type: 'string' },
    'cli-runs': { type: 'string', default: '15' },
    'aws-runs': { type: 'string', default: '5' },
    out: { type: 'string', default: join(here, 'results', 'latest.json') },
  },
});
const num = (k) => Number(args[k]);
// --quick: a smoke run of every scenario in about a minute, for working on the bench itself.
const q = (k, quick) => (args.quick ? quick : num(k));
const only = new Set(args.only.split(',').map((s) => s.trim()));
for (const s of only) if (!SCENARIOS.includes(s)) throw new Error(`--only: unknown scenario "${s}" (${SCENARIOS.join(', ')})`);
const complete = only.size === SCENARIOS.length && !args.quick;
// Two cores: the load generator competes with the server for CPU unless each has its own.
const pin = !args['no-pin'] && hasCommand('taskset') && os.cpus().length >= 2;
const SERVER_CORE = 0;
const LOAD_CORE = 1;
const PROFILE = 'dev';
// A profile nothing else asks for (the AWS CLI scenario uses all four of the spec's).
const COLD_PROFILE = bulkProfileNames(1)[0];
/** The shortest idle window over which the daemon with many profiles is sampled (see idleRss in lib/footprint.js). */
const MIN_IDLE_MS = 30000;
const IMDS_PATH = `/latest/meta-data/iam/security-credentials/${PROFILE}`;
// The daemon runs as `credd start` and the service units run it: with their node flags.
const daemonNodeArgs =
  args['daemon-node-args'] === undefined
    ? [...DAEMON_NODE_FLAGS]
    : args['daemon-node-args'] === 'none'
      ? []
      : args['daemon-node-args'].split(' ').filter(Boolean);
const say = (m) => process.stderr.write(`bench: [${((performance.now() - started) / 1000).toFixed(0)} s] ${m}\n`);

/** Checks that `url` answers 200 with `type` of `bytes` bytes before any load is trusted. */
async function check(name, url, headers, type, bytes) {
  const r = await request(url, { headers });
  if (r.status !== 200 || !(r.type ?? '').startsWith(type) || Buffer.byteLength(r.body) !== bytes) {
    throw new Error(`${name}: expected 200 ${type} of ${bytes} bytes, got ${r.status} ${r.type} of ${Buffer.byteLength(r.body)} bytes`);
  }
}

/** An IMDSv2 session token from `baseUrl`. */
async function imdsToken(baseUrl) {
  const r = await request(`${baseUrl}/latest/api/token`, { method: 'PUT', headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '21600' } });
  if (r.status !== 200) throw new Error(`PUT /latest/api/token answered ${r.status}: ${r.body}`);
  return r.body;
}

/** Versions of the real tools, for the record. */
function toolVersions() {
  const aws = spawnSync('aws', ['--version'], { encoding: 'utf8' });
  const moto = spawnSync('python3', ['-c', 'import moto; print(moto.__version__)'], { encoding: 'utf8' });
  return { aws: aws.status === 0 ? (aws.stdout || aws.stderr).trim().split(' ')[0] : undefined, moto: moto.status === 0 ? moto.stdout.trim() : undefined };
}

const cleanups = [];
const cleanup = async () => {
  while (cleanups.length)
    await cleanups
      .pop()()
      .catch(() => undefined);
};
for (const sig of ['SIGINT', 'SIGTERM']) process.once(sig, () => void cleanup().then(() => process.exit(130)));

try {
  say(
    `scenarios: ${[...only].join(', ')}${args.quick ? ' (quick)' : ''}; pinning: ${pin ? `servers on core ${SERVER_CORE}, load generator on core ${LOAD_CORE}` : 'none'}`,
  );
  const background = [await backgroundBusy(1000)];
  const moto = await startMoto();
  if (!moto) throw new Error('moto_server not found (pip install "moto[server]")');
  cleanups.push(moto.stop);
  const sts = await startStsProxy(moto.url);
  cleanups.push(sts.stop);
  const sandbox = makeSandbox(sts.url, { extraProfiles: 1 });
  cleanups.push(async () => sandbox.cleanup());
  // The profile is written when the daemon exits (on the SIGTERM of the cleanup).
  const nodeArgs = [...daemonNodeArgs, ...(args['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${join(here, 'results', 'profiles.tmp')}`] : [])];
  const credd = await startCredd(sandbox, { pin, core: SERVER_CORE, nodeArgs });
  cleanups.push(credd.stop);
  // `switch` first: with no active profile, `mfa` would not know which source session to start.
  creddCli(sandbox.env, ['switch', PROFILE]);
  creddCli(sandbox.env, ['mfa', '123456']);
  const first = await request(`${credd.url}/creds`, { headers: { authorization: credd.token } });
  if (first.status !== 200) throw new Error(`credd answered ${first.status} to the first request: ${first.body}`);
  const creddImdsHeaders = { 'x-aws-ec2-metadata-token': await imdsToken(credd.url) };
  const imdsFirst = await request(`${credd.url}${IMDS_PATH}`, { headers: creddImdsHeaders });
  if (imdsFirst.status !== 200) throw new Error(`credd's IMDS answered ${imdsFirst.status}: ${imdsFirst.body}`);
  const bodyBytes = Buffer.byteLength(first.body);
  const imdsBodyBytes = Buffer.byteLength(imdsFirst.body);
  const auth = { authorization: credd.token };
  const results = {};
  if (only.has('scale')) {
    say(`config scale: ${num('scale-profiles')} profiles`);
    results.configScale = measureConfigScale({ count: num('scale-profiles'), runs: q('scale-runs', 1) });
  }
  if (only.has('footprint')) {
    results.footprint = await measureFootprint({
      stsUrl: sts.url,
      count: num('burst'),
      loadSeconds: q('footprint-load', 2),
      startIdleMs: q('footprint-start-idle', 5) * 1000,
      idleMs: q('footprint-idle', 10) * 1000,
      pin,
      core: SERVER_CORE,
      loadCore: LOAD_CORE,
      daemonNodeArgs,
      say,
    });
  }
  // Memory: a daemon with 500 profiles in use, sampled while it idles through the rest of the bench.
  let memory;
  if (only.has('memory')) {
    const inUse = await startProfilesInUse({ stsUrl: sts.url, sts, count: q('memory-profiles', 50), nodeArgs: daemonNodeArgs, say });
    cleanups.push(inUse.stop);
    memory = { inUse, since: performance.now() };
  }

  // The CLI and the AWS CLI before the load: afterwards the kernel's socket table holds thousands of
  // TIME_WAIT sockets for a minute, which credd's peer check reads for every new connection.
  if (only.has('cli')) {
    say('CLI latency');
    results.cli = measureCliLatency({ env: sandbox.env, profile: PROFILE, runs: q('cli-runs', 3) });
  }
  if (only.has('aws')) {
    if (!hasCommand('aws')) throw new Error('aws (AWS CLI) not found: pip install awscli');
    results.awsCli = await measureAwsCli({ sandbox, sts, profile: PROFILE, runs: q('aws-runs', 1), say });
  }

  // The baseline starts only now, just before its load: a node process that idles can slow down
  // for good (docs/performance.md, step 5). bare-server.js guards against that as credd does; this
  // keeps it out of harm's way besides.
  const bare = await startBare({ token: credd.token, body: sameSizeBody(bodyBytes), imdsBody: sameSizeImdsBody(imdsBodyBytes), pin, core: SERVER_CORE });
  cleanups.push(bare.stop);
  const bareImdsHeaders = { 'x-aws-ec2-metadata-token': await imdsToken(bare.url) };
  // Both must answer alike (the AWS CLI scenario renewed credd's credentials meanwhile).
  await check('credd', `${credd.url}/creds`, auth, 'application/json', bodyBytes);
  await check('bare', `${bare.url}/creds`, auth, 'application/json', bodyBytes);
  await check('credd IMDS', `${credd.url}${IMDS_PATH}`, creddImdsHeaders, 'text/plain', imdsBodyBytes);
  await check('bare IMDS', `${bare.url}${IMDS_PATH}`, bareImdsHeaders, 'text/plain', imdsBodyBytes);

  if (only.has('endpoint')) {
    const paths = [
      { key: 'creds', label: '`GET /creds` (token)', path: '/creds', headers: { credd: auth, bare: auth } },
      { key: 'imds', label: 'IMDSv2 credential GET', path: IMDS_PATH, headers: { credd: creddImdsHeaders, bare: bareImdsHeaders } },
    ];
    const method = {
      connectionsList: args.connections.split(',').map(Number),
      duration: q('duration', 1),
      rounds: q('rounds', 2),
      warmup: q('warmup', 1),
      settle: args.quick ? 0 : num('settle'),
      quietWait: num('quiet-wait'),
      quietBudget: q('quiet-budget', 5),
      fresh: { duration: q('fresh-duration', 1), connections: num('fresh-connections'), requests: q('fresh-requests', 200) },
    };
    const e = await measureEndpoints({ servers: { credd, bare }, paths, pin, loadCore: LOAD_CORE, say, ...method });
    background.push(...e.runs.map((x) => x.backgroundBusyPercent));
    const all = [...e.runs, ...e.fresh];
    results.endpoint = {
      ...e,
      clean: all.every((x) => x.non2xx === 0 && x.errors === 0 && x.timeouts === 0),
      method: {
        ...method,
        durationSeconds: method.duration,
        bodyBytes,
        imdsBodyBytes,
        imdsPath: IMDS_PATH,
        freshConnections: method.fresh.connections,
        freshRequests: method.fresh.requests,
        pinned: pin,
        loadGenerator: 'autocannon, in its own process',
      },
    };
  }
  if (only.has('cold')) {
    say(`cold burst: ${num('burst')} concurrent requests for ${COLD_PROFILE}`);
    results.coldBurst = await measureColdBurst({ credd, bare, token: credd.token, profile: COLD_PROFILE, count: num('burst'), sts });
  }
  if (memory) {
    await pause(Math.max(0, MIN_IDLE_MS - (performance.now() - memory.since)));
    results.memory = { inUse: await memory.inUse.finish(), reference: results.footprint?.afterUse.credd.minBytes };
  }

  const report = {
    generatedAt: new Date().toISOString(),
    command: complete ? 'npm run bench' : `npm run bench -- ${process.argv.slice(2).join(' ')}`,
    totalSeconds: (performance.now() - started) / 1000,
    machine: describeMachine(join(here, '..')),
    tools: toolVersions(),
    background: { medianPercent: median(background), maxPercent: Math.max(...background) },
    loadAverageAfter: os.loadavg(),
    ...results,
  };
  const markdown = toMarkdown(report);
  mkdirSync(dirname(args.out), { recursive: true });
  writeFileSync(`${args.out}.tmp`, `${JSON.stringify(report, null, 2)}\n`);
  renameSync(`${args.out}.tmp`, args.out);
  process.stdout.write(`${markdown}\n`);
  say(`results written to ${args.out}`);
  // Only a complete run replaces the published numbers (the page and the summary it cites).
  if (complete && !args['no-docs']) {
    writeResults(join(here, '..', 'docs', 'performance.md'), markdown);
    writeFileSync(join(here, 'results', 'summary.json'), `${JSON.stringify(summaryOf(report), null, 2)}\n`);
    say('docs/performance.md and bench/results/summary.json updated');
  }
} catch (err) {
  say(`failed: ${err.stack ?? err.message}`);
  process.exitCode = 1;
} finally {
  await cleanup();
  say(`done in ${((performance.now() - started) / 1000).toFixed(0)} s (the build before it not counted)`);
}
