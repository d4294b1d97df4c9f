import t, { type Test } from 'tap';
import type { Plan } from '../../src/aws/resolve-plan.js';
import { buildControlServer, type DaemonInfo } from '../../src/daemon/control-server.js';
import type { Core } from '../../src/daemon/core.js';
import { toServed } from '../../src/engine/served.js';
import { AccessDeniedError, MfaRequiredError, UnknownProfileError } from '../../src/errors.js';
import { createLogger } from '../../src/log.js';

const NOW = Date.parse('2030-01-01T12:00:00Z');
const MFA = 'arn:aws:iam::111111111111:mfa/u';
const served = (profile: string) =>
  toServed(profile, { accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'SECRET', sessionToken: 'TOKEN', expiration: new Date(NOW + 3600_000) }, NOW, {
    roleArn: 'arn:aws:iam::222222222222:role/Dev',
    accountId: '222222222222',
  });

/** A Core whose answers the test sets, recording every call. */
function fakeCore(overrides: Partial<Core> = {}) {
  const calls: Array<[string, ...unknown[]]> = [];
  const profiles = new Set(['dev', 'ci']);
  const plan = (name: string): Plan => {
    if (!profiles.has(name)) throw new UnknownProfileError(name);
    return {
      profile: name,
      root: 'management',
      rootKeys: { accessKeyId: 'A', secretAccessKey: 'S' },
      useSession: name === 'dev',
      roles: [],
      ...(name === 'dev' ? { mfaSerial: MFA, mfaProcess: 'pass otp' } : {}),
    };
  };
  let active: string | undefined = 'dev';
  const core = {
    activeProfile: () => active,
    plan: (name: string) => (calls.push(['plan', name]), plan(name)),
    status: () => ({ activeProfile: active, sessions: [], profiles: [], errors: [], warnings: [] }),
    profiles: () => [{ name: 'dev', mfa: true, state: 'ready' as const }],
    switchTo: (name: string) => {
      calls.push(['switchTo', name]);
      plan(name);
      return { profile: name, needsMfa: name === 'dev' };
    },
    region: (name?: string) => (name === 'dev' ? 'us-west-2' : undefined),
    mfa: async (code: string, profile?: string) => {
      calls.push(['mfa', code, profile]);
      return { profile: profile ?? 'dev', source: 'management', expiration: '2030-01-02T00:00:00Z' };
    },
    refresh: async (name?: string) => (calls.push(['refresh', name]), served(name ?? 'dev')),
    credentials: async (name?: string) => (calls.push(['credentials', name]), served(name!)),
    reload: () => ({ ok: false, error: 'config line 3' }),
    logout: () => void calls.push(['logout']),
    ...overrides,
  } as unknown as Core;
  return { core, calls, setActive: (n: string | undefined) => (active = n) };
}

function build(t: Test, core: Core, infoOverrides: Partial<DaemonInfo> = {}) {
  const logs: Array<Record<string, unknown>> = [];
  const log = createLogger({ level: 'debug', destination: { write: (s: string) => void logs.push(JSON.parse(s)) } });
  let stopped = 0;
  const info: DaemonInfo = {
    version: '1.2.3',
    pid: 4242,
    endpoint: () => 'http://127.0.0.1:9911',
    startedAt: NOW - 60_000,
    stop: () => void stopped++,
    ...infoOverrides,
  };
  const app = buildControlServer({ core, info, log });
  t.teardown(() => app.close());
  return { app, logs, stopped: () => stopped };
}

t.test('GET /status: the daemon facts and the core status', async (t) => {
  const { app } = build(t, fakeCore().core, { security: () => ({ imds: true, peerCheck: { enabled: true, detail: 'ok' } }) });
  const res = await app.inject({ method: 'GET', url: '/status' });
  t.equal(res.statusCode, 200);
  t.same(res.json(), {
    running: true,
    version: '1.2.3',
    pid: 4242,
    endpoint: 'http://127.0.0.1:9911',
    startedAt: '2030-01-01T11:59:00Z',
    security: { imds: true, peerCheck: { enabled: true, detail: 'ok' } },
    activeProfile: 'dev',
    sessions: [],
    profiles: [],
    errors: [],
    warnings: [],
  });
  const plain = build(t, fakeCore().core);
  t.notOk('security' in (await plain.app.inject({ method: 'GET', url: '/status' })).json(), 'no security block without info.security');
});

