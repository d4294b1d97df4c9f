// One measured load run against one server process, with what the server spent doing it.
import os from 'node:os';
import { runLoad } from './load.js';
import { cpuSecondsOf, machineTicks, memoryOf, tcpSocketCount } from './processes.js';

const cores = os.cpus().length;
const busyPercent = (a, b) => Math.round((100 * cores * (b.busy - a.busy)) / Math.max(1, b.total - a.total));

/** How busy the machine is (in % of one core, up to 100 × cores) over `ms` while we load nothing. */
export async function backgroundBusy(ms = 1000) {
  const a = machineTicks();
  await new Promise((r) => setTimeout(r, ms));
  return busyPercent(a, machineTicks());
}

/**
 * Waits up to `maxSeconds` for other processes (this machine is shared: other test suites) to
 * leave at most `threshold` % busy, and for the TCP table to hold at most `maxSockets` (closed
 * connections linger 60 s in TIME_WAIT, and credd's per-connection peer check reads them all).
 * Resolves the last readings either way.
 */
export async function waitQuiet(maxSeconds, { threshold = 25, maxSockets = 1000, sampleMs = 300 } = {}) {
  const deadline = Date.now() + maxSeconds * 1000;
  let busy = await backgroundBusy(sampleMs);
  while ((busy > threshold || tcpSocketCount() > maxSockets) && Date.now() < deadline) busy = await backgroundBusy(sampleMs);
  return { backgroundBusyPercent: busy, tcpSockets: tcpSocketCount() };
}

/**
 * Loads `server` ({ url, pid }) and returns the load generator's summary plus the server's CPU
 * use, the machine's, and the server's memory read from /proc after the load.
 */
export async function measureRun({ server, settleSeconds = 0, ...load }) {
  const cpuBefore = cpuSecondsOf(server.pid);
  const machineBefore = machineTicks();
  let cpuSettled;
  const onSettled = () => (cpuSettled = cpuSecondsOf(server.pid));
  const result = await runLoad({ url: server.url, settleSeconds, onSettled, ...load });
  const machineBusyPercent = busyPercent(machineBefore, machineTicks());
  const cpuAfter = cpuSecondsOf(server.pid);
  const cpuSeconds = cpuAfter - cpuBefore;
  if (result.steady && cpuSettled !== undefined) {
    // Without the first seconds: connection setup (and credd's per-connection peer lookup) excluded.
    result.steady.cpuMicrosPerRequest = +(((cpuAfter - cpuSettled) * 1e6) / Math.max(1, result.steady.responses)).toFixed(2);
  }
  return {
    ...result,
    // Near 100 % means the server was the bottleneck; well below means something else was
    // (the load generator, or other processes: see machineBusyPercent).
    serverCpuPercent: Math.round((100 * cpuSeconds) / result.durationSeconds),
    // CPU per request moves much less than req/s when other processes steal time.
    cpuMicrosPerRequest: +((cpuSeconds * 1e6) / Math.max(1, result.totalRequests)).toFixed(2),
    machineBusyPercent,
    ...memoryOf(server.pid),
  };
}
