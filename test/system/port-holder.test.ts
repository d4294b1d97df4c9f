import t from 'tap';
import { createServer } from 'node:net';
import { describeUid } from '../../src/system/user-name.js';
import { describeListener, foreignListener, parseListeners, pidOfSocket, portListeners } from '../../src/system/port-holder.js';

const HEAD = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
const line = (local: string, st: string, uid: number, inode: number) =>
  `   0: ${local} 00000000:0000 ${st} 00000000:00000000 00:00000000 00000000 ${uid}        0 ${inode} 1 0000 100 0 0 10 0\n`;

t.test('parseListeners: LISTEN sockets that take 127.0.0.1:PORT, nothing else', async (t) => {
  const text =
    HEAD +
    line('0100007F:26AF', '0A', 65534, 11) +
    line('00000000:26AF', '0A', 1000, 12) +
    line('0200007F:26AF', '0A', 7, 13) +
    line('0100007F:26AF', '01', 5, 14) +
    line('0100007F:26B0', '0A', 6, 15);
  t.same(parseListeners(text, 9903), [
    { uid: 65534, inode: 11 },
    { uid: 1000, inode: 12 },
  ]);
  const v6 =
    HEAD +
    line('00000000000000000000000000000000:26AF', '0A', 3, 21) +
    line('0000000000000000FFFF00000100007F:26AF', '0A', 4, 22) +
    line('00000000000000000000000001000000:26AF', '0A', 9, 23);
  t.same(
    parseListeners(v6, 9903),
    [
      { uid: 3, inode: 21 },
      { uid: 4, inode: 22 },
    ],
    '::1 alone does not take 127.0.0.1',
  );
});

t.test('portListeners and pidOfSocket on this host: our own listener, with our pid', async (t) => {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => void server.close());
  const port = (server.address() as { port: number }).port;
  const found = portListeners(port)!;
  t.equal(found.length, 1);
  t.equal(found[0]!.uid, process.getuid!());
  t.equal(found[0]!.pid, process.pid);
  t.equal(foreignListener(port, process.getuid!()), undefined, 'ours is not foreign');
  t.match(foreignListener(port, 4242), { uid: process.getuid!(), pid: process.pid });
  t.equal(pidOfSocket(0, t.testdir({})), undefined, 'an empty /proc');
  t.equal(pidOfSocket(1, '/nonexistent'), undefined, 'no /proc at all');
  t.same(portListeners(port, '/nonexistent'), undefined, 'no /proc: nothing can be told');
});

t.test('pidOfSocket passes over processes it cannot look into', async (t) => {
  const proc = t.testdir({ '123': { fd: { '0': t.fixture('symlink', 'socket:[77]') } }, '124': {}, self: {} });
  t.equal(pidOfSocket(77, proc), 123);
  t.equal(pidOfSocket(78, proc), undefined);
});

t.test('describing owners', async (t) => {
  t.equal(describeUid(0), 'root (uid 0)');
  t.equal(describeUid(4_000_000), 'uid 4000000');
  t.equal(describeUid(0, '/nonexistent'), 'uid 0');
  t.equal(describeListener({ uid: 0, inode: 1, pid: 7 }), 'root (uid 0), pid 7');
  t.equal(describeListener({ uid: 0, inode: 1 }), 'root (uid 0)');
});
