/**
 * docs/security.md's endpoint promises, attacked for real against the built daemon: another
 * local user (`nobody`) with every path spelling a router might decode, from this host's own
 * non-loopback address, with a stolen token, and with floods of refused and pipelined requests.
 */
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { attack, canActAsOtherUser, hostAddress, rawGet } from '../helpers/attacker.js';
import { credd, httpGet, startScenario } from '../helpers/credd-process.js';
import { signIn } from '../helpers/scenario-steps.js';
import { requireOrSkip } from '../helpers/moto.js';

t.setTimeout(180_000);
const world = await startScenario(t);
if (world && requireOrSkip(t, 'root with setpriv (to act as another user)', canActAsOtherUser, 'run the tests as root on Linux')) {
  const { box, daemon } = world;
  let port = 0;
  let token = '';
  let endpoint = '';
  const leaked = (answers: Array<{ body?: string }>) => answers.some((a) => (a.body ?? '').includes('SecretAccessKey'));
  t.before(async () => {
    await signIn(t, box);
    const st = await credd(box.env, ['status', '--json']);
    endpoint = (JSON.parse(st.stdout) as { endpoint: string }).endpoint;
    port = Number(new URL(endpoint).port);
    token = readFileSync(join(box.env.XDG_RUNTIME_DIR!, 'credd', 'token'), 'utf8').trim();
    // Warm the cache, so that the fast path would answer if admission let it.
    t.equal((await httpGet(`${endpoint}/creds/dev`, { Authorization: token })).status, 200);
  });

  t.test('another user gets nothing without the token, whatever the spelling', async (t) => {
    const spellings = [
      '/%63reds/dev',
      '/cred%73/dev',
      '/creds#x',
      '/creds;x',
      'http://x/creds/dev',
      `http://127.0.0.1:${port}/creds`,
      '//creds/dev',
      '/creds//dev',
      '/x/../creds/dev',
      '/creds/./dev',
      '/%2fcreds/dev',
      '/creds%2Fdev',
      '/CREDS/dev',
      '/creds/dev%00',
      '/creds\\dev',
      '/%6catest/meta-data/iam/security-credentials/dev',
      '/latest/meta-data/iam/security-credentials/%64ev',
      '/creds',
      '/creds/dev',
      '/creds/dev?x',
    ];
    const answers = await attack(
      port,
      spellings.map((p) => rawGet(p, port)),
    );
    t.equal(answers.length, spellings.length);
    for (const [i, a] of answers.entries()) t.ok(a.status >= 400 || a.status === 0, `${spellings[i]}: ${a.status}`);
    t.notOk(leaked(answers), 'no credential in any answer');
  });

  t.test('another user with a stolen token is refused as another user', async (t) => {
    const answers = await attack(port, [rawGet('/creds/dev', port, { Authorization: token }), rawGet('/creds', port, { Authorization: token })]);
    t.same(
      answers.map((a) => a.status),
      [403, 403],
    );
    t.notOk(leaked(answers));
  });

  t.test('another user gets no IMDS token and no IMDS document', async (t) => {
    const answers = await attack(port, [rawGet('/latest/api/token', port, { 'X-aws-ec2-metadata-token-ttl-seconds': '60' }, 'PUT')]);
    t.same(
      answers.map((a) => a.status),
      [403],
    );
  });

  const lan = hostAddress();
  t.test(
    "from this host's non-loopback address: every connection is looked up",
    { skip: lan ? false : 'this host has no non-loopback IPv4 address' },
    async (t) => {
      const asOther = await attack(
        port,
        [rawGet('/creds/dev', port, { Authorization: token }), rawGet('/latest/api/token', port, { 'X-aws-ec2-metadata-token-ttl-seconds': '60' }, 'PUT')],
        { localAddress: lan },
      );
      t.same(
        asOther.map((a) => a.status),
        [403, 403],
        'another user, even with the token: refused; IMDS: loopback only',
      );
      t.notOk(leaked(asOther));
      const asSelf = await attack(port, [rawGet('/creds/dev', port, { Authorization: token })], { localAddress: lan, asSelf: true });
      t.same(
        asSelf.map((a) => a.status),
        [200],
        'the same user from the same address: found in the table and served',
      );
    },
  );

  t.test('a header hidden behind a thousand others is not missed', async (t) => {
    const many = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`a${i}`, 'b']));
    const answers = await attack(port, [rawGet('/creds/dev', port, { Authorization: token, ...many, 'X-Forwarded-For': '10.0.0.1' })], { asSelf: true });
    t.same(
      answers.map((a) => a.status),
      [431],
    );
  });

  t.test('a flood of refused keep-alive requests: every connection is closed, serving goes on', async (t) => {
    const socks = await Promise.all(
      Array.from(
        { length: 300 },
        () =>
          new Promise<net.Socket>((resolve, reject) => {
            const s = net.connect(port, '127.0.0.1', () => resolve(s));
            s.on('error', reject);
          }),
      ),
    );
    const closed = socks.map((s) => new Promise<void>((r) => s.once('close', () => r())));
    for (const s of socks) {
      s.resume();
      s.write(`GET /creds/dev HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: keep-alive\r\n\r\n`);
    }
    const all = await Promise.race([Promise.all(closed).then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 10_000))]);
    t.ok(all, 'the daemon closed all 300 refused connections');
    for (const s of socks) s.destroy();
    t.equal((await httpGet(`${endpoint}/creds/dev`, { Authorization: token })).status, 200, 'and still serves');
  });

  const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${daemon.child.pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
  const request = () => `GET /creds/dev HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: ${token}\r\n\r\n`;
  /**
   * Writes `batch` to `s` again and again for 5 s, as fast as the socket takes it, never reading;
   * stops early if the socket is destroyed. Resolves with the bytes handed over.
   */
  const pipeline = (s: net.Socket, batch: string) =>
    new Promise<number>((resolve) => {
      const until = Date.now() + 5000;
      let sent = 0;
      const pump = () => {
        while (Date.now() < until && !s.destroyed) {
          sent += batch.length;
          if (!s.write(batch)) return void s.once('drain', pump);
        }
        resolve(sent);
      };
      if (s.connecting) s.once('connect', pump);
      else pump();
      s.once('close', () => resolve(sent));
      setTimeout(() => resolve(sent), 6000);
    });

  t.test('a client that pipelines and never reads does not grow the daemon', async (t) => {
    const before = rss();
    // A new connection: its first requests wait for the peer lookup, the window a flood aims at.
    const s = net.connect(port, '127.0.0.1');
    s.pause();
    s.on('error', () => {});
    const sent = await pipeline(s, request().repeat(500));
    const grown = rss() - before;
    const cut = s.destroyed;
    s.destroy();
    t.ok(cut, `the daemon closed the connection (after the client sent ${(sent / 1048576).toFixed(1)} MiB)`);
    t.ok(grown < 64 * 1048576, `RSS grew by ${(grown / 1048576).toFixed(1)} MiB`);
    t.equal((await httpGet(`${endpoint}/creds/dev`, { Authorization: token })).status, 200, 'and serving goes on');
  });

  t.test('a known client that pipelines and never reads: node stops reading it', async (t) => {
    const s = net.connect(port, '127.0.0.1');
    s.on('error', () => {});
    // One request answered first: the peer is then known, and the fast path answers at once.
    await new Promise<void>((resolve) => {
      s.once('data', () => resolve());
      s.write(request());
    });
    s.pause();
    const before = rss();
    const sent = await pipeline(s, request().repeat(500));
    const grown = rss() - before;
    s.destroy();
    t.ok(sent < 32 * 1048576, `the client could send only ${(sent / 1048576).toFixed(1)} MiB in 5 s`);
    t.ok(grown < 64 * 1048576, `RSS grew by ${(grown / 1048576).toFixed(1)} MiB`);
    t.equal((await httpGet(`${endpoint}/creds/dev`, { Authorization: token })).status, 200, 'and serving goes on');
  });

  t.test('at shutdown, the counts of refusals left out of the log are logged', async (t) => {
    await daemon.stop();
    t.match(daemon.log(), /"suppressed":\d+/);
    t.match(daemon.log(), /"reason":"pipeline-flood"/, 'the flooding pipeline was logged as a security refusal');
    t.notMatch(daemon.log(), new RegExp(token), 'the token is never logged');
  });
}
