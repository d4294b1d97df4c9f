import t from 'tap';
import Fastify from 'fastify';
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createConfigLoader } from '../../src/daemon/config-loader.js';
import { DEADLINE_HEADER } from '../../src/control/contract.js';
import { installRequestDeadline } from '../../src/daemon/request-deadline.js';
import { installErrorHandler } from '../../src/http/error-handler.js';
import { warmWithin } from '../../src/daemon/warm.js';
import { watchPort } from '../../src/daemon/port-watch.js';
import { AccessDeniedError } from '../../src/errors.js';
import { memoryLog } from '../engine/fakes.js';

t.test('config loader: a file that was there and is gone is an error; back, it loads', async (t) => {
  const dir = t.testdir({ config: '[profile a]\nregion = us-east-1\n', credentials: '[m]\naws_access_key_id = A\naws_secret_access_key = s\n' });
  const paths = { configFile: join(dir, 'config'), credentialsFile: join(dir, 'credentials') };
  const load = createConfigLoader(paths);
  t.ok(load().profiles.has('a'));
  renameSync(paths.credentialsFile, `${paths.credentialsFile}.x`);
  t.throws(() => load(), { code: 'ConfigError', message: /The AWS credentials file .*credentials is missing: credd keeps serving/ });
  renameSync(`${paths.credentialsFile}.x`, paths.credentialsFile);
  t.ok(load().profiles.has('a'));
  const fresh = createConfigLoader({ configFile: join(dir, 'config'), credentialsFile: join(dir, 'never') });
  t.ok(fresh().profiles.has('a'), 'a file that never was is no error');
});

t.test('request deadline: a request that arrives after its command gave up changes nothing', async (t) => {
  const app = Fastify();
  let now = 1000;
  installErrorHandler(app, memoryLog().log);
  installRequestDeadline(app, () => now);
  let applied = 0;
  app.post('/switch', async () => ({ applied: ++applied }));
  const late = await app.inject({ method: 'POST', url: '/switch', headers: { [DEADLINE_HEADER]: '999' } });
  t.equal(late.statusCode, 408);
  t.equal(late.json().Code, 'RequestExpired');
  t.equal(applied, 0, 'not applied');
  t.equal((await app.inject({ method: 'POST', url: '/switch', headers: { [DEADLINE_HEADER]: '1000' } })).statusCode, 200);
  t.equal((await app.inject({ method: 'POST', url: '/switch' })).statusCode, 200, 'no deadline: as before');
  now = 5;
  t.equal((await app.inject({ method: 'POST', url: '/switch', headers: { [DEADLINE_HEADER]: 'junk' } })).statusCode, 200);
});

t.test('warmWithin: ready, pending, or why not', async (t) => {
  const served = { expiresAt: Date.parse('2030-01-01T00:00:00Z') } as never;
  t.same(await warmWithin('dev', Promise.resolve(served), 100), { profile: 'dev', ready: true, expiration: '2030-01-01T00:00:00Z' });
  let fail!: (e: Error) => void;
  const slow = new Promise<never>((_, r) => (fail = r));
  t.same(await warmWithin('dev', slow, 10), { profile: 'dev', ready: false, pending: true });
  fail(new Error('late failure is handled'));
  t.match(await warmWithin('dev', Promise.reject(new AccessDeniedError('no')), 100), { ready: false, error: { code: 'AccessDenied', message: 'no' } });
});

t.test('port watch: a foreign listener or a lost listener is logged once, and clears', async (t) => {
  const logs = memoryLog();
  let listeners = [{ uid: 1000, inode: 1 }];
  let listening = true;
  const jobs: Array<() => void> = [];
  const w = watchPort({
    port: 9911,
    uid: 1000,
    listening: () => listening,
    log: logs.log,
    every: (_ms, fn) => (jobs.push(fn), { stop: () => undefined }),
    listeners: () => listeners,
  });
  t.equal(w.check(), undefined);
  listeners = [
    { uid: 1000, inode: 1 },
    { uid: 0, inode: 2 },
  ];
  jobs[0]!();
  t.match(w.problem(), { message: /127\.0\.0\.1:9911 is also held by root \(uid 0\)/ });
  w.check();
  t.equal(logs.lines().filter((l) => l.level === 50).length, 1, 'logged once');
  listeners = [];
  listening = false;
  t.match(w.check(), { message: /no longer listens/ });
  listening = true;
  t.equal(w.check(), undefined);
  t.ok(logs.lines().some((l) => /alone again/.test(String(l.msg))));
  w.stop();
  const real = watchPort({ port: 1, uid: 0, listening: () => true, log: logs.log, every: () => ({ stop: () => undefined }) });
  t.equal(real.check(), undefined, 'the default reads /proc');
  writeFileSync(join(t.testdir({}), 'x'), '');
});
