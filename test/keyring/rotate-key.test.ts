import t from 'tap';
import type { AccessKeyInfo, KeyOps } from '../../src/aws/iam.js';
import type { StaticKeys } from '../../src/aws/config.js';
import { rotateKey } from '../../src/keyring/rotate-key.js';

const OLD = { accessKeyId: 'AKIAOLD', secretAccessKey: 'old' };
const NEW = { accessKeyId: 'AKIANEW', secretAccessKey: 'new-secret' };

/** A fake IAM user: its keys, and switches to make each call fail. */
function world(
  opts: { keys?: AccessKeyInfo[]; fail?: Partial<Record<'list' | 'create' | 'deleteNew' | 'deleteOld' | 'store', string>>; worksAfter?: number } = {},
) {
  const keys: AccessKeyInfo[] = opts.keys ?? [{ id: 'AKIAOLD', status: 'Active', created: '2024-01-01' }];
  const stored: StaticKeys[] = [];
  let tries = 0;
  const sleeps: number[] = [];
  const f = opts.fail ?? {};
  const ops: KeyOps = {
    listKeys: async () => (f.list ? Promise.reject(new Error(f.list)) : keys),
    createKey: async () => {
      if (f.create) throw new Error(f.create);
      keys.push({ id: NEW.accessKeyId, status: 'Active' });
      return NEW;
    },
    deleteKey: async (id) => {
      if (id === NEW.accessKeyId && f.deleteNew) throw new Error(f.deleteNew);
      if (id === OLD.accessKeyId && f.deleteOld) throw new Error(f.deleteOld);
      keys.splice(
        keys.findIndex((k) => k.id === id),
        1,
      );
    },
    works: async () => ++tries > (opts.worksAfter ?? 0),
  };
  const run = () =>
    rotateKey({
      profile: 'management',
      old: OLD,
      where: 'keyring',
      ops,
      attempts: 4,
      delayMs: 50,
      store: (k) => {
        if (f.store) throw new Error(f.store);
        stored.push(k);
      },
      sleep: async (ms) => void sleeps.push(ms),
    });
  return { keys, stored, sleeps, run, tries: () => tries };
}

t.test('create, wait until it works, store, delete the old one', async (t) => {
  const w = world({ worksAfter: 2 });
  t.same(await w.run(), { profile: 'management', oldKeyId: 'AKIAOLD', newKeyId: 'AKIANEW', where: 'keyring' });
  t.same(w.stored, [NEW]);
  t.same(
    w.keys.map((k) => k.id),
    ['AKIANEW'],
  );
  t.same(w.sleeps, [50, 50], 'retried with a pause');
});

t.test('two keys already: refused, naming both, nothing done', async (t) => {
  const w = world({
    keys: [
      { id: 'AKIAOLD', status: 'Active', created: '2024-01-01' },
      { id: 'AKIAOTHER', status: 'Inactive' },
    ],
  });
  await t.rejects(w.run(), {
    code: 'RotateFailed',
    status: 409,
    message: /two access keys.*AKIAOLD \(Active, created 2024-01-01\) and AKIAOTHER \(Inactive\).*--access-key-id AKIAOTHER/,
  });
  t.same(w.stored, []);
  t.equal(w.keys.length, 2);
  // Two keys, neither the one in use: the hint names the first.
  const x = world({
    keys: [
      { id: 'AKIAX', status: 'Active' },
      { id: 'AKIAY', status: 'Active' },
    ],
  });
  await t.rejects(x.run(), { message: /--access-key-id AKIAX\b/ });
});

t.test('each failure leaves a working key and says what happened', async (t) => {
  await t.rejects(world({ fail: { list: 'AccessDenied: MFA needed' } }).run(), {
    message: /ListAccessKeys failed \(AccessDenied: MFA needed\): nothing changed, AKIAOLD stays in use/,
  });
  await t.rejects(world({ fail: { create: 'LimitExceeded' } }).run(), { message: /CreateAccessKey failed \(LimitExceeded\): nothing changed/ });

  const never = world({ worksAfter: 99 });
  await t.rejects(never.run(), { message: /AKIANEW was not accepted by STS after 4 tries; the new key AKIANEW was deleted again and AKIAOLD stays in use/ });
  t.same(
    never.keys.map((k) => k.id),
    ['AKIAOLD'],
  );
  t.equal(never.tries(), 4, 'bounded');

  const stuck = world({ worksAfter: 99, fail: { deleteNew: 'Throttling' } });
  await t.rejects(stuck.run(), {
    message:
      /deleting the new key AKIANEW failed too \(Throttling\): delete it with `aws iam delete-access-key --access-key-id AKIANEW`\. AKIAOLD stays in use/,
  });

  const unstored = world({ fail: { store: 'keyring locked' } });
  await t.rejects(unstored.run(), { message: /Storing the new key in the keyring failed \(keyring locked\); the new key AKIANEW was deleted again/ });
  t.same(
    unstored.keys.map((k) => k.id),
    ['AKIAOLD'],
  );

  const oldStays = world({ fail: { deleteOld: 'AccessDenied' } });
  await t.rejects(oldStays.run(), {
    message: /AKIANEW is stored in the keyring and in use, but deleting the old key AKIAOLD failed \(AccessDenied\): delete it with/,
  });
  t.same(oldStays.stored, [NEW]);
});
