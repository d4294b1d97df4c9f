// Memory with many profiles in use: a daemon whose config holds 500 more role profiles, each
// fetched once (credentials and the fast path's bodies cached for all of them), sampled while it
// idles through the rest of the bench. The footprint after use against the bare server is
// lib/footprint.js.
import http from 'node:http';
import { bulkProfileNames, creddCli, makeSandbox, startCredd } from './credd-fixture.js';
import { cpuSecondsOf, memoryOf } from './processes.js';
import { countByAction } from './sts-proxy.js';
import { fmt, mib } from './stats.js';

export const pause = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Samples the RSS of `pid` every `everyMs` until `stop()`, which returns the lowest, first and
 * last reading (the lowest: see idleRss in footprint.js).
 */
function sampleRss(pid, everyMs = 1000) {
  const t0 = performance.now();
  const xs = [];
  const read = () => {
    try {
      xs.push(memoryOf(pid).rssBytes);
    } catch {
      // exited: keep what was read
    }
  };
  read();
  const timer = setInterval(read, everyMs);
  return () => {
    clearInterval(timer);
    read();
    return { minBytes: Math.min(...xs), firstBytes: xs[0], lastBytes: xs.at(-1), samples: xs.length, seconds: (performance.now() - t0) / 1000 };
  };
}

/** GET `url` on the keep-alive `agent`; resolves the status. */
const getStatus = (url, token, agent) =>
  new Promise((resolve, reject) => {
    const req = http.get(url, { agent, timeout: 30000, headers: { authorization: token } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
  });

/** Fetches every name, `parallel` at a time, retrying a 503 (STS slower than credd's answer deadline) as an SDK would. */
async function fetchAll(baseUrl, token, names, parallel) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: parallel });
  const statuses = {};
  let retries = 0;
  const queue = [...names];
  const worker = async () => {
    for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
      let status = await getStatus(`${baseUrl}/creds/${name}`, token, agent);
      for (let i = 0; status === 503 && i < 5; i++) {
        retries++;
        await pause(200 * (i + 1));
        status = await getStatus(`${baseUrl}/creds/${name}`, token, agent);
      }
      statuses[status] = (statuses[status] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  agent.destroy();
  return { statuses, retries };
}

/**
 * A daemon whose config holds the spec's accounts plus `count` generated role profiles behind
 * the same MFA device: one `credd mfa` opens the source session for all of them, then every
 * generated profile is fetched once, so it holds `count` role credentials. Its RSS is then
 * sampled while it idles, until `finish()`, which stops it and returns `{ result, sample }`.
 */
export async function startProfilesInUse({ stsUrl, sts, count, nodeArgs = [], parallel = 8, say }) {
  const sandbox = makeSandbox(stsUrl, { extraProfiles: count });
  const credd = await startCredd(sandbox, { nodeArgs });
  const stop = async () => {
    await credd.stop();
    sandbox.cleanup();
  };
  try {
    creddCli(sandbox.env, ['switch', 'dev']);
    creddCli(sandbox.env, ['mfa', '123456']);
    const callsBefore = (await sts.calls()).length;
    say(`fetching ${count} profiles from a daemon of their own`);
    const cpuBefore = cpuSecondsOf(credd.pid);
    const t0 = performance.now();
    const fetched = await fetchAll(credd.url, credd.token, bulkProfileNames(count), parallel);
    const fetchMs = performance.now() - t0;
    const stsCalls = countByAction((await sts.calls()).slice(callsBefore));
    // CPU per profile: what one new role costs credd itself, besides STS's own time.
    const creddCpuMsPerProfile = ((cpuSecondsOf(credd.pid) - cpuBefore) * 1000) / count;
    const result = { profiles: count, configProfiles: count + 5, parallel, fetchMs, fetched, stsCalls, creddCpuMsPerProfile };
    const sample = sampleRss(credd.pid);
    return {
      finish: async () => {
        const s = sample();
        await stop();
        return { result, sample: s };
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * The table of the daemon with many profiles in use; `reference`: the footprint's daemon after
 * use (lowest idle RSS, the spec's config), to show what the extra profiles cost.
 */
export function memoryMarkdown({ inUse: { result: x, sample: s }, reference }) {
  const calls = Object.entries(x.stsCalls)
    .map(([a, n]) => `${n} ${a}`)
    .join(', ');
  return [
    '| RSS (MiB) | lowest while idle (first reading) | idle window |',
    '| --- | ---: | ---: |',
    `| a daemon with a config of ${x.configProfiles} profiles, ${x.profiles} of them in use (credentials cached) | ${mib(s.minBytes)} (${mib(s.firstBytes)}) | ${fmt(s.seconds, 0)} s |`,
    '',
    `The ${x.profiles} profiles were fetched ${x.parallel} at a time in ${fmt(x.fetchMs / 1000, 1)} s (${calls}; answers: ` +
      `${Object.entries(x.fetched.statuses)
        .map(([st, n]) => `${n} × ${st}`)
        .join(', ')}, ${x.fetched.retries} retries of a 503), credd using ` +
      `${fmt(x.creddCpuMsPerProfile, 1)} ms of CPU per new profile.` +
      (reference
        ? ` The footprint's daemon after use (spec config) was at ${mib(reference)} MiB: a difference of ${fmt((s.minBytes - reference) / 1048576, 1)} MiB ` +
          `for ${x.profiles} more profiles in the config and in use (differences of a few MiB either way are V8's collection timing).`
        : ''),
  ].join('\n');
}
