import t from 'tap';
import { createServer } from 'node:net';
import { portOf, refuseSquattedPort, squatterOf } from '../../src/cli/port-guard.js';
import { warmQuietly } from '../../src/cli/warm-report.js';
import { diagnose } from '../../src/cli/doctor/diagnose.js';
import { fakeCliContext } from '../helpers/cli-context.js';

t.test('portOf reads only the literal loopback URL credd env hands out', async (t) => {
  t.equal(portOf('http://127.0.0.1:9911'), 9911);
  t.equal(portOf('http://127.0.0.1:9911/creds/dev'), 9911);
  t.equal(portOf('http://localhost:9911/'), undefined);
  t.equal(portOf(''), undefined);
});

t.test('another uid on the port is named and refused; ours, none, or no /proc pass', async (t) => {
  const me = { uid: 1000 };
  t.equal(
    squatterOf(me, 'http://127.0.0.1:9911', () => [{ uid: 1000, inode: 1 }]),
    undefined,
  );
  t.equal(
    squatterOf(me, 'http://127.0.0.1:9911', () => undefined),
    undefined,
  );
  t.equal(
    squatterOf(me, 'http://127.0.0.1:0', () => [{ uid: 0, inode: 1 }]),
    undefined,
    'port 0: nothing to check',
  );
  t.equal(
    squatterOf(me, 'http://127.0.0.1:9911', () => [{ uid: 0, inode: 1, pid: 42 }]),
    'root (uid 0), pid 42',
  );
  t.throws(() => refuseSquattedPort(me, 'http://127.0.0.1:9911/creds', 'credd env prints nothing.', () => [{ uid: 65534, inode: 1 }]), {
    code: 'PortSquatted',
    message: /^127\.0\.0\.1:9911 is held by nobody \(uid 65534\), not by you: credd env prints nothing\. .*ss -ltnp/,
  });
  refuseSquattedPort(me, 'http://127.0.0.1:9911', 'x', () => []);
  // The real /proc: a listener of this process, seen as foreign by another uid.
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => void server.close());
  const port = (server.address() as { port: number }).port;
  t.match(squatterOf({ uid: 4242 }, `http://127.0.0.1:${port}`), new RegExp(`pid ${process.pid}`));
});

t.test('warmQuietly never fails credd env', async (t) => {
  const cli = fakeCliContext();
  await warmQuietly(cli.ctx, 'dev');
  t.same(cli.calls, [{ method: 'POST', path: '/warm', body: { profile: 'dev', waitMs: 0 } }]);
});

t.test('doctor: a squatted port and an unsafe runtime dir are errors that say who and what to do', async (t) => {
  const base = {
    platform: 'linux' as const,
    env: {},
    aws: { configFile: 'c', credentialsFile: 'k', defaultConfigKeys: [], defaultCredentialsKeys: [] },
    now: 0,
  };
  const squat = diagnose({ ...base, portHolder: { address: '127.0.0.1:9911', holder: 'nobody (uid 65534)' } });
  t.match(
    squat.find((f) => f.code === 'PortSquatted'),
    { severity: 'error', message: /127\.0\.0\.1:9911 is held by nobody \(uid 65534\), not by credd/ },
  );
  t.notOk(
    squat.some((f) => f.code === 'DaemonNotRunning'),
    'not "start it"',
  );
  const both = diagnose({ ...base, portHolder: { address: 'a', holder: 'b' }, daemon: { endpoint: 'http://127.0.0.1:9911', activeProfile: 'dev' } });
  t.ok(both.some((f) => f.code === 'PortSquatted'));
  const dir = diagnose({ ...base, runtimeDirError: 'Refusing the runtime directory /tmp/credd-0: it is owned by nobody (uid 65534)' });
  t.match(
    dir.find((f) => f.code === 'UnsafeRuntimeDir'),
    { severity: 'error', message: /owned by nobody/ },
  );
});