t.test('GET /profiles', async (t) => {
  const { app } = build(t, fakeCore().core);
  const res = await app.inject({ method: 'GET', url: '/profiles' });
  t.same(res.json(), [{ name: 'dev', mfa: true, state: 'ready' }]);
});

t.test('POST /switch: the result with the region, logged', async (t) => {
  const { core, calls } = fakeCore();
  const { app, logs } = build(t, core);
  const res = await app.inject({ method: 'POST', url: '/switch', payload: { profile: 'dev' } });
  t.equal(res.statusCode, 200);
  t.same(res.json(), { profile: 'dev', needsMfa: true, region: 'us-west-2' });
  t.same(calls, [['switchTo', 'dev']]);
  t.match(logs, [{ msg: 'switched active profile', profile: 'dev' }]);
  const unknown = await app.inject({ method: 'POST', url: '/switch', payload: { profile: 'nope' } });
  t.equal(unknown.statusCode, 404);
  t.same(unknown.json(), { Code: 'UnknownProfile', Message: new UnknownProfileError('nope').message });
});

t.test('schema and name validation: 400 BadRequest {Code, Message}', async (t) => {
  const { core, calls } = fakeCore();
  const { app } = build(t, core);
  // Fastify's Ajv strips unknown properties and coerces scalars; what cannot be fixed is refused.
  const cases: Array<[string, string, unknown]> = [
    ['POST', '/switch', {}],
    ['POST', '/switch', { profile: { name: 'dev' } }],
    ['POST', '/switch', { profile: 'x'.repeat(129) }],
    ['POST', '/switch', { profile: '../etc' }],
    ['POST', '/switch', [1, 2]],
    ['POST', '/mfa', { code: { x: 1 } }],
    ['POST', '/mfa', {}],
    ['POST', '/mfa', { code: '1'.repeat(17) }],
    ['POST', '/mfa', { code: '123456', profile: 'a/b' }],
    ['POST', '/refresh', { profile: 'a b' }],
    ['POST', '/refresh', { profile: 'x'.repeat(129) }],
  ];
  for (const [method, url, payload] of cases) {
    const res = await app.inject({ method: method as 'POST', url, payload: payload as object });
    t.equal(res.statusCode, 400, `${url} ${JSON.stringify(payload)}`);
    t.equal(res.json().Code, 'BadRequest');
    t.type(res.json().Message, 'string');
  }
  const bad = await app.inject({ method: 'GET', url: '/credentials/..%2Fetc' });
  t.equal(bad.statusCode, 400);
  const mfaQuery = await app.inject({ method: 'GET', url: '/mfa?profile=a%2Fb' });
  t.equal(mfaQuery.statusCode, 400);
  const notJson = await app.inject({ method: 'POST', url: '/switch', headers: { 'content-type': 'application/json' }, payload: '{nope' });
  t.equal(notJson.statusCode, 400);
  t.equal(notJson.json().Code, 'BadRequest');
  t.same(calls, [], 'the core was never asked');
});

t.test('GET /mfa: the device of the named or active profile, never its mfa_process (the CLI reads that itself)', async (t) => {
  const { core, calls, setActive } = fakeCore();
  const { app } = build(t, core);
  t.same((await app.inject({ method: 'GET', url: '/mfa' })).json(), { profile: 'dev', mfaSerial: MFA });
  t.same((await app.inject({ method: 'GET', url: '/mfa?profile=ci' })).json(), { profile: 'ci' });
  t.same(calls, [
    ['plan', 'dev'],
    ['plan', 'ci'],
  ]);
  setActive(undefined);
  const none = await app.inject({ method: 'GET', url: '/mfa' });
  t.equal(none.statusCode, 404);
  t.equal(none.json().Code, 'NoActiveProfile', 'not "Unknown profile """');
  t.equal((await app.inject({ method: 'GET', url: '/mfa?profile=ghost' })).json().Code, 'UnknownProfile');
});

t.test('POST /mfa: code and profile to the core; the code is never logged', async (t) => {
  const { core, calls } = fakeCore();
  const { app, logs } = build(t, core);
  const res = await app.inject({ method: 'POST', url: '/mfa', payload: { code: '123456', profile: 'dev' } });
  t.equal(res.statusCode, 200);
  t.same(res.json(), { profile: 'dev', source: 'management', expiration: '2030-01-02T00:00:00Z' });
  await app.inject({ method: 'POST', url: '/mfa', payload: { code: '654321' } });
  t.same(calls, [
    ['mfa', '123456', 'dev'],
    ['mfa', '654321', undefined],
  ]);
  t.match(logs[0], { msg: 'source session started', profile: 'dev', source: 'management', expiration: '2030-01-02T00:00:00Z' });
  t.notMatch(JSON.stringify(logs), /123456|654321/);
});

