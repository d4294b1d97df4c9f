// Child-process plumbing for the bench: optional CPU pinning, waiting, stopping, RSS.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** True when `cmd` is on PATH (like `command -v`). */
export function hasCommand(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/**
 * Spawns `cmd args` pinned to `core` with taskset when `pin` is true. taskset execs the
 * command, so the child's pid is the command's own pid (what /proc/PID/status needs).
 */
export function spawnPinned(pin, core, cmd, args, options) {
  return pin ? spawn('taskset', ['-c', String(core), cmd, ...args], options) : spawn(cmd, args, options);
}

/** Keeps the last `limit` characters a stream writes, for error messages. */
export function tail(stream, limit = 8192) {
  let text = '';
  stream?.setEncoding('utf8');
  stream?.on('data', (c) => (text = (text + c).slice(-limit)));
  return () => text;
}

/**
 * Reads `child`'s stdout as JSON lines and resolves the first line for which `done(line)` is
 * true (by default the first line); rejects if the child exits first or after `timeoutMs`.
 */
export function firstJsonLine(child, what, timeoutMs = 20000, done = () => true) {
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`${what}: no answer within ${timeoutMs} ms`)), timeoutMs);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (c) => {
      buf += c;
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        let obj;
        try {
          obj = JSON.parse(line);
        } catch (err) {
          clearTimeout(timer);
          reject(new Error(`${what}: bad output: ${err.message}`));
          return;
        }
        if (done(obj)) {
          clearTimeout(timer);
          resolve(obj);
          return;
        }
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code} before answering`));
    });
  });
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the child has exited. */
export function stopChild(child, graceMs = 5000) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Resident and peak-resident memory of `pid` in bytes, from /proc/PID/status. */
export function memoryOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rssBytes: kb('VmRSS'), hwmBytes: kb('VmHWM') };
}

/**
 * Polls `check` every 100 ms until it resolves truthy (a throw counts as "not yet"); throws
 * at once when `failed()` names a reason (e.g. the process died), or after `timeoutMs`.
 */
export async function waitUntil(check, what, { timeoutMs = 20000, failed = () => undefined } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const reason = failed();
    if (reason) throw new Error(`${what}: ${reason}`);
    const ok = await Promise.resolve()
      .then(check)
      .catch(() => false);
    if (ok) return ok;
    if (Date.now() > deadline) throw new Error(`${what}: not ready within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A reason string once `child` has exited, for {@link waitUntil}. */
export const exitReason = (child) => () =>
  child.exitCode !== null || child.signalCode !== null ? `exited (${child.exitCode ?? child.signalCode})` : undefined;

let ticksPerSecond;
/** CPU seconds (user + system) `pid` has used so far, from /proc/PID/stat. */
export function cpuSecondsOf(pid) {
  ticksPerSecond ??= Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name start at field 3 (state); utime, stime are 14, 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}

/** Busy and total CPU time of the whole machine, in ticks, from /proc/stat (for "others' load"). */
export function machineTicks() {
  const [, ...nums] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const t = nums.map(Number);
  const idle = t[3] + (t[4] ?? 0); // idle + iowait
  const total = t.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/** Sockets in the kernel's IPv4+IPv6 TCP tables (TIME_WAIT included): credd's peer check reads them all. */
export function tcpSocketCount() {
  let n = 0;
  for (const f of ['/proc/net/tcp', '/proc/net/tcp6']) {
    try {
      n += readFileSync(f, 'utf8')
        .split('\n')
        .filter((l) => l.includes(':')).length;
    } catch {
      // no such table
    }
  }
  return n;
}
