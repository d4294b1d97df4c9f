/** Finding the owner of a connection's client end in the text of /proc/net/tcp{,6} (pure). */
import t from 'tap';
import { findOwner } from '../../src/http/proc-net-tcp.js';

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
  line(5, '0100007F:9C44', '0100007F:26B7', 1000, '06'), // a closed client of ours, in TIME_WAIT
  '',
].join('\n');

const TCP6 = [
  HEAD4,
  line(0, '00000000000000000000000001000000:9C41', '00000000000000000000000001000000:26B7', 1002), // ::1
  line(1, '0000000000000000FFFF00000100007F:9C42', '0000000000000000FFFF00000100007F:26B7', 1003), // v4-mapped
].join('\n');

t.test('findOwner finds the client end of our accepted socket, not our own accepted end', async (t) => {
  const self = { localAddress: '127.0.0.1', localPort: 9911 };
  t.equal(findOwner(TCP, { ...self, remoteAddress: '127.0.0.1', remotePort: 40000 }, 'tcp'), 1001, 'not our own accepted end (uid 1000)');
  t.equal(findOwner(TCP, { ...self, remoteAddress: '127.0.0.1', remotePort: 40003 }, 'tcp'), 1000);
  t.equal(findOwner(TCP6, { localAddress: '::1', localPort: 9911, remoteAddress: '::1', remotePort: 40001 }, 'tcp6'), 1002);
  const mapped = { localAddress: '::ffff:127.0.0.1', localPort: 9911, remoteAddress: '::ffff:127.0.0.1', remotePort: 40002 };
  t.equal(findOwner(TCP6, mapped, 'tcp6'), 1003, 'a dual-stack client: v4-mapped in tcp6');
  t.equal(findOwner(TCP6, { ...self, remoteAddress: '127.0.0.1', remotePort: 40002 }, 'tcp6'), 1003, 'the same, as node reports an IPv4 listener');
  t.equal(findOwner(TCP, mapped, 'tcp'), undefined, 'not in tcp');
  t.equal(findOwner(TCP, { ...self, remoteAddress: '127.0.0.1', remotePort: 41000 }, 'tcp'), undefined, 'unknown port');
  t.equal(findOwner(TCP, { ...self, localPort: 9912, remoteAddress: '127.0.0.1', remotePort: 40000 }, 'tcp'), undefined, 'to another server');
  t.equal(findOwner(TCP, { ...self, remoteAddress: undefined, remotePort: 40000 }, 'tcp'), undefined);
  t.equal(findOwner(TCP, { ...self, remoteAddress: '127.0.0.1', remotePort: undefined }, 'tcp'), undefined);
  t.equal(findOwner(TCP, { localAddress: '::1', localPort: 9911, remoteAddress: '::1', remotePort: 40001 }, 'tcp'), undefined, 'an IPv6 peer has no tcp line');
  t.equal(findOwner('', { ...self, remoteAddress: '127.0.0.1', remotePort: 40000 }, 'tcp'), undefined, 'empty table');
});

t.test('findOwner passes over TIME_WAIT and unparsable lines, reads the last line without a newline', async (t) => {
  const conn = { localAddress: '127.0.0.1', localPort: 9911, remoteAddress: '127.0.0.1', remotePort: 40000 };
  const tw = line(0, '0100007F:9C40', '0100007F:26B7', 0, '06');
  t.equal(findOwner([HEAD4, tw, line(1, '0100007F:9C40', '0100007F:26B7', 1005)].join('\n'), conn, 'tcp'), 1005, 'the live socket, not the TIME_WAIT one');
  t.equal(findOwner([HEAD4, tw].join('\n'), conn, 'tcp'), undefined, 'only a TIME_WAIT line: no owner');
  t.equal(findOwner([HEAD4, '   0: 0100007F:9C40 0100007F:26B7 01'].join('\n'), conn, 'tcp'), undefined, 'a line without uid');
  t.equal(findOwner([HEAD4, '   0: 0100007F:9C40 0100007F:26B7 01 0:0 0:0 0 x1 0'].join('\n'), conn, 'tcp'), undefined, 'a uid that is not a number');
  t.equal(findOwner('   0: 0100007F:9C40 0100007F:26B7 01 00000000:00000000 00:00000000 00000000  7', conn, 'tcp'), 7, 'no trailing newline');
  t.equal(findOwner([HEAD4, line(0, '7F000001:9C40', '7F000001:26B7', 8)].join('\n'), conn, 'tcp', false), 8, 'big-endian hosts print the address as is');
  t.equal(findOwner(TCP, conn, 'tcp', false), undefined, 'and read little-endian text as another address');
});