t.test('POST /mfa: a refusal keeps its code and status', async (t) => {
  const { core } = fakeCore({
    mfa: async () => {
      throw new AccessDeniedError('STS refused the MFA code');
    },
  });
  const { app } = build(t, core);
  const res = await app.inject({ method: 'POST', url: '/mfa', payload: { code: '000000' } });
  t.equal(res.statusCode, 403);
  t.same(res.json(), { Code: 'AccessDenied', Message: 'STS refused the MFA code' });
});

t.test('POST /refresh: the named or the active profile', async (t) => {
  const { core, calls } = fakeCore();
  const { app } = build(t, core);
  t.same((await app.inject({ method: 'POST', url: '/refresh', payload: { profile: 'ci' } })).json(), { profile: 'ci', expiration: '2030-01-01T13:00:00Z' });
  t.same((await app.inject({ method: 'POST', url: '/refresh', payload: {} })).json(), { profile: 'dev', expiration: '2030-01-01T13:00:00Z' });
  t.equal((await app.inject({ method: 'POST', url: '/refresh' })).json().Code, 'BadRequest', 'no body at all: the CLI always sends {}');
  t.same(calls, [
    ['refresh', 'ci'],
    ['refresh', undefined],
  ]);
});

t.test('GET /credentials/:name: the container body plus the region', async (t) => {
  const { core, calls } = fakeCore();
  const { app } = build(t, core);
  const res = await app.inject({ method: 'GET', url: '/credentials/dev' });
  t.same(res.json(), {
    AccessKeyId: 'ASIAEXAMPLE',
    SecretAccessKey: 'SECRET',
    Token: 'TOKEN',
    Expiration: '2030-01-01T13:00:00Z',
    RoleArn: 'arn:aws:iam::222222222222:role/Dev',
    AccountId: '222222222222',
    Region: 'us-west-2',
  });
  t.same(calls, [['credentials', 'dev']]);
  const { core: mfaCore } = fakeCore({
    credentials: async () => {
      throw new MfaRequiredError('dev');
    },
  });
  const needsMfa = await build(t, mfaCore).app.inject({ method: 'GET', url: '/credentials/dev' });
  t.equal(needsMfa.statusCode, 403);
  t.equal(needsMfa.json().Code, 'MfaRequired');
});

t.test('POST /reload and /logout', async (t) => {
  const { core, calls } = fakeCore();
  const { app, logs } = build(t, core);
  t.same((await app.inject({ method: 'POST', url: '/reload', payload: {} })).json(), { ok: false, error: 'config line 3', settings: { changed: [] } });
  t.same((await app.inject({ method: 'POST', url: '/logout', payload: {} })).json(), { ok: true });
  t.same(calls, [['logout']]);
  t.match(logs, [{ msg: 'logged out: sessions and credentials erased' }]);
});

t.test('POST /reload reports the settings the daemon would need a restart for', async (t) => {
  const { core } = fakeCore();
  const { app } = build(t, core, { settingsChanges: () => ({ changed: ['port'] }) });
  t.same((await app.inject({ method: 'POST', url: '/reload', payload: {} })).json(), { ok: false, error: 'config line 3', settings: { changed: ['port'] } });
});

t.test('POST /stop: answers, then calls info.stop', async (t) => {
  const { app, stopped } = build(t, fakeCore().core);
  const res = await app.inject({ method: 'POST', url: '/stop', payload: {} });
  t.equal(res.statusCode, 200);
  t.same(res.json(), { ok: true });
  await new Promise((r) => setImmediate(r));
  t.equal(stopped(), 1);
});

t.test('POST /stop over a real socket: the reply arrives before the stop', async (t) => {
  const order: string[] = [];
  const { app } = build(t, fakeCore().core, { stop: () => void order.push('stop') });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  const res = await fetch(`http://127.0.0.1:${port}/stop`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  order.push(`reply ${res.status}`);
  t.same(await res.json(), { ok: true });
  for (let i = 0; i < 50 && order.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
  t.same(order.sort(), ['reply 200', 'stop']);
});

t.test('unknown paths: 404 NotFound', async (t) => {
  const { app } = build(t, fakeCore().core);
  const res = await app.inject({ method: 'GET', url: '/nope' });
  t.equal(res.statusCode, 404);
  t.equal(res.json().Code, 'NotFound');
});
