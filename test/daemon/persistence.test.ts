import t from 'tap';
import { resolvePlan } from '../../src/aws/resolve-plan.js';
import { matchCredentials, restoreSessions, snapshot } from '../../src/daemon/persistence.js';
import { toServed } from '../../src/engine/served.js';
import type { StoredCredentials } from '../../src/state/store.js';
import { MFA_SERIAL, roleArn, scenarioConfig } from '../engine/fakes.js';

const NOW = Date.UTC(2030, 0, 1);
const keys = (id: string, expiresAt: number) => ({ accessKeyId: id, secretAccessKey: 's', sessionToken: 't', expiration: new Date(expiresAt) });
const stored = (profile: string, expiresAt: number, arn = roleArn(profile)): StoredCredentials => ({
  profile,
  roleArn: arn,
  obtainedAt: NOW - 1000,
  accessKeyId: `K${profile}`,
  secretAccessKey: 's',
  sessionToken: 't',
  expiration: new Date(expiresAt).toISOString(),
});

t.test('snapshot: sessions, valid role credentials, unmatched ones not held, uses, the active profile', async (t) => {
  const state = snapshot({
    active: 'dev',
    sessions: [{ key: `management|${MFA_SERIAL}`, root: 'management', mfaSerial: MFA_SERIAL, credentials: keys('ASIAS', NOW + 1000) }],
    served: [
      toServed('dev', keys('ASIAD', NOW + 3600_000), NOW, { roleArn: roleArn('dev'), accountId: '222222222222' }),
      toServed('old', keys('ASIAO', NOW - 1), NOW - 3600_000, { roleArn: roleArn('old') }),
      toServed('management', keys('ASIAM', NOW + 3600_000), NOW, {}),
    ],
    unmatched: [stored('dev', NOW + 10), stored('gone', NOW - 10), stored('later', NOW + 10)],
    lastUse: new Map([['dev', NOW]]),
    now: NOW,
  });
  t.same(state.sessions, [
    {
      key: `management|${MFA_SERIAL}`,
      root: 'management',
      mfaSerial: MFA_SERIAL,
      accessKeyId: 'ASIAS',
      secretAccessKey: 's',
      sessionToken: 't',
      expiration: new Date(NOW + 1000).toISOString(),
    },
  ]);
  t.same(
    state.credentials?.map((c) => [c.profile, c.accessKeyId]),
    [
      ['dev', 'ASIAD'],
      ['later', 'Klater'],
    ],
    'no expired, no session-served, no duplicate',
  );
  t.equal(state.credentials?.[0]?.accountId, '222222222222');
  t.same(state.lastUse, { dev: NOW });
  t.equal(state.activeProfile, 'dev');
  const bare = snapshot({ sessions: [], served: [], unmatched: [], lastUse: new Map(), now: NOW });
  t.same(bare, { version: 1, sessions: [] });
});

t.test('restoreSessions turns stored sessions back into live ones', async (t) => {
  const [s] = restoreSessions({
    version: 1,
    sessions: [{ key: 'k', root: 'r', accessKeyId: 'A', secretAccessKey: 'S', sessionToken: 'T', expiration: '2030-01-01T00:00:00.000Z' }],
  });
  t.same(s, {
    key: 'k',
    root: 'r',
    credentials: { accessKeyId: 'A', secretAccessKey: 'S', sessionToken: 'T', expiration: new Date('2030-01-01T00:00:00.000Z') },
  });
});

t.test('matchCredentials: restored, unmatched, dropped', async (t) => {
  const config = scenarioConfig();
  const plan = (n: string) => (config.profiles.has(n) ? resolvePlan(config, n) : undefined);
  const out = matchCredentials(
    [
      stored('dev', NOW + 3600_000),
      stored('test', NOW + 3600_000, 'arn:aws:iam::333333333333:role/Elsewhere'),
      stored('prod', NOW - 1),
      stored('nowhere', NOW + 3600_000),
      { ...stored('management', NOW + 3600_000), roleArn: undefined } as unknown as StoredCredentials,
    ],
    plan,
    NOW,
  );
  t.same(
    out.restored.map((s) => [s.profile, s.credentials.accessKeyId, s.obtainedAt]),
    [
      ['dev', 'Kdev', NOW - 1000],
      ['management', 'Kmanagement', NOW - 1000],
    ],
  );
  t.equal(out.restored[0]!.roleArn, roleArn('dev'));
  t.same(
    out.unmatched.map((s) => s.profile),
    ['nowhere'],
  );
});
