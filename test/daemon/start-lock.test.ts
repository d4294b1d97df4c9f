import t from 'tap';
import { existsSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withStartLock } from '../../src/daemon/start-lock.js';
import { placeSocket, refuseIfRunning, removeOwnSocket } from '../../src/daemon/single-instance.js';
import { createServer } from 'node:net';
import { lstatSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';

t.test('holders take turns; the lock is gone afterwards', async (t) => {
  const dir = t.testdir({});
  const order: string[] = [];
  const hold = (name: string, ms: number) =>
    withStartLock(dir, { pid: process.pid }, async () => {
      order.push(`${name}+`);
      await new Promise((r) => setTimeout(r, ms));
      order.push(`${name}-`);
      return name;
    });
  const out = await Promise.all([hold('a', 60), hold('b', 10), hold('c', 10)]);
  t.same(out, ['a', 'b', 'c']);
  for (let i = 0; i < order.length; i += 2) t.equal(order[i]!.slice(0, 1), order[i + 1]!.slice(0, 1), 'never two at once');
  t.same(readdirSync(dir), []);
});

t.test("a dead holder's lock is broken; an old one too; a live one makes the wait run out", async (t) => {
  const dir = t.testdir({ 'start.lock': '999999999\n' });
  t.equal(await withStartLock(dir, { pid: process.pid }, async () => 'got it'), 'got it', 'dead pid');
  writeFileSync(join(dir, 'start.lock'), `${process.pid}\n`);
  const old = (Date.now() - 60_000) / 1000;
  utimesSync(join(dir, 'start.lock'), old, old);
  t.equal(await withStartLock(dir, { pid: process.pid }, async () => 'old'), 'old', 'too old, whatever its pid');
  writeFileSync(join(dir, 'start.lock'), `${process.pid}\n`);
  await t.rejects(
    withStartLock(dir, { pid: process.pid, waitMs: 100 }, async () => 'never'),
    { code: 'AlreadyRunning', message: /nother credd \(pid \d+\) has been starting for a while/ },
  );
  t.ok(existsSync(join(dir, 'start.lock')), "a live holder's lock is left alone");
  await t.rejects(
    withStartLock(join(dir, 'nope', 'deeper'), { pid: 1 }, async () => 1),
    { code: 'ENOENT' },
  );
});

t.test('the socket is placed by rename, refused when another daemon answers, removed only when ours', async (t) => {
  // A short path: a Unix socket's name has at most 107 bytes.
  const dir = mkdtempSync(join(tmpdir(), 'credd-sl-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'control.sock');
  const a = createServer();
  await new Promise<void>((r) => a.listen(join(dir, 'a.tmp'), r));
  t.equal(placeSocket(join(dir, 'a.tmp'), path), 'fresh');
  await t.rejects(refuseIfRunning(path), { code: 'AlreadyRunning' });
  const ino = lstatSync(path).ino;
  await new Promise((r) => a.close(r));
  await refuseIfRunning(path); // dead socket: no refusal
  writeFileSync(join(dir, 'b.tmp'), '');
  t.equal(placeSocket(join(dir, 'b.tmp'), path), 'took-over');
  removeOwnSocket(path, ino);
  t.ok(existsSync(path), 'not ours any more: kept');
  removeOwnSocket(path, lstatSync(path).ino);
  t.notOk(existsSync(path));
  removeOwnSocket(path, 1);
});
