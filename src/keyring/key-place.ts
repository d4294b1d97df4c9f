import type { StaticKeys } from '../aws/config.js';
import { BadRequestError } from '../errors.js';
import { readOrEmpty, removeKeys, sectionValues, setValue, writeKeepingMode } from './credentials-file.js';
import type { ProfileKeyring } from './profile-keys.js';

export const ID = 'aws_access_key_id';
export const SECRET = 'aws_secret_access_key';

/** Where a profile's long-term keys are: the keyring wins over the credentials file. */
export interface KeyPlace {
  where: 'keyring' | 'file';
  keys: StaticKeys;
}

/** The key pair of `[profile]` in the credentials file, if it has both. */
export function fileKeys(credentialsFile: string, profile: string): (StaticKeys & { sessionToken?: string }) | undefined {
  const v = sectionValues(readOrEmpty(credentialsFile), profile);
  const accessKeyId = v?.get(ID);
  const secretAccessKey = v?.get(SECRET);
  if (!accessKeyId || !secretAccessKey) return undefined;
  const sessionToken = v?.get('aws_session_token');
  return sessionToken ? { accessKeyId, secretAccessKey, sessionToken } : { accessKeyId, secretAccessKey };
}

/** Finds a profile's keys, keyring first. */
export function locateKeys(profile: string, keyring: ProfileKeyring | undefined, credentialsFile: string): KeyPlace | undefined {
  const k = keyring?.get(profile);
  if (k) return { where: 'keyring', keys: k };
  const f = fileKeys(credentialsFile, profile);
  return f ? { where: 'file', keys: { accessKeyId: f.accessKeyId, secretAccessKey: f.secretAccessKey } } : undefined;
}

/** Puts new keys where the old ones were (read back from the keyring to be sure they landed). */
export function replaceKeys(place: KeyPlace['where'], profile: string, keys: StaticKeys, keyring: ProfileKeyring | undefined, credentialsFile: string): void {
  if (place === 'keyring') {
    keyring!.put(profile, keys);
    if (keyring!.get(profile)?.secretAccessKey !== keys.secretAccessKey) throw new Error('the keyring did not keep the new key');
    return;
  }
  let text = readOrEmpty(credentialsFile);
  text = setValue(text, profile, ID, keys.accessKeyId);
  text = setValue(text, profile, SECRET, keys.secretAccessKey);
  writeKeepingMode(credentialsFile, text);
}

/**
 * `credd keys import`: copies `[profile]`'s key pair from the credentials file into the
 * keyring, checks it reads back, then removes the two lines from the file (the section stays).
 */
export function importKeys(profile: string, keyring: ProfileKeyring, credentialsFile: string): StaticKeys {
  const keys = fileKeys(credentialsFile, profile);
  if (!keys) {
    const held = keyring.get(profile) ? ' (the keyring already has keys for it)' : '';
    throw new BadRequestError(`No ${ID}/${SECRET} under [${profile}] in ${credentialsFile}${held}: use \`credd keys add ${profile}\` to type them in.`);
  }
  if (keys.sessionToken) {
    throw new BadRequestError(
      `[${profile}] in ${credentialsFile} holds temporary credentials (aws_session_token): credd keeps only long-term keys in the keyring.`,
    );
  }
  replaceKeys('keyring', profile, keys, keyring, credentialsFile);
  writeKeepingMode(credentialsFile, removeKeys(readOrEmpty(credentialsFile), profile, [ID, SECRET]));
  return keys;
}
