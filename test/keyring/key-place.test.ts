import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { BadRequestError } from '../../src/errors.js';
import { fileKeys, importKeys, locateKeys, replaceKeys } from '../../src/keyring/key-place.js';
import { profileKeyring } from '../../src/keyring/profile-keys.js';
import { memoryStore } from './memory-store.js';

const OLD = { accessKeyId: 'AKIAOLD0000000000001', secretAccessKey: 'old-secret' };
const NEW = { accessKeyId: 'AKIANEW0000000000002', secretAccessKey: 'new-secret' };

/** A credentials file (0600) with [iam] holding OLD, a [temp] with a session token and a [half] with only an ID. */
function credentialsFile(t: Test): string {
  const file = join(t.testdir(), 'credentials');
  writeFileSync(
    file,
    `# mine\n[iam]\naws_access_key_id = ${OLD.accessKeyId}\naws_secret_access_key = ${OLD.secretAccessKey}\nregion = eu-west-1\n\n[temp]\naws_access_key_id = ASIA1\naws_secret_access_key = s\naws_session_token = SECRETSESSIONTOKEN\n\n[half]\naws_access_key_id = AKIAHALF\n`,
  );
  chmodSync(file, 0o600);
  return file;
}

t.test('fileKeys: a pair (with its session token if any), else nothing', async (t) => {
  const file = credentialsFile(t);
  t.same(fileKeys(file, 'iam'), OLD);
  t.same(fileKeys(file, 'temp'), { accessKeyId: 'ASIA1', secretAccessKey: 's', sessionToken: 'SECRETSESSIONTOKEN' });
  t.equal(fileKeys(file, 'half'), undefined, 'an ID without a secret is no pair');
  t.equal(fileKeys(file, 'none'), undefined);
  t.equal(fileKeys(join(t.testdir(), 'missing'), 'iam'), undefined, 'no file: no keys');
});

t.test('locateKeys: the keyring wins over the file', async (t) => {
  const file = credentialsFile(t);
  const keyring = profileKeyring(memoryStore());
  t.same(locateKeys('iam', keyring, file), { where: 'file', keys: OLD });
  t.same(locateKeys('iam', undefined, file), { where: 'file', keys: OLD }, 'no keyring at all');
  keyring.put('iam', NEW);
  t.same(locateKeys('iam', keyring, file), { where: 'keyring', keys: NEW });
  t.same(
    locateKeys('temp', keyring, file),
    { where: 'file', keys: { accessKeyId: 'ASIA1', secretAccessKey: 's' } },
    'the session token is not a long-term key',
  );
  t.equal(locateKeys('none', keyring, file), undefined);
});

t.test('replaceKeys: in the file, the rest of it and its mode untouched', async (t) => {
  const file = credentialsFile(t);
  replaceKeys('file', 'iam', NEW, undefined, file);
  const text = readFileSync(file, 'utf8');
  t.match(text, `aws_access_key_id = ${NEW.accessKeyId}`);
  t.notMatch(text, OLD.secretAccessKey);
  t.match(text, /# mine\n\[iam\][\s\S]*region = eu-west-1[\s\S]*\[temp\]/);
  t.equal(statSync(file).mode & 0o777, 0o600);
});

t.test('replaceKeys: in the keyring, read back to be sure it landed', async (t) => {
  const file = credentialsFile(t);
  const store = memoryStore();
  const keyring = profileKeyring(store);
  replaceKeys('keyring', 'iam', NEW, keyring, file);
  t.same(keyring.get('iam'), NEW);
  t.match(readFileSync(file, 'utf8'), OLD.secretAccessKey, 'the file is not touched');
  const forgetful = profileKeyring({ ...store, set: () => undefined });
  t.throws(() => replaceKeys('keyring', 'other', NEW, forgetful, file), /did not keep the new key/);
});

t.test('importKeys: into the keyring, then the two lines leave the file', async (t) => {
  const file = credentialsFile(t);
  const keyring = profileKeyring(memoryStore());
  t.same(importKeys('iam', keyring, file), OLD);
  t.same(keyring.get('iam'), OLD);
  const text = readFileSync(file, 'utf8');
  t.notMatch(text, OLD.accessKeyId);
  t.notMatch(text, OLD.secretAccessKey);
  t.match(text, /\[iam\]\nregion = eu-west-1/, 'the section and its other lines stay');
  t.equal(statSync(file).mode & 0o777, 0o600);
});

t.test('importKeys refuses what it cannot move, saying what to do', async (t) => {
  const file = credentialsFile(t);
  const keyring = profileKeyring(memoryStore());
  const none = t.throws(() => importKeys('none', keyring, file)) as BadRequestError;
  t.type(none, BadRequestError);
  t.match(none.message, /No aws_access_key_id\/aws_secret_access_key under \[none\].*credd keys add none/);
  keyring.put('none', NEW);
  t.match((t.throws(() => importKeys('none', keyring, file)) as Error).message, /the keyring already has keys for it/);
  const temp = t.throws(() => importKeys('temp', keyring, file)) as BadRequestError;
  t.match(temp.message, /temporary credentials \(aws_session_token\)/);
  t.notMatch(temp.message, /SECRETSESSIONTOKEN|ASIA1/, 'no secret in the message');
  t.match(readFileSync(file, 'utf8'), 'aws_session_token = SECRETSESSIONTOKEN', 'and the file is left as it was');
});
