/** Refusals as rate-limited security events, with nothing sensitive in them. */
import t from 'tap';
import { createSecurityLog } from '../../src/http/security-log.js';
import { memoryLog, testServer } from './fixtures.js';

t.test('each refusal is one warn entry with the safe fields', async (t) => {
  const logs = memoryLog();
  const sec = createSecurityLog({ log: logs.log, now: () => 0 });
  sec.refused({ reason: 'bad-host', status: 403, method: 'GET', path: '/creds?token=hunter2', remote: '127.0.0.1', detail: 'Host evil.example\r\nX: y' });
  const [e] = logs.entries();
  t.match(e, {
    level: 40,
    security: 'refused',
    reason: 'bad-host',
    status: 403,
    method: 'GET',
    path: '/creds',
    remote: '127.0.0.1',
    detail: 'Host evil.example??X: y',
  });
  t.notMatch(logs.text(), 'hunter2', 'query strings are dropped');
  t.match(String(e?.msg), /bad-host/);
});

t.test('at most perWindow per reason and window; the next entry counts the rest', async (t) => {
  const logs = memoryLog();
  let now = 0;
  const sec = createSecurityLog({ log: logs.log, now: () => now, windowMs: 1000, perWindow: 2 });
  for (let i = 0; i < 5; i++) sec.refused({ reason: 'bad-host', status: 403 });
  sec.refused({ reason: 'no-token', status: 401 });
  t.same(
    logs.entries().map((e) => e.reason),
    ['bad-host', 'bad-host', 'no-token'],
    'reasons are limited separately',
  );
  now = 1000;
  sec.refused({ reason: 'bad-host', status: 403 });
  t.equal(logs.entries().at(-1)?.suppressed, 3);
  sec.refused({ reason: 'bad-host', status: 403 });
  t.equal(logs.entries().at(-1)?.suppressed, undefined, 'reported once');
});

t.test('long values are cut short', async (t) => {
  const logs = memoryLog();
  const sec = createSecurityLog({ log: logs.log, now: () => 0 });
  sec.refused({ reason: 'x', status: 400, path: `/${'p'.repeat(500)}`, detail: 'd'.repeat(500), method: 'M'.repeat(50) });
  const e = logs.entries()[0]!;
  t.equal(String(e.path).length, 120);
  t.equal(String(e.detail).length, 120);
  t.equal(String(e.method).length, 10);
});

t.test('flush reports the counts left out, once, even when no refusal of that reason follows', async (t) => {
  const { log, entries } = memoryLog();
  const clock = { now: 0 };
  const sec = createSecurityLog({ log, now: () => clock.now, perWindow: 2 });
  for (let i = 0; i < 7; i++) sec.refused({ reason: 'no-token', status: 401 });
  sec.refused({ reason: 'bad-host', status: 403 });
  t.equal(entries().length, 3);
  sec.flush();
  const flushed = entries().slice(3);
  t.same(
    flushed.map((e) => [e.reason, e.suppressed]),
    [['no-token', 5]],
    'one line for the reason with a count',
  );
  sec.flush();
  t.equal(entries().length, 4, 'nothing more to report');
  t.equal(sec.windowMs, 60_000);
});

t.test('the endpoint flushes the counts when it closes', async (t) => {
  const { app, logs } = testServer();
  for (let i = 0; i < 9; i++) await app.inject({ url: '/creds', headers: { host: 'evil.example' } });
  await app.close();
  t.match(logs.entries().at(-1), { reason: 'bad-host', suppressed: 4 });
});
