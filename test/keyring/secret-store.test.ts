import t from 'tap';
import { startKeyringSession } from '../helpers/keyring-session.js';
import { openKeyring } from '../../src/keyring/open-keyring.js';
import { profileKeyring } from '../../src/keyring/profile-keys.js';

// Against a real gnome-keyring on a throwaway D-Bus session bus.
const session = await startKeyringSession(t);
if (session) {
  process.env.DBUS_SESSION_BUS_ADDRESS = session.env.DBUS_SESSION_BUS_ADDRESS;

  t.test('auto picks Secret Service on Linux and it keeps what it is given', async (t) => {
    const choice = await openKeyring({ setting: 'auto', platform: 'linux' });
    t.ok(choice.store, 'a keyring');
    const store = choice.store!;
    t.equal(store.kind, 'secret-service');
    t.equal(store.get('nothing-here'), undefined);
    store.set('x', 'secret value');
    t.equal(store.get('x'), 'secret value');
    t.equal(store.delete('x'), true);
    t.equal(store.delete('x'), false, 'gone');
  });

  t.test('profile keys: put, list, read back, remove', async (t) => {
    const kr = profileKeyring((await openKeyring({ setting: 'secret-service', platform: 'linux' })).store!);
    kr.put('management', { accessKeyId: 'AKIAONE', secretAccessKey: 'one/secret+1' });
    kr.put('other', { accessKeyId: 'AKIATWO', secretAccessKey: 'two' });
    kr.put('other', { accessKeyId: 'AKIATWO', secretAccessKey: 'two-b' });
    t.same(kr.names(), ['management', 'other']);
    t.same(kr.get('other'), { accessKeyId: 'AKIATWO', secretAccessKey: 'two-b' });
    t.same([...kr.all().keys()], ['management', 'other']);
    t.equal(kr.remove('other'), true);
    t.equal(kr.remove('other'), false);
    t.same(kr.names(), ['management']);
    t.equal(kr.get('other'), undefined);
  });
}
