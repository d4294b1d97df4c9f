import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { run } from '../../src/cli/run.js';
import { CreddError } from '../../src/errors.js';
import { fakeCliContext } from '../helpers/cli-context.js';

/** Something listening on the control socket, as a daemon would. */
async function listen(t: Test, path: string) {
  const server = net.createServer((s) => s.destroy());
  await new Promise<void>((r) => server.listen(path, r));
  const close = () => new Promise<void>((r) => (server.listening ? server.close(() => r()) : r()));
  t.teardown(close);
  return close;
}

t.test('asks the daemon to stop and waits until its socket is gone', async (t) => {
  // Short: a Unix socket path must stay under ~104 bytes.
  const root = mkdtempSync(join(tmpdir(), 'credd-stop-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const cli = fakeCliContext({ root });
  mkdirSync(cli.ctx.paths.runtimeDir, { recursive: true });
  const close = await listen(t, cli.ctx.paths.socket);
  let closed = false;
  // The daemon answers first and goes away a little later.
  cli.ctx.client.post = async () => {
    setTimeout(() => void close().then(() => (closed = true)), 150);
    return { ok: true } as never;
  };
  t.equal(await run(cli.ctx, ['stop']), 0);
  t.equal(closed, true, 'returned only after the socket closed');
  t.equal(cli.stdout(), 'credd stopped\n');
});

t.test('not running: says so, exit 0', async (t) => {
  const cli = fakeCliContext();
  t.equal(await run(cli.ctx, ['stop']), 0);
  t.equal(cli.stdout(), 'credd is not running\n');
  t.same(cli.calls, [{ method: 'POST', path: '/stop', body: {} }]);
});

t.test('other errors: reported', async (t) => {
  const cli = fakeCliContext({
    routes: {
      'POST /stop': () => {
        throw new CreddError('InternalError', 'nope', 500);
      },
    },
  });
  t.equal(await run(cli.ctx, ['stop']), 1);
  t.equal(cli.stderr(), 'credd: nope\n');
  t.equal(await run(fakeCliContext().ctx, ['stop', 'now']), 2);
});
