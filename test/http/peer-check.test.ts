/** The per-connection peer check with an injected /proc reader. */
import t from 'tap';
import { createPeerCheck } from '../../src/http/peer-check.js';

const HEAD = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode';
const entry = (clientPort: number, uid: number) =>
  `   0: 0100007F:${clientPort.toString(16).toUpperCase()} 0100007F:26B7 01 00000000:00000000 00:00000000 00000000  ${uid}        0 1 1 0 20 4 30 10 -1`;

/** A /proc reader serving `tcp` (and an empty tcp6), counting reads. */
function procReader(tcp: string, opts: { tcp6?: 'missing' } = {}) {
  const reader = {
    reads: 0,
    tcp,
    async read(path: string) {
      reader.reads++;
      if (path === '/proc/net/tcp') return reader.tcp;
      if (opts.tcp6 === 'missing') throw Object.assign(new Error('no'), { code: 'ENOENT' });
      return HEAD;
    },
  };
  return reader;
}

const socket = (remotePort: number, remoteAddress = '127.0.0.1') => ({ remoteAddress, remotePort, localAddress: '127.0.0.1', localPort: 9911 });

t.test('our own user is allowed, another user and an unlisted peer are refused', async (t) => {
  const proc = procReader([HEAD, entry(40000, 1000), entry(40001, 0)].join('\n'));
  const peer = createPeerCheck({ uid: 1000, platform: 'linux', readProc: proc.read, littleEndian: true });
  t.same(await peer.verdict(socket(40000)), { allowed: true });
  t.same(await peer.verdict(socket(40001)), { allowed: false, reason: 'other-user', uid: 0 });
  t.same(await peer.verdict(socket(40002)), { allowed: false, reason: 'unknown-peer' });
  t.match(peer.status(), { enabled: true });
});

t.test('one lookup per connection; connections of the same turn share one read', async (t) => {
  const proc = procReader([HEAD, entry(40000, 1000), entry(40001, 1000)].join('\n'), { tcp6: 'missing' });
  const peer = createPeerCheck({ uid: 1000, platform: 'linux', readProc: proc.read });
  const a = socket(40000);
  const b = socket(40001);
  peer.watch(a);
  peer.watch(b);
  t.same(await Promise.all([peer.verdict(a), peer.verdict(b), peer.verdict(a)]), [{ allowed: true }, { allowed: true }, { allowed: true }]);
  t.equal(proc.reads, 1, 'tcp read once for both, and tcp6 not at all: both were found in tcp');
  await peer.verdict(a);
  t.equal(proc.reads, 1, 'a keep-alive request reuses the verdict');
  const c = socket(40001);
  t.same(await peer.verdict(c), { allowed: true });
  t.equal(proc.reads, 2, 'a later connection gets a fresh read');
});

t.test('tcp6 is read for IPv6 peers, and for IPv4 peers not found in tcp (dual-stack clients)', async (t) => {
  const paths: string[] = [];
  const tables: Record<string, string> = {
    '/proc/net/tcp': HEAD,
    '/proc/net/tcp6': [HEAD,
      '   0: 0000000000000000FFFF00000100007F:9C40 0000000000000000FFFF00000100007F:26B7 01 00000000:00000000 00:00000000 00000000  1000 0 1 1 0',
      '   1: 00000000000000000000000001000000:9C41 00000000000000000000000001000000:26B7 01 00000000:00000000 00:00000000 00000000  1000 0 1 1 0'].join('\n'),
  };
  const peer = createPeerCheck({ uid: 1000, platform: 'linux', littleEndian: true, readProc: async (p) => (paths.push(p), tables[p]!) });
  t.same(await peer.verdict(socket(40000)), { allowed: true }, 'a Java-style AF_INET6 client of 127.0.0.1');
  t.same(paths, ['/proc/net/tcp', '/proc/net/tcp6']);
  paths.length = 0;
  t.same(await peer.verdict({ remoteAddress: '::1', remotePort: 40001, localAddress: '::1', localPort: 9911 }), { allowed: true });
  t.same(paths, ['/proc/net/tcp6'], 'an IPv6 peer cannot be in tcp');
  const noV6 = createPeerCheck({ uid: 1000, platform: 'linux', readProc: procReader(HEAD, { tcp6: 'missing' }).read });
  t.same(await noV6.verdict({ remoteAddress: '::1', remotePort: 1, localAddress: '::1', localPort: 9911 }), { allowed: false, reason: 'unknown-peer' });
  t.equal(noV6.status().enabled, true, 'a missing tcp6 does not switch the check off');
});

t.test('peers that are not loopback are left to the other guards', async (t) => {
  const proc = procReader(HEAD);
  const peer = createPeerCheck({ uid: 1000, platform: 'linux', readProc: proc.read });
  t.same(await peer.verdict(socket(40000, '172.17.0.3')), { allowed: true });
  t.equal(proc.reads, 0);
});

t.test('an unreadable /proc switches the check off once, and says why', async (t) => {
  const notes: string[] = [];
  const peer = createPeerCheck({
    uid: 1000,
    platform: 'linux',
    readProc: async () => {
      throw Object.assign(new Error('denied'), { code: 'EACCES' });
    },
    onUnavailable: (d) => notes.push(d),
  });
  t.same(await peer.verdict(socket(40000)), { allowed: true });
  t.same(await peer.verdict(socket(40001)), { allowed: true });
  t.equal(notes.length, 1);
  t.match(peer.status(), { enabled: false, detail: /cannot read \/proc\/net\/tcp \(EACCES\)/ });
  const odd = createPeerCheck({ uid: 1, platform: 'linux', readProc: () => Promise.reject(new Error('no code')) });
  await odd.verdict(socket(1));
  t.match(odd.status().detail, /\(error\)/);
});

t.test('macOS and systems without a UID: off, and status says so', async (t) => {
  let reads = 0;
  const readProc = async () => {
    reads++;
    return HEAD;
  };
  const mac = createPeerCheck({ uid: 501, platform: 'darwin', readProc });
  t.same(await mac.verdict(socket(40000)), { allowed: true });
  t.match(mac.status(), { enabled: false, detail: /not available on darwin/ });
  const noUid = createPeerCheck({ uid: undefined, platform: 'linux', readProc });
  t.same(await noUid.verdict(socket(40000)), { allowed: true });
  t.match(noUid.status(), { enabled: false, detail: /no user ID/ });
  t.equal(reads, 0);
});

t.test('defaults: this process, this platform', async (t) => {
  const peer = createPeerCheck();
  t.equal(peer.status().enabled, process.platform === 'linux' && typeof process.getuid === 'function');
});
