import { FALLBACK_REGION, resolveStsEndpoint, type EnvEndpoints } from '../aws/endpoints.js';
import type { KeyOps, KeyOpsTarget } from '../aws/iam.js';
import { BadRequestError, RotateError } from '../errors.js';
import type { DaemonKeyring } from '../keyring/daemon-keyring.js';
import { locateKeys, replaceKeys } from '../keyring/key-place.js';
import { rotateKey, type RotateResult } from '../keyring/rotate-key.js';
import type { Logger } from '../log.js';
import type { Core } from './core.js';

export interface RotatorDeps {
  core: Core;
  keyring: DaemonKeyring;
  credentialsFile: string;
  endpoints: EnvEndpoints;
  now(): number;
  log: Logger;
  /** The IAM/STS calls (default: the SDK clients, imported on first use). */
  keyOps?(target: KeyOpsTarget): Promise<KeyOps>;
  sleep?(ms: number): Promise<void>;
  /** Tries of the new key, and the pause between them (default 10 × 2 s, inside the CLI's 30 s wait). */
  attempts?: number;
  delayMs?: number;
}

const realOps = async (target: KeyOpsTarget) => (await import('../aws/iam.js')).createKeyOps(target);

/**
 * `credd rotate` runs here, in the daemon, because the daemon holds the MFA session that
 * IAM wants: no second code, and the new secret never crosses the control socket.
 */
export function createRotator(d: RotatorDeps): (profile: string) => Promise<RotateResult> {
  let busy = false;
  return async (profile) => {
    if (busy) throw new RotateError('A rotation is already running: wait for it to finish.', 409);
    const place = locateKeys(profile, d.keyring.keys, d.credentialsFile);
    if (!place)
      throw new BadRequestError(
        `Profile "${profile}" has no long-term keys in the keyring or in ${d.credentialsFile}: name the profile that holds them (its source_profile).`,
      );
    // The MFA session of this user, if credd holds one (IAM may refuse calls without MFA); one about to end is not used.
    const session = d.core.sourceSession(profile, d.now() + 60_000);
    let profileEndpoint: string | undefined;
    try {
      profileEndpoint = d.core.plan(profile).endpointUrl;
    } catch {
      // a profile outside the config (keyring only): the environment's endpoints apply
    }
    busy = true;
    try {
      const ops = await (d.keyOps ?? realOps)({
        credentials: session?.credentials ?? place.keys,
        userKeys: place.keys,
        ...((d.endpoints.iam ?? d.endpoints.global) ? { iamEndpoint: d.endpoints.iam ?? d.endpoints.global } : {}),
        ...(resolveStsEndpoint(d.endpoints, profileEndpoint) ? { stsEndpoint: resolveStsEndpoint(d.endpoints, profileEndpoint) } : {}),
        region: d.core.region(profile) ?? FALLBACK_REGION,
      }).catch((err: unknown) => {
        throw new RotateError(
          `Could not tell which IAM user holds ${place.keys.accessKeyId} (${(err as Error).message.split('\n')[0]}): nothing changed, that key stays in use.`,
        );
      });
      const out = await rotateKey({
        profile,
        old: place.keys,
        where: place.where === 'keyring' ? 'keyring' : 'credentials file',
        ops,
        store: (k) => replaceKeys(place.where, profile, k, d.keyring.keys, d.credentialsFile),
        sleep: d.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
        attempts: d.attempts ?? 10,
        delayMs: d.delayMs ?? 2000,
      });
      d.core.reload();
      d.log.info({ profile, oldKeyId: out.oldKeyId, newKeyId: out.newKeyId, where: out.where, withSession: Boolean(session) }, 'access key rotated');
      return out;
    } catch (err) {
      d.log.warn({ profile, err: (err as Error).message }, 'access key rotation stopped');
      throw err;
    } finally {
      busy = false;
    }
  };
}
