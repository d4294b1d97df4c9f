import t from 'tap';
import { keyringHelp, openKeyring } from '../../src/keyring/open-keyring.js';
import { napiSecretStore, type NapiKeyring } from '../../src/keyring/secret-store.js';
import type { KeyringUnavailableError } from '../../src/errors.js';

/** A fake of @napi-rs/keyring: an in-memory map, or one that fails as a missing D-Bus does. */
function fakeLib(opts: { fail?: string; seen?: unknown[] } = {}): NapiKeyring {
  const data = new Map<string, string>();
  return {
    Entry: class {
      k: string;
      constructor(service: string, account: string, options?: unknown) {
        opts.seen?.push(options);
        if (opts.fail) throw new Error(`${opts.fail}\nsecond line`);
        this.k = `${service}/${account}`;
      }
      getPassword() {
        return data.get(this.k) ?? null;
      }
      setPassword(p: string) {
        data.set(this.k, p);
      }
      deletePassword() {
        return data.delete(this.k);
      }
    },
  };
}

t.test('none uses no keyring and loads nothing', async (t) => {
  const c = await openKeyring({ setting: 'none', platform: 'linux', load: () => t.fail('loaded') as never });
  t.equal(c.store, undefined);
  t.match((c as { reason: string }).reason, /keyring = none/);
});

t.test('auto on Linux: Secret Service, pinned so that it never falls back to the kernel keyring', async (t) => {
  const seen: unknown[] = [];
  const c = await openKeyring({ setting: 'auto', platform: 'linux', load: async () => fakeLib({ seen }) });
  t.equal(c.store?.kind, 'secret-service');
  t.same(seen[0], { linux: { store: 'secret-service' } });
  const mac = await openKeyring({ setting: 'auto', platform: 'darwin', load: async () => fakeLib({ seen }) });
  t.equal(mac.store?.kind, 'keychain');
  t.equal(seen.at(-1), undefined, 'no Linux option elsewhere');
  t.equal((await openKeyring({ setting: 'wincred', platform: 'win32', load: async () => fakeLib() })).store?.kind, 'wincred');
});

t.test('auto without a working keyring: the reason, no error', async (t) => {
  const c = await openKeyring({ setting: 'auto', platform: 'linux', load: async () => fakeLib({ fail: 'DBus error: no bus' }) });
  t.equal(c.store, undefined);
  t.equal((c as { reason: string }).reason, 'the secret-service keyring did not answer (DBus error: no bus)');
  const noLib = await openKeyring({ setting: 'auto', platform: 'linux', load: async () => Promise.reject(new Error('no binary for this platform')) });
  t.match((noLib as { reason: string }).reason, /library did not load \(no binary/);
  t.match((await openKeyring({ setting: 'auto', platform: 'aix' })) as { reason: string }, { reason: /no keyring on aix/ });
});

t.test('a named keyring that does not work is an error, never a fallback', async (t) => {
  await t.rejects(openKeyring({ setting: 'secret-service', platform: 'linux', load: async () => fakeLib({ fail: 'DBus error: no bus' }) }), {
    code: 'KeyringUnavailable',
    message: /keyring = secret-service, but the secret-service keyring did not answer \(DBus error: no bus\): run a Secret Service/,
  });
  await t.rejects(openKeyring({ setting: 'keychain', platform: 'linux' }), {
    code: 'ConfigError',
    message: /keychain is not available on linux: use secret-service or auto/,
  });
  await t.rejects(openKeyring({ setting: 'wincred', platform: 'aix' }), { message: /use none/ });
});

t.test('the store wraps library failures in one clear error with the detail kept', async (t) => {
  const broken = napiSecretStore(fakeLib({ fail: 'locked' }), 'keychain');
  for (const op of [() => broken.get('a'), () => broken.set('a', 'b'), () => broken.delete('a')]) {
    const err = (() => {
      try {
        op();
      } catch (e) {
        return e as KeyringUnavailableError;
      }
    })();
    t.equal(err?.code, 'KeyringUnavailable');
    t.equal(err?.detail, 'locked');
    t.notMatch(err?.message, /second line/);
  }
  t.match(keyringHelp('darwin'), /keychain/);
  t.match(keyringHelp('win32'), /Credential Manager/);
  t.match(keyringHelp('linux'), /gnome-keyring or KeePassXC/);
});
