import type { StaticKeys } from '../aws/config.js';
import type { AccessKeyInfo, KeyOps } from '../aws/iam.js';
import type { Rotated } from '../control/contract.js';
import { RotateError } from '../errors.js';

export interface RotateKeyDeps {
  profile: string;
  /** The key in use now. */
  old: StaticKeys;
  /** 'keyring' or the credentials file, for the messages. */
  where: string;
  ops: KeyOps;
  /** Puts the new key where the old one was. */
  store(keys: StaticKeys): void;
  sleep(ms: number): Promise<void>;
  /** How often, and how far apart, to try the new key (IAM is eventually consistent). */
  attempts: number;
  delayMs: number;
}

/** The answer of `credd rotate` (the control contract's `Rotated`). */
export type RotateResult = Rotated;

const first = (err: unknown) => (err instanceof Error ? err.message : String(err)).split('\n')[0];
const deleteHint = (id: string) => `\`aws iam delete-access-key --access-key-id ${id}\``;

/**
 * Rotates a long-term key: CreateAccessKey, wait until the new key works, store it where
 * the old one was, DeleteAccessKey the old one. Every failure leaves a working key in
 * place and the error says which one, and what is left to clean up.
 */
export async function rotateKey(d: RotateKeyDeps): Promise<RotateResult> {
  const oldId = d.old.accessKeyId;
  let existing: AccessKeyInfo[];
  try {
    existing = await d.ops.listKeys();
  } catch (err) {
    throw new RotateError(`ListAccessKeys failed (${first(err)}): nothing changed, ${oldId} stays in use.`);
  }
  if (existing.length >= 2) {
    const list = existing.map((k) => `${k.id} (${k.status}${k.created ? `, created ${k.created}` : ''})`).join(' and ');
    const other = existing.find((k) => k.id !== oldId)?.id ?? existing[0]!.id;
    throw new RotateError(
      `The IAM user already has two access keys, IAM's limit: ${list}. Delete the one not in use (${deleteHint(other)}) and run \`credd rotate ${d.profile}\` again.`,
      409,
    );
  }
  let fresh: StaticKeys;
  try {
    fresh = await d.ops.createKey();
  } catch (err) {
    throw new RotateError(`CreateAccessKey failed (${first(err)}): nothing changed, ${oldId} stays in use.`);
  }
  // Undoes the creation: the old key is still the one stored and it still works.
  const abandon = async (why: string): Promise<never> => {
    try {
      await d.ops.deleteKey(fresh.accessKeyId);
    } catch (err) {
      throw new RotateError(
        `${why}; deleting the new key ${fresh.accessKeyId} failed too (${first(err)}): delete it with ${deleteHint(fresh.accessKeyId)}. ${oldId} stays in use.`,
      );
    }
    throw new RotateError(`${why}; the new key ${fresh.accessKeyId} was deleted again and ${oldId} stays in use.`);
  };
  let works = false;
  for (let i = 0; i < d.attempts && !works; i++) {
    if (i > 0) await d.sleep(d.delayMs);
    works = await d.ops.works(fresh);
  }
  if (!works) await abandon(`The new key ${fresh.accessKeyId} was not accepted by STS after ${d.attempts} tries`);
  try {
    d.store(fresh);
  } catch (err) {
    await abandon(`Storing the new key in the ${d.where} failed (${first(err)})`);
  }
  try {
    await d.ops.deleteKey(oldId);
  } catch (err) {
    throw new RotateError(
      `The new key ${fresh.accessKeyId} is stored in the ${d.where} and in use, but deleting the old key ${oldId} failed (${first(err)}): delete it with ${deleteHint(oldId)}.`,
    );
  }
  return { profile: d.profile, oldKeyId: oldId, newKeyId: fresh.accessKeyId, where: d.where };
}
