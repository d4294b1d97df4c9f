/** Parsing /proc/net/tcp{,6} and finding the owner of a connection's client end (pure). */
import t from 'tap';
import { addressKey, isIPv4Family, isLoopback, ownerOf, parseProcNetTcp } from '../../src/http/proc-net-tcp.js';

const HEAD4 = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode';
const line = (sl: number, local: string, remote: string, uid: number, st = '01') =>
  `   ${sl}: ${local} ${remote} ${st} 00000000:00000000 00:00000000 00000000  ${uid}        0 ${1000 + sl} 1 0000000000000000 20 4 30 10 -1`;

// Port 9911 is 0x26B7; the client ports 40000 (0x9C40), 40001 (0x9C41), 40002 (0x9C42).
const TCP = [
  HEAD4,
  line(0, '0100007F:26B7', '00000000:0000', 1000, '0A'), // our listener
  line(1, '0100007F:9C40', '0100007F:26B7', 1001), // another user's client
  line(2, '0100007F:26B7', '0100007F:9C40', 1000), // our accepted end of it
  line(3, '0100007F:9C43', '0100007F:26B7', 1000), // our own client
  'garbage line',
  line(4, 'ZZZZ:1', '0100007F:26B7', 5),
  '',
].join('\n');

const TCP6 = [
  HEAD4,
  line(0, '00000000000000000000000001000000:9C41', '00000000000000000000000001000000:26B7', 1002), // ::1
  line(1, '0000000000000000FFFF00000100007F:9C42', '0000000000000000FFFF00000100007F:26B7', 1003), // v4-mapped
].join('\n');

t.test('addressKey: one form for every spelling, IPv4 as v4-mapped', async (t) => {
  t.equal(addressKey('127.0.0.1'), '00000000000000000000ffff7f000001');
  t.equal(addressKey('::ffff:127.0.0.1'), addressKey('127.0.0.1'));
  t.equal(addressKey('[::1]'), '00000000000000000000000000000001');
  t.equal(addressKey('0:0:0:0:0:0:0:1'), addressKey('::1'));
  t.equal(addressKey('fe80::1%eth0'), 'fe800000000000000000000000000001');
  t.equal(addressKey('2001:db8::'), '20010db8000000000000000000000000');
  t.equal(addressKey('::'), '0'.repeat(32));
  t.equal(addressKey('localhost'), undefined);
  t.equal(addressKey(undefined), undefined);
  t.equal(addressKey('999.1.1.1'), undefined);
});

t.test('isLoopback', async (t) => {
  for (const a of ['127.0.0.1', '127.255.0.9', '::1', '::ffff:127.0.0.1', '[::1]']) t.ok(isLoopback(a), a);
  for (const a of ['10.0.0.1', '::', '::2', '0.0.0.0', '169.254.170.2', 'localhost', undefined]) t.notOk(isLoopback(a), String(a));
});

t.test('parseProcNetTcp reads little-endian words and skips what does not parse', async (t) => {
  const v4 = parseProcNetTcp(TCP);
  t.equal(v4.length, 4);
  t.same(v4[1], { local: addressKey('127.0.0.1'), localPort: 40000, remote: addressKey('127.0.0.1'), remotePort: 9911, uid: 1001 });
  const v6 = parseProcNetTcp(TCP6);
  t.same(v6.map((e) => [e.local, e.localPort, e.uid]), [[addressKey('::1'), 40001, 1002], [addressKey('127.0.0.1'), 40002, 1003]]);
  const be = parseProcNetTcp([HEAD4, line(0, '7F000001:9C40', '7F000001:26B7', 7)].join('\n'), false);
  t.equal(be[0]?.local, addressKey('127.0.0.1'), 'big-endian hosts print the address as is');
  t.same(parseProcNetTcp(''), []);
  t.same(parseProcNetTcp([HEAD4, '   0: 0100007F:9C40 0100007F:26B7 01'].join('\n')), [], 'a line without uid');
  t.same(parseProcNetTcp([HEAD4, line(0, '0100:9C40', '0100007F:26B7', 1)].join('\n')), [], 'an address of the wrong length');
});

t.test('ownerOf finds the client end of our accepted socket', async (t) => {
  const entries = [...parseProcNetTcp(TCP), ...parseProcNetTcp(TCP6)];
  const self = { localAddress: '127.0.0.1', localPort: 9911 };
  t.equal(ownerOf(entries, { ...self, remoteAddress: '127.0.0.1', remotePort: 40000 }), 1001, 'not our own accepted end (uid 1000)');
  t.equal(ownerOf(entries, { ...self, remoteAddress: '127.0.0.1', remotePort: 40003 }), 1000);
  t.equal(ownerOf(entries, { localAddress: '::1', localPort: 9911, remoteAddress: '::1', remotePort: 40001 }), 1002);
  t.equal(ownerOf(entries, { localAddress: '::ffff:127.0.0.1', localPort: 9911, remoteAddress: '::ffff:127.0.0.1', remotePort: 40002 }), 1003);
  t.equal(ownerOf(entries, { ...self, remoteAddress: '127.0.0.1', remotePort: 41000 }), undefined, 'unknown port');
  t.equal(ownerOf(entries, { ...self, localPort: 9912, remoteAddress: '127.0.0.1', remotePort: 40000 }), undefined, 'to another server');
  t.equal(ownerOf(entries, { ...self, remoteAddress: undefined, remotePort: 40000 }), undefined);
});

t.test('isIPv4Family', async (t) => {
  for (const a of ['127.0.0.1', '::ffff:10.0.0.1', '10.1.2.3']) t.ok(isIPv4Family(a), a);
  for (const a of ['::1', 'fe80::1', 'localhost', undefined]) t.notOk(isIPv4Family(a), String(a));
});
