/**
 * Test helper: run a real `moto_server` (the AWS mock from the Python `moto`
 * package) for integration tests, and decide what a test does when it is
 * missing.
 *
 * moto is a Python tool, not an npm package, so it may legitimately be absent
 * on a developer machine. Tests then skip — except in CI (`CI=true`), where a
 * missing moto is a broken environment and must fail loudly instead of
 * turning the integration suite into a silent no-op.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants as fsConstants, statSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import type { Test } from 'tap';

/** A running moto_server. */
export interface Moto {
  /** Base URL, e.g. `http://127.0.0.1:40123`. */
  url: string;
  port: number;
  /** Stop the server and wait until it has exited. Safe to call twice. */
  stop(): Promise<void>;
}

/** Install hints printed when a required external command is missing. */
const INSTALL_HINTS: Record<string, string> = {
  moto_server: 'pip install "moto[server]"',
};

const READY_TIMEOUT_MS = 20_000;
const POLL_INTERVAL_MS = 100;
/** How often to retry when the port we picked was taken before moto bound it. */
const PORT_ATTEMPTS = 3;

/**
 * Synchronous lookup of `cmd` on `PATH`, like `command -v`.
 * A `cmd` containing a path separator is checked as a path.
 */
export function hasCommand(cmd: string): boolean {
  if (cmd === '') return false;
  if (cmd.includes('/') || cmd.includes(path.sep)) return isExecutable(cmd);
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  // Windows finds `foo` as `foo.exe` etc.; elsewhere the name is exact.
  const exts = process.platform === 'win32' ? ['', ...(process.env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';')] : [''];
  return dirs.some((dir) => exts.some((ext) => isExecutable(path.join(dir, cmd + ext))));
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, fsConstants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * Gate a test on an external dependency.
 *
 * Returns true when `available`. Otherwise: outside CI, records a skip with
 * `SKIP: <what> not found (<install hint>)` and returns false; with
 * `CI=true`, fails the test with the same message (CI must never skip
 * silently) and returns false. Either way the caller should stop on false.
 *
 * @param what  name of the missing part, e.g. `'moto_server'`
 * @param hint  how to install it; defaults to a known hint for `what`
 */
export function requireOrSkip(t: Test, what: string, available: boolean, hint: string | undefined = INSTALL_HINTS[what]): boolean {
  if (available) return true;
  const reason = `${what} not found${hint ? ` (${hint})` : ''}`;
  if (process.env.CI === 'true') {
    t.fail(`${reason}; CI=true, so this is a failure, not a skip`);
    return false;
  }
  t.comment(`SKIP: ${reason}`);
  // A skipped subtest makes the skip show in tap's summary counts, where a
  // comment alone would be easy to miss.
  void t.skip(`SKIP: ${reason}`, () => {});
  return false;
}

/**
 * Start `moto_server -H 127.0.0.1 -p PORT` on a free port and wait (up to
 * ~20 s) until it answers HTTP.
 *
 * Resolves to null when the `moto_server` executable is not on PATH; rejects
 * if it is there but does not come up (the error includes its stderr).
 *
 * The server is killed when this process exits, even abnormally: see
 * {@link WATCHDOG}. A forgotten `stop()` therefore does not keep the test
 * process alive or leak a server.
 */
export async function startMoto(): Promise<Moto | null> {
  if (!hasCommand('moto_server')) return null;
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
    const port = await freePort();
    try {
      return await launch(port);
    } catch (err) {
      lastError = err as Error;
      // Another process grabbed the port between our probe and moto's bind:
      // pick another. Any other failure is real.
      if (!/address already in use/i.test(lastError.message)) throw lastError;
    }
  }
  throw lastError;
}

/** Ask the OS for a free port by binding port 0, then release it. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * A tiny Node program that runs moto_server as its child and kills it when
 * its own stdin closes or it gets a termination signal.
 *
 * Why not spawn moto directly: a process 'exit' handler does not run when the
 * test process is SIGKILLed, which is exactly what tap does to a test that
 * times out. The watchdog's stdin is a pipe from the test process, and the OS
 * closes that pipe however the test process dies, so moto never outlives it.
 */
const WATCHDOG = `
const { spawn } = require('node:child_process');
const [cmd, ...args] = process.argv.slice(1);
const child = spawn(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'] });
let stopping = false;
function stop() {
  if (stopping) return;
  stopping = true;
  child.kill('SIGTERM');
  setTimeout(() => child.kill('SIGKILL'), 3000).unref();
}
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.on('error', stop);
process.stdin.resume();
for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(sig, stop);
child.on('error', (err) => { console.error(String(err)); process.exit(127); });
child.on('exit', (code) => process.exit(code ?? 0));
`;

async function launch(port: number): Promise<Moto> {
  const proc = spawn(process.execPath, ['-e', WATCHDOG, 'moto_server', '-H', '127.0.0.1', '-p', String(port)], { stdio: ['pipe', 'ignore', 'pipe'] });
  // Keep the last few KB of stderr for error messages; moto logs each request
  // there, so an unbounded buffer would grow for the whole test run.
  let stderr = '';
  proc.stderr?.setEncoding('utf8');
  proc.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-8192);
  });
  let exited = false;
  const exitedPromise = new Promise<void>((resolve) => {
    proc.once('exit', () => {
      exited = true;
      resolve();
    });
  });
  // Normal exits (including process.exit() and uncaught exceptions) run this
  // synchronously; the watchdog covers the cases where it cannot run.
  const onExit = (): void => {
    proc.kill('SIGTERM');
  };
  process.on('exit', onExit);

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      process.off('exit', onExit);
      if (!exited) {
        proc.stdin?.end(); // the watchdog stops moto and then exits itself
        const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
        await exitedPromise;
        clearTimeout(timer);
      }
    })();
    return stopped;
  };

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!(await answers(url))) {
    if (exited || Date.now() > deadline) {
      await stop();
      const why = exited ? 'exited before answering' : `did not answer within ${READY_TIMEOUT_MS} ms`;
      throw new Error(`moto_server on port ${port} ${why}; stderr:\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, POLL_INTERVAL_MS));
  }
  // From here on the handles must not keep the test process alive on their
  // own; the 'exit' handler and the watchdog take care of the server.
  proc.unref();
  for (const stream of [proc.stdin, proc.stderr]) (stream as net.Socket | null)?.unref();
  return { url, port, stop };
}

/** True when something answers an HTTP GET at `url` (any status). */
function answers(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false, timeout: 1000 }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(false));
  });
}
