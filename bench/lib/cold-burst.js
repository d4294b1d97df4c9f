// Cold burst: many clients ask at once for a profile whose credentials credd does not hold yet.
// credd must make one STS call for all of them (single flight) and answer every client.
import http from 'node:http';
import { cpuSecondsOf } from './processes.js';
import { countByAction } from './sts-proxy.js';
import { fmt, percentile } from './stats.js';

/** SDK-like retries of a 503 (credd's StsUnavailable when STS is slow): a few, with growing pauses. */
const RETRY_DELAYS_MS = [100, 200, 400];

/** One GET on its own connection from `localAddress`; resolves `{ status, ms }` (ms since `t0`), status 0 for a network error. */
function timedGet(url, token, t0, localAddress) {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false, localAddress, timeout: 30000, headers: { authorization: token } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, ms: performance.now() - t0 }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err) => resolve({ status: 0, error: err.code ?? err.message, ms: performance.now() - t0 }));
  });
}

/** One client: asks, and retries a 503 like an SDK would. Resolves its final answer and its attempts. */
async function client(url, token, t0, localAddress) {
  const attempts = [];
  for (let i = 0; ; i++) {
    const answer = await timedGet(url, token, t0, localAddress);
    attempts.push(answer.status);
    if (answer.status !== 503 || i === RETRY_DELAYS_MS.length) return { ...answer, attempts };
    await new Promise((r) => setTimeout(r, RETRY_DELAYS_MS[i]));
  }
}

/**
 * `count` clients at once against `url`, each on its own connection from `localAddress`; their
 * answers summarised. Each burst comes from a loopback address of its own: the 1,000 connections
 * of the burst before leave TIME_WAIT sockets, and a new SYN that lands on one of them is
 * answered with an ACK instead of a SYN-ACK, then retried after 1 s; reusing the address would
 * make the second burst measure that.
 */
export async function burst(url, token, count, localAddress, pid) {
  const cpu0 = cpuSecondsOf(pid);
  const t0 = performance.now();
  const answers = await Promise.all(Array.from({ length: count }, () => client(url, token, t0, localAddress)));
  const allAnsweredMs = performance.now() - t0;
  // The server's CPU (user + system) for the burst: credd's per-connection peer check reads the
  // kernel's socket table, which the TIME_WAIT sockets of earlier bursts make longer.
  const serverCpuMs = (cpuSecondsOf(pid) - cpu0) * 1000;
  const finalStatuses = {};
  for (const a of answers) finalStatuses[a.status] = (finalStatuses[a.status] ?? 0) + 1;
  const times = answers.map((a) => a.ms);
  return {
    allAnsweredMs,
    serverCpuMs,
    p50Ms: percentile(times, 50),
    p99Ms: percentile(times, 99),
    // A SYN dropped from a full listen backlog (node's default: 511) is sent again after 1 s.
    over1s: times.filter((t) => t > 1000).length,
    firstAttempt503: answers.filter((a) => a.attempts[0] === 503).length,
    retries: answers.reduce((n, a) => n + a.attempts.length - 1, 0),
    finalStatuses,
    allOk: finalStatuses[200] === count,
    errors: [...new Set(answers.filter((a) => a.error).map((a) => a.error))],
  };
}

/**
 * Sends `count` concurrent `GET /creds/NAME` for `profile`, which must have no credentials yet,
 * and counts the STS calls `sts` saw meanwhile. Then, as baselines of the same run, the same
 * burst again (credd now answers from memory: what is left is the cost of 1,000 new
 * connections) and against the bare server.
 */
export async function measureColdBurst({ credd, bare: bareServer, token, profile, count, sts }) {
  const before = (await sts.calls()).length;
  const cold = await burst(`${credd.url}/creds/${profile}`, token, count, '127.0.0.2', credd.pid);
  const stsCalls = (await sts.calls()).slice(before);
  const warm = await burst(`${credd.url}/creds/${profile}`, token, count, '127.0.0.3', credd.pid);
  const bare = await burst(`${bareServer.url}/creds/${profile}`, token, count, '127.0.0.4', bareServer.pid);
  return { profile, requests: count, cold, warm, bare, stsCalls: stsCalls.length, stsCallsByAction: countByAction(stsCalls) };
}

/** The cold-burst table. */
export function coldBurstMarkdown(r) {
  const statuses = (b) =>
    Object.entries(b.finalStatuses)
      .map(([s, n]) => `${n} × ${s === '0' ? 'network error' : s}`)
      .join(', ') + (b.errors.length ? ` (${b.errors.join(', ')})` : '');
  const byAction =
    Object.entries(r.stsCallsByAction)
      .map(([a, n]) => `${n} ${a}`)
      .join(', ') || 'none';
  const row = (label, b) =>
    `| ${label} | ${fmt(b.allAnsweredMs, 0)} | ${fmt(b.p50Ms, 0)} | ${fmt(b.p99Ms, 0)} | ${b.over1s} | ${fmt(b.serverCpuMs, 0)} | ${b.firstAttempt503} (${b.retries} retries) | ${statuses(b)} |`;
  return [
    `STS calls made for ${r.requests} concurrent requests for \`${r.profile}\` (no credentials yet): **${r.stsCalls}** (${byAction}); ` +
      `target exactly 1: ${r.stsCalls === 1 ? 'met' : '**missed**'}. Every answer 200 in the end: ${r.cold.allOk ? 'yes' : '**no**'}.`,
    '',
    `| ${r.requests} concurrent requests, a new connection each | all answered after (ms) | p50 (ms) | p99 (ms) | answered after > 1 s | server CPU (ms) | first answer 503, retried after 100/200/400 ms | final answers |`,
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    row('credd, cold: one AssumeRole through the counting proxy to moto', r.cold),
    row('credd, warm: the same profile, now cached (baseline)', r.warm),
    row('bare node:http (baseline)', r.bare),
    '',
    'Each burst comes from a loopback address of its own (127.0.0.2, .3, .4), so none lands on the TIME_WAIT sockets of the one before. ' +
      "Answers after more than 1 s are, for both servers alike, connections whose first SYN found the listen backlog (511, node's default) " +
      'full and was sent again a second later: 1,000 connections opened in the same instant measure the kernel as much as the server.',
  ].join('\n');
}
