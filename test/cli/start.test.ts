import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { run } from '../../src/cli/run.js';
import { fakeCliContext } from '../helpers/cli-context.js';

/**
 * Stands in for `credd daemon`: checks it got the `daemon` verb, listens on the socket
 * the test names, records its pid, and ends itself after a while in any case.
 */
const FAKE_DAEMON = `
const net = require('node:net');
const fs = require('node:fs');
if (process.argv[2] !== 'daemon') { console.error('wrong verb', process.argv[2]); process.exit(5); }
if (process.env.FAKE_FAIL) { console.error('fake daemon: cannot start'); process.exit(1); }
fs.writeFileSync(process.env.FAKE_PID_FILE, String(process.pid));
console.error('fake daemon: listening');
fs.mkdirSync(require('node:path').dirname(process.env.FAKE_SOCKET), { recursive: true });
net.createServer((s) => s.destroy()).listen(process.env.FAKE_SOCKET);
setTimeout(() => process.exit(0), 60000);
`;

function setup(t: Test, extraEnv: Record<string, string> = {}) {
  // Short: a Unix socket path must stay under ~104 bytes.
  const root = mkdtempSync(join(tmpdir(), 'credd-start-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  writeFileSync(join(root, 'fake-daemon.cjs'), FAKE_DAEMON);
  const pidFile = join(root, 'daemon.pid');
  const env = {
    HOME: join(root, 'home'),
    XDG_RUNTIME_DIR: join(root, 'run'),
    XDG_STATE_HOME: join(root, 'state'),
    XDG_CONFIG_HOME: join(root, 'config'),
    FAKE_PID_FILE: pidFile,
    ...extraEnv,
  };
  const cli = fakeCliContext({ root, env, execPath: process.execPath, scriptPath: join(root, 'fake-daemon.cjs') });
  cli.ctx.env.FAKE_SOCKET = cli.ctx.paths.socket;
  t.teardown(() => {
    try {
      process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL');
    } catch {
      // never started, or already gone
    }
  });
  return { cli, root, pidFile };
}

t.test('starts a detached daemon and waits until it answers', async (t) => {
  const { cli, pidFile } = setup(t);
  cli.ctx.client.get = async () => ({ endpoint: 'http://127.0.0.1:9911', pid: Number(readFileSync(pidFile, 'utf8')) }) as never;
  t.equal(await run(cli.ctx, ['start']), 0);
  const pid = Number(readFileSync(pidFile, 'utf8'));
  const log = join(cli.ctx.paths.stateDir, 'credd.log');
  t.equal(cli.stdout(), `credd started (pid ${pid}) at http://127.0.0.1:9911; log: ${log}\n`);
  t.equal(statSync(cli.ctx.paths.stateDir).mode & 0o777, 0o700);
  t.equal(statSync(log).mode & 0o777, 0o600);
  // The daemon's stderr goes to the log; wait for the line (it may lag the socket).
  for (let i = 0; i < 50 && !readFileSync(log, 'utf8').includes('listening'); i++) await new Promise((r) => setTimeout(r, 100));
  t.match(readFileSync(log, 'utf8'), 'fake daemon: listening');
});

t.test('already running: says where, starts nothing', async (t) => {
  const { cli, pidFile } = setup(t);
  const server = net.createServer((s) => s.destroy());
  mkdirSync(cli.ctx.paths.runtimeDir, { recursive: true });
  await new Promise<void>((r) => server.listen(cli.ctx.paths.socket, r));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  const routes: string[] = [];
  cli.ctx.client.get = async (path: string, ..._args: unknown[]) => {
    routes.push(path);
    return { endpoint: 'http://127.0.0.1:4000' } as never;
  };
  t.equal(await run(cli.ctx, ['start']), 0);
  t.equal(cli.stdout(), 'credd is already running at http://127.0.0.1:4000\n');
  t.same(routes, ['/status']);
  t.throws(() => readFileSync(pidFile), { code: 'ENOENT' }, 'no daemon spawned');
});

t.test('a daemon that exits at once: exit 3 pointing at the log', async (t) => {
  const { cli } = setup(t, { FAKE_FAIL: '1' });
  t.equal(await run(cli.ctx, ['start']), 3);
  const log = join(cli.ctx.paths.stateDir, 'credd.log');
  t.equal(cli.stderr(), `credd: credd did not start: see ${log}.\n`);
  t.match(readFileSync(log, 'utf8'), 'fake daemon: cannot start');
});

t.test('arguments are refused', async (t) => {
  t.equal(await run(fakeCliContext().ctx, ['start', 'now']), 2);
});
