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
    '/proc/net/tcp6': [
      HEAD,
      '   0: 0000000000000000FFFF00000100007F:9C40 0000000000000000FFFF00000100007F:26B7 01 00000000:00000000 00:00000000 00000000  1000 0 1 1 0',
      '   1: 00000000000000000000000001000000:9C41 00000000000000000000000001000000:26B7 01 00000000:00000000 00:00000000 00000000  1000 0 1 1 0',
    ].join('\n'),
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

t.test('every connection is looked up; only a peer from outside this host may be missing from the tables', async (t) => {
  // 192.168.1.5:40000 -> 127.0.0.1:9911, owned by uid 1001: a local process that bound the LAN address.
  const lan = `   0: 0501A8C0:9C40 0100007F:26B7 01 00000000:00000000 00:00000000 00000000  1001        0 1 1 0 20 4 30 10 -1`;
  const proc = procReader([HEAD, lan].join('\n'));
  const peer = createPeerCheck({
    uid: 1000,
    platform: 'linux',
    littleEndian: true,
    readProc: proc.read,
    hostAddresses: () => ['127.0.0.1', '192.168.1.5', '172.17.0.1'],
  });
  t.same(await peer.verdict(socket(40000, '192.168.1.5')), { allowed: false, reason: 'other-user', uid: 1001 }, 'a LAN source is judged by its owner');
  t.same(await peer.verdict(socket(40001, '192.168.1.5')), { allowed: false, reason: 'unknown-peer' }, 'unlisted, to loopback: refused');
  const ecs = (remoteAddress: string, remotePort: number) => ({ remoteAddress, remotePort, localAddress: '169.254.170.2', localPort: 9911 });
  t.same(await peer.verdict(ecs('172.17.0.1', 40002)), { allowed: false, reason: 'unknown-peer' }, "this host's own docker address, unlisted: refused");
  t.same(await peer.verdict(ecs('172.17.0.3', 40003)), { allowed: true }, 'a container in another network namespace: allowed (the ECS mode)');
  t.ok(proc.reads >= 4, 'each was looked up');
  const defaults = createPeerCheck({ uid: 1000, platform: 'linux', littleEndian: true, readProc: procReader(HEAD).read });
  t.same(await defaults.verdict(ecs('192.0.2.250', 1)), { allowed: true }, "with this host's real interfaces, an address that is none of them");
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

/** A /proc reader whose reads finish only when the test says so. */
function gatedReader(tcp: string) {
  const reads: Array<{ path: string; finish(): void }> = [];
  return {
    reads,
    read: (path: string) => new Promise<string>((resolve) => reads.push({ path, finish: () => resolve(path === '/proc/net/tcp' ? tcp : HEAD) })),
  };
}
const tick = () => new Promise<void>((r) => setImmediate(r));

t.test('watch reads nothing: the lookup waits for the first verdict asked for', async (t) => {
  const proc = procReader([HEAD, entry(40000, 1000)].join('\n'));
  const peer = createPeerCheck({ uid: 1000, platform: 'linux', readProc: proc.read });
  const s = socket(40000);
  peer.watch(s);
  await tick();
  t.equal(proc.reads, 0, 'an accepted connection costs no /proc read');
  t.equal(peer.known(s), undefined, 'nor is anything known about it');
  t.same(await peer.verdict(s), { allowed: true });
  t.equal(proc.reads, 1);
  t.same(peer.known(s), { allowed: true }, 'known synchronously once looked up');
  t.same(await peer.verdict(s), { allowed: true });
  t.equal(proc.reads, 1, 'and reused');
});

t.test('one read in flight; connections accepted after it started share the one queued read', async (t) => {
  const proc = gatedReader([HEAD, ...[40000, 40001, 40002, 40003, 40004].map((p) => entry(p, 1000))].join('\n'));
  const peer = createPeerCheck({ uid: 1000, platform: 'linux', readProc: proc.read });
  const [a, b, c, d, e] = [40000, 40001, 40002, 40003, 40004].map((p) => socket(p));
  peer.watch(a!);
  peer.watch(b!);
  const va = peer.verdict(a!);
  peer.watch(c!);
  peer.watch(d!);
  const vb = peer.verdict(b!);
  const vc = peer.verdict(c!);
  const vd = peer.verdict(d!);
  const ve = peer.verdict(e!); // never watched: taken as accepted just now
  await tick();
  t.equal(proc.reads.length, 1, 'one read in flight, whatever the number of lookups');
  proc.reads[0]!.finish();
  t.same(await Promise.all([va, vb]), [{ allowed: true }, { allowed: true }], 'a and b were accepted before the read started: served by it');
  t.equal(peer.known(c!), undefined, 'c was accepted after the read started: it may not be in it');
  await tick();
  t.equal(proc.reads.length, 2, 'one queued read for c, d and e');
  proc.reads[1]!.finish();
  t.same(await Promise.all([vc, vd, ve]), [{ allowed: true }, { allowed: true }, { allowed: true }]);
  t.equal(proc.reads.length, 2);
});

t.test('a connection accepted while a read runs, looked up after it ended, gets its own read', async (t) => {
  const proc = gatedReader([HEAD, entry(40000, 1000), entry(40001, 1000)].join('\n'));
  const peer = createPeerCheck({ uid: 1000, platform: 'linux', readProc: proc.read });
  const [a, b] = [socket(40000), socket(40001)];
  peer.watch(a);
  const va = peer.verdict(a);
  peer.watch(b);
  await tick();
  proc.reads[0]!.finish();
  await va;
  const vb = peer.verdict(b);
  await tick();
  t.equal(proc.reads.length, 2);
  proc.reads[1]!.finish();
  t.same(await vb, { allowed: true });
});

t.test('known: allowed while the check is off; a verdict, allowed or refused, stays known', async (t) => {
  const off = createPeerCheck({ uid: 501, platform: 'darwin' });
  t.same(off.known(socket(1)), { allowed: true });
  const proc = procReader([HEAD, entry(40001, 0)].join('\n'));
  const peer = createPeerCheck({ uid: 1000, platform: 'linux', readProc: proc.read, hostAddresses: () => [] });
  const remote = { remoteAddress: '172.17.0.3', remotePort: 40000, localAddress: '169.254.170.2', localPort: 9911 };
  t.equal(peer.known(remote), undefined);
  t.same(await peer.verdict(remote), { allowed: true });
  t.same(peer.known(remote), { allowed: true });
  const other = socket(40001);
  t.same(await peer.verdict(other), { allowed: false, reason: 'other-user', uid: 0 });
  t.same(peer.known(other), { allowed: false, reason: 'other-user', uid: 0 });
  t.equal(proc.reads, 3, 'tcp and tcp6 for the container, tcp again for the later connection');
});
