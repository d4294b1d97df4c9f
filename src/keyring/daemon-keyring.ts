import type { AwsConfig, StaticKeys } from '../aws/config.js';
import type { Logger } from '../log.js';
import { openKeyring, type KeyringSetting, type OpenKeyringDeps } from './open-keyring.js';
import { withKeyringKeys } from './overlay.js';
import { profileKeyring, type ProfileKeyring } from './profile-keys.js';
import type { KeyringKind } from './secret-store.js';
import { stateCipher, stateKey, type StateCipher } from './state-cipher.js';

/** What the daemon gets from the keyring: the state file's cipher and the profiles' keys. */
export interface DaemonKeyring {
  kind?: KeyringKind;
  /** Why no keyring is used (setting `none`, or `auto` with none answering). */
  reason?: string;
  cipher?: StateCipher;
  keys?: ProfileKeyring;
  /**
   * The config with the keyring's keys laid over it. The keyring is read here, when the
   * config (re)loads, never per request; when a read fails the last keys read stay in use.
   */
  overlay(config: AwsConfig): AwsConfig;
}

/** Opens the keyring for the daemon and says in the log which one is used, or why none is. */
export async function daemonKeyring(setting: KeyringSetting, platform: NodeJS.Platform, log: Logger, load?: OpenKeyringDeps['load']): Promise<DaemonKeyring> {
  const choice = await openKeyring({ setting, platform, ...(load ? { load } : {}) });
  if (!choice.store) {
    log.info(
      { reason: choice.reason },
      'keyring not used: long-term keys come from the credentials file and the state file is not encrypted (see `credd doctor`)',
    );
    return { reason: choice.reason, overlay: (c) => c };
  }
  const store = choice.store;
  const keys = profileKeyring(store);
  const cipher = stateCipher(stateKey(store));
  let last = new Map<string, StaticKeys>();
  log.info({ keyring: store.kind }, 'keyring in use: the state file is encrypted with a key kept there');
  return {
    kind: store.kind,
    cipher,
    keys,
    overlay(config) {
      try {
        last = keys.all();
      } catch (err) {
        log.error({ err: (err as Error).message }, 'could not read keys from the keyring; using the keys read before');
      }
      return withKeyringKeys(config, last);
    },
  };
}
