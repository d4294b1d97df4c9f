// credd's hot path (`GET /creds/NAME`, cached credentials, valid token) against a bare
// node:http server, both as separate processes, measured in the same run. See docs/performance.md.
//
//   npm run bench [-- --connections 64 --duration 10 --rounds 3 --warmup 5 --quiet-wait 30 --settle 2
//                     --fresh-duration 5 --fresh-connections 8 --fresh-requests 2000 --no-pin --cpu-prof --out FILE]
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { sameSizeBody, startBare } from './lib/bare.js';
import { creddCli, makeSandbox, startCredd } from './lib/credd-fixture.js';
import { get, runLoad } from './lib/load.js';
import { describeMachine } from './lib/machine.js';
import { measureRun, waitQuiet } from './lib/measure.js';
import { startMoto } from './lib/moto.js';
import { hasCommand, memoryOf } from './lib/processes.js';
import { buildReport, toMarkdown } from './lib/report.js';

const here = dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: {
    connections: { type: 'string', default: '64' },
    duration: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '5' },
    'quiet-wait': { type: 'string', default: '30' },
    settle: { type: 'string', default: '2' },
    'fresh-duration': { type: 'string', default: '5' },
    'fresh-connections': { type: 'string', default: '8' },
    'fresh-requests': { type: 'string', default: '2000' },
    'no-pin': { type: 'boolean', default: false },
    'cpu-prof': { type: 'boolean', default: false },
    out: { type: 'string', default: join(here, 'results', 'latest.json') },
  },
});
const [connections, duration, rounds, warmup, quietWait, settle, freshDuration, freshConnections, freshRequests] =
  ['connections', 'duration', 'rounds', 'warmup', 'quiet-wait', 'settle', 'fresh-duration', 'fresh-connections', 'fresh-requests'].map((k) => Number(args[k]));
// Two cores: the load generator competes with the server for CPU unless each has its own.
const pin = !args['no-pin'] && hasCommand('taskset') && os.cpus().length >= 2;
const SERVER_CORE = 0;
const LOAD_CORE = 1;
const PROFILE = 'dev';
const say = (m) => process.stderr.write(`bench: ${m}\n`);

/** Checks that `url` answers 200 with JSON of `bytes` bytes before any load is trusted. */
async function check(name, url, token, bytes) {
  const r = await get(url, token);
  if (r.status !== 200 || !/^application\/json\b/.test(r.type ?? '') || Buffer.byteLength(r.body) !== bytes) {
    throw new Error(`${name}: expected 200 application/json of ${bytes} bytes, got ${r.status} ${r.type} of ${Buffer.byteLength(r.body)} bytes`);
  }
}

const cleanups = [];
const cleanup = async () => {
  while (cleanups.length) await cleanups.pop()().catch(() => undefined);
};
for (const sig of ['SIGINT', 'SIGTERM']) process.once(sig, () => void cleanup().then(() => process.exit(130)));

try {
  say(`pinning: ${pin ? `servers on core ${SERVER_CORE}, load generator on core ${LOAD_CORE} (taskset)` : 'none'}`);
  const moto = await startMoto();
  cleanups.push(moto.stop);
  const sandbox = makeSandbox(moto.url);
  cleanups.push(async () => sandbox.cleanup());
  // The profile is written when the daemon exits (on the SIGTERM of the cleanup).
  const nodeArgs = args['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${join(here, 'results', 'profiles.tmp')}`] : [];
  const credd = await startCredd(sandbox, { pin, core: SERVER_CORE, nodeArgs });
  cleanups.push(credd.stop);
  // `switch` first: with no active profile, `mfa` would not know which source session to start.
  creddCli(sandbox.env, ['switch', PROFILE]);
  creddCli(sandbox.env, ['mfa', '123456']);
  const creddUrl = `${credd.url}/creds/${PROFILE}`;
  const first = await get(creddUrl, credd.token);
  if (first.status !== 200) throw new Error(`credd answered ${first.status} to the first request: ${first.body}`);
  const bytes = Buffer.byteLength(first.body);
  const bare = await startBare({ token: credd.token, body: sameSizeBody(bytes), pin, core: SERVER_CORE });
  cleanups.push(bare.stop);
  const bareUrl = `${bare.url}/creds/${PROFILE}`;
  await check('credd', creddUrl, credd.token, bytes);
  await check('bare', bareUrl, credd.token, bytes);

  const servers = { credd: { url: creddUrl, pid: credd.pid }, bare: { url: bareUrl, pid: bare.pid } };
  const idleRss = { credd: memoryOf(credd.pid).rssBytes, bare: memoryOf(bare.pid).rssBytes };
  const common = { token: credd.token, connections, pin, core: LOAD_CORE };
  for (const name of ['credd', 'bare']) {
    say(`warm-up ${name} (${warmup} s)`);
    await runLoad({ ...common, url: servers[name].url, duration: warmup });
  }
  const measure = async (name, extra, label) => {
    const quiet = await waitQuiet(quietWait);
    if (quiet.backgroundBusyPercent > 25) say(`warning: other processes keep the machine ${quiet.backgroundBusyPercent} % busy; numbers will be noisy`);
    if (quiet.tcpSockets > 1000) say(`warning: ${quiet.tcpSockets} sockets in /proc/net/tcp*; credd's per-connection peer check reads them all`);
    say(`${label}: ${name} (${extra.connections ?? connections} connections, ${extra.duration} s${extra.fresh ? ', new connection per request' : ''})`);
    return { server: name, ...quiet, ...(await measureRun({ ...common, ...extra, server: servers[name] })) };
  };
  const runs = [];
  for (let round = 1; round <= rounds; round++) {
    // Alternate who goes first, so drift (other tenants, heap growth) does not favour one side.
    for (const name of round % 2 ? ['credd', 'bare'] : ['bare', 'credd']) {
      runs.push({ round, ...(await measure(name, { duration, settleSeconds: settle }, `round ${round}/${rounds}`)) });
    }
  }
  const fresh = [];
  // Last, and capped at freshRequests: every connection leaves a TIME_WAIT socket behind for 60 s,
  // and credd's peer check reads the whole socket table per connection (other suites on this
  // machine, and the next bench, would pay for them).
  if (freshDuration > 0) {
    for (const name of ['credd', 'bare']) {
      fresh.push(await measure(name, { duration: freshDuration, connections: freshConnections, maxRequests: freshRequests, fresh: true }, 'fresh connections'));
    }
  }
  const report = buildReport({
    runs,
    fresh,
    meta: {
      generatedAt: new Date().toISOString(), machine: describeMachine(join(here, '..')), loadAverageAfter: os.loadavg(), bodyBytes: bytes, idleRss,
      method: { path: `/creds/${PROFILE}`, connections, durationSeconds: duration, rounds, warmupSeconds: warmup, quietWaitSeconds: quietWait, settleSeconds: settle,
        freshConnectionSeconds: freshDuration, freshConnections, freshRequests, pinned: pin, serverCore: pin ? SERVER_CORE : null, loadCore: pin ? LOAD_CORE : null,
        loadGenerator: 'autocannon, in its own process' },
    },
  });
  mkdirSync(dirname(args.out), { recursive: true });
  writeFileSync(`${args.out}.tmp`, JSON.stringify(report, null, 2) + '\n');
  renameSync(`${args.out}.tmp`, args.out);
  process.stdout.write(toMarkdown(report) + '\n');
  say(`results written to ${args.out}`);
} catch (err) {
  say(`failed: ${err.message}`);
  process.exitCode = 1;
} finally {
  await cleanup();
}
