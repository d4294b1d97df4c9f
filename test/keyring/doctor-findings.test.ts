import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { keyringFindings } from '../../src/cli/doctor/keyring-checks.js';
import { daemonKeyring } from '../../src/keyring/daemon-keyring.js';
import { profileKeyring } from '../../src/keyring/profile-keys.js';
import { ConfigError } from '../../src/errors.js';
import { createLogger } from '../../src/log.js';
import type { AwsConfig } from '../../src/aws/config.js';
import type { NapiKeyring } from '../../src/keyring/secret-store.js';
import { memoryStore } from './memory-store.js';

t.test('doctor: why no keyring is used, an unusable named one, plaintext copies', async (t) => {
  const dir = t.testdir({});
  const credentialsFile = join(dir, 'credentials');
  writeFileSync(credentialsFile, '[m]\naws_access_key_id = A\naws_secret_access_key = B\n[n]\n');
  const base = { platform: 'linux' as const, credentialsFile };
  t.same(await keyringFindings({ ...base, setting: 'none', open: async () => ({ reason: 'none' }) }), []);
  const [auto] = await keyringFindings({ ...base, setting: 'auto', open: async () => ({ reason: 'the secret-service keyring did not answer (no bus)' }) });
  t.match(auto, {
    code: 'KeyringUnavailable',
    severity: 'warning',
    message:
      /No keyring is used \(the secret-service keyring did not answer \(no bus\)\), so long-term keys stay in .*credentials and the state file .* is not encrypted/,
    fix: /gnome-keyring or KeePassXC.*credd keys import PROFILE/,
  });
  const [named] = await keyringFindings({
    ...base,
    setting: 'secret-service',
    open: async () => Promise.reject(new ConfigError('keyring = secret-service, but no bus.')),
  });
  t.match(named, { code: 'KeyringUnavailable', severity: 'error', message: /The daemon does not start like this/ });
  const store = memoryStore();
  profileKeyring(store).put('m', { accessKeyId: 'A', secretAccessKey: 'B' });
  profileKeyring(store).put('n', { accessKeyId: 'C', secretAccessKey: 'D' });
  t.match(await keyringFindings({ ...base, setting: 'auto', open: async () => ({ store }) }), [
    { code: 'PlaintextKeys', message: /Profile "m" has keys in the keyring \(they win\) and a plaintext copy/ },
  ]);
});

t.test('daemon keyring: none, or the cipher and keys read at config load, the last good kept', async (t) => {
  let lines = '';
  const log = createLogger({ destination: new Writable({ write: (c, _e, cb) => ((lines += c.toString()), cb()) }) });
  const off = await daemonKeyring('none', 'linux', log);
  const config: AwsConfig = { profiles: new Map(), defaultHasKeys: false, ssoSessions: new Map(), warnings: [] };
  t.equal(off.overlay(config), config);
  t.equal(off.cipher, undefined);
  t.match(lines, /keyring not used/);

  const data = new Map<string, string>();
  let broken = false;
  let reads = 0;
  const lib: NapiKeyring = {
    Entry: class {
      constructor(
        private s: string,
        private a: string,
      ) {}
      getPassword() {
        reads++;
        if (broken) throw new Error('locked');
        return data.get(this.a) ?? null;
      }
      setPassword(p: string) {
        data.set(this.a, p);
      }
      deletePassword() {
        return data.delete(this.a);
      }
    },
  };
  const on = await daemonKeyring('auto', 'linux', log, async () => lib);
  t.equal(on.kind, 'secret-service');
  t.ok(data.get('state-key'), 'a state key was made');
  t.equal(on.cipher!.open(on.cipher!.seal('x')), 'x');
  on.keys!.put('m', { accessKeyId: 'RING', secretAccessKey: 's' });
  const before = reads;
  t.equal(on.overlay(config).profiles.get('m')?.keys?.accessKeyId, 'RING');
  t.ok(reads - before <= 2, 'one read for the index, one per profile');
  broken = true;
  t.equal(on.overlay(config).profiles.get('m')?.keys?.accessKeyId, 'RING', 'a failed read keeps the keys read before');
  t.match(lines, /could not read keys from the keyring/);
});
