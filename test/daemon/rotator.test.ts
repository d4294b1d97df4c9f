import t from 'tap';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { KeyOps, KeyOpsTarget } from '../../src/aws/iam.js';
import type { Core } from '../../src/daemon/core.js';
import { createRotator } from '../../src/daemon/rotator.js';
import { pickSourceSession } from '../../src/engine/sessions.js';
import { buildControlServer } from '../../src/daemon/control-server.js';
import type { DaemonKeyring } from '../../src/keyring/daemon-keyring.js';
import { profileKeyring } from '../../src/keyring/profile-keys.js';
import { createLogger } from '../../src/log.js';
import { memoryStore } from '../keyring/memory-store.js';

const NOW = Date.parse('2030-01-01T12:00:00Z');
const session = (mfa: boolean, ms: number) => ({
  key: `management|${mfa ? 'mfa' : ''}`,
  root: 'management',
  ...(mfa ? { mfaSerial: 'mfa' } : {}),
  credentials: { accessKeyId: mfa ? 'ASIAMFA' : 'ASIAPLAIN', secretAccessKey: 's', sessionToken: 't', expiration: new Date(NOW + ms) },
});

function setup(opts: { inKeyring?: boolean; sessions?: ReturnType<typeof session>[]; opsFail?: string } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'credd-rotator-'));
  const credentialsFile = join(dir, 'credentials');
  writeFileSync(credentialsFile, '[management]\naws_access_key_id = AKIAFILE\naws_secret_access_key = file-secret\n');
  const kr = profileKeyring(memoryStore());
  if (opts.inKeyring) kr.put('management', { accessKeyId: 'AKIARING', secretAccessKey: 'ring-secret' });
  const keyring: DaemonKeyring = { keys: kr, overlay: (c) => c };
  let reloads = 0;
  const core = {
    // The core's own selection rule, over the sessions this test says credd holds.
    sourceSession: (root: string, validAfterMs: number) => pickSourceSession(opts.sessions ?? [], root, validAfterMs),
    plan: (name: string) => {
      if (name !== 'management') throw new Error('unknown');
      return { endpointUrl: 'http://profile-sts' };
    },
    region: () => undefined,
    reload: () => (reloads++, { ok: true }),
  } as unknown as Core;
  const targets: KeyOpsTarget[] = [];
  let lines = '';
  const log = createLogger({ level: 'info', destination: new Writable({ write: (c, _e, cb) => ((lines += c.toString()), cb()) }) });
  const ops: KeyOps = {
    listKeys: async () => [],
    createKey: async () => ({ accessKeyId: 'AKIANEW', secretAccessKey: 'new-secret' }),
    deleteKey: async () => undefined,
    works: async () => true,
  };
  const rotate = createRotator({
    core,
    keyring,
    credentialsFile,
    endpoints: { sts: undefined, iam: 'http://iam' },
    now: () => NOW,
    log,
    keyOps: async (target) => {
      targets.push(target);
      if (opts.opsFail) throw new Error(opts.opsFail);
      return ops;
    },
    sleep: async () => undefined,
  });
  return { rotate, kr, credentialsFile, targets, reloads: () => reloads, log: () => lines };
}

t.test('keys in the keyring, signed with the MFA session: the keyring gets the new key', async (t) => {
  const s = setup({ inKeyring: true, sessions: [session(false, 3600_000), session(true, 3600_000)] });
  t.same(await s.rotate('management'), { profile: 'management', oldKeyId: 'AKIARING', newKeyId: 'AKIANEW', where: 'keyring' });
  t.equal(s.targets[0]!.credentials.accessKeyId, 'ASIAMFA', 'the MFA session signs IAM calls');
  t.same(s.targets[0]!.userKeys, { accessKeyId: 'AKIARING', secretAccessKey: 'ring-secret' });
  t.equal(s.targets[0]!.iamEndpoint, 'http://iam');
  t.equal(s.targets[0]!.stsEndpoint, 'http://profile-sts');
  t.equal(s.targets[0]!.region, 'us-east-1');
  t.equal(s.kr.get('management')?.accessKeyId, 'AKIANEW');
  t.match(readFileSync(s.credentialsFile, 'utf8'), 'AKIAFILE', 'the file copy is not touched');
  t.equal(s.reloads(), 1, 'the daemon reloads the config to use the new key');
  t.notMatch(s.log(), /new-secret|ring-secret/);
  t.match(s.log(), /access key rotated/);
});

t.test('keys in the file, no session: signed with the long-term keys, the file gets the new key', async (t) => {
  const s = setup({ sessions: [session(true, 30_000)] });
  t.same(await s.rotate('management'), { profile: 'management', oldKeyId: 'AKIAFILE', newKeyId: 'AKIANEW', where: 'credentials file' });
  t.equal(s.targets[0]!.credentials.accessKeyId, 'AKIAFILE', 'a session about to end is not used');
  t.equal(readFileSync(s.credentialsFile, 'utf8'), '[management]\naws_access_key_id = AKIANEW\naws_secret_access_key = new-secret\n');
});

t.test('no keys, an unknown user, and one rotation at a time', async (t) => {
  const s = setup();
  await t.rejects(s.rotate('dev'), { code: 'BadRequest', message: /Profile "dev" has no long-term keys/ });
  const bad = setup({ opsFail: 'these keys belong to arn:aws:sts::1:assumed-role/x, not an IAM user' });
  await t.rejects(bad.rotate('management'), {
    code: 'RotateFailed',
    message: /Could not tell which IAM user holds AKIAFILE \(these keys belong to .* not an IAM user\): nothing changed/,
  });
  const slow = setup();
  const first = slow.rotate('management');
  await t.rejects(slow.rotate('management'), { status: 409, message: /already running/ });
  await first;
});

t.test('the control route takes a profile name and nothing else', async (t) => {
  const calls: string[] = [];
  const app = buildControlServer({
    core: {} as Core,
    log: createLogger({ level: 'silent' }),
    info: { version: 'x', pid: 1, endpoint: () => 'http://x', startedAt: NOW, stop: () => undefined },
    rotate: async (p) => (calls.push(p), { profile: p, oldKeyId: 'A', newKeyId: 'B', where: 'keyring' }),
  });
  t.same((await app.inject({ method: 'POST', url: '/rotate', payload: { profile: 'management' } })).json(), {
    profile: 'management',
    oldKeyId: 'A',
    newKeyId: 'B',
    where: 'keyring',
  });
  t.equal((await app.inject({ method: 'POST', url: '/rotate', payload: {} })).statusCode, 400);
  t.same(calls, ['management']);
});
