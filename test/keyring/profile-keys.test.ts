import t from 'tap';
import { profileKeyring } from '../../src/keyring/profile-keys.js';
import { withKeyringKeys } from '../../src/keyring/overlay.js';
import type { AwsConfig } from '../../src/aws/config.js';
import { memoryStore } from './memory-store.js';

t.test('damaged entries count as absent', async (t) => {
  const store = memoryStore();
  const kr = profileKeyring(store);
  t.same(kr.names(), []);
  store.set('profiles', 'not json');
  t.same(kr.names(), []);
  store.set('profiles', '{"a":1}');
  t.same(kr.names(), []);
  store.set('profiles', '["a", 3, "b"]');
  t.same(kr.names(), ['a', 'b']);
  store.set('profile:a', '{"accessKeyId":"A"}');
  store.set('profile:b', 'garbage');
  t.equal(kr.get('a'), undefined);
  t.equal(kr.get('b'), undefined);
  t.same([...kr.all()], []);
  t.equal(kr.remove('zzz'), false);
  t.same(kr.names(), ['a', 'b'], 'index unchanged by removing an unknown name');
});

t.test('withKeyringKeys: the keyring wins; keyring-only profiles appear', async (t) => {
  const config: AwsConfig = {
    defaultHasKeys: false,
    ssoSessions: new Map(),
    warnings: [],
    profiles: new Map([
      ['m', { name: 'm', region: 'r', keys: { accessKeyId: 'FILE', secretAccessKey: 'f' } }],
      ['x', { name: 'x' }],
    ]),
  };
  t.equal(withKeyringKeys(config, new Map()), config, 'nothing to lay over');
  const out = withKeyringKeys(
    config,
    new Map([
      ['m', { accessKeyId: 'RING', secretAccessKey: 'r' }],
      ['solo', { accessKeyId: 'S', secretAccessKey: 's' }],
    ]),
  );
  t.same(out.profiles.get('m'), { name: 'm', region: 'r', keys: { accessKeyId: 'RING', secretAccessKey: 'r' } });
  t.same(out.profiles.get('solo'), { name: 'solo', keys: { accessKeyId: 'S', secretAccessKey: 's' } });
  t.equal(config.profiles.get('m')!.keys!.accessKeyId, 'FILE', 'the input is not changed');
});
