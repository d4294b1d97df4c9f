import { ConfigError, KeyringUnavailableError } from '../errors.js';
import { napiSecretStore, type KeyringKind, type NapiKeyring, type SecretStore } from './secret-store.js';

/** The `keyring` setting. */
export type KeyringSetting = 'auto' | 'none' | KeyringKind;

/** The keyring credd uses, or why none is used. */
export type KeyringChoice = { store: SecretStore } | { store?: undefined; reason: string };

export interface OpenKeyringDeps {
  setting: KeyringSetting;
  platform: NodeJS.Platform;
  /** Loads `@napi-rs/keyring` (injected in tests). */
  load?(): Promise<NapiKeyring>;
}

const NATIVE: Partial<Record<NodeJS.Platform, KeyringKind>> = { linux: 'secret-service', freebsd: 'secret-service', darwin: 'keychain', win32: 'wincred' };

/** How to get a usable keyring on each platform, for messages and `credd doctor`. */
export function keyringHelp(platform: NodeJS.Platform): string {
  if (platform === 'darwin') return 'unlock the login keychain';
  if (platform === 'win32') return 'use a Windows account with Credential Manager';
  return 'run a Secret Service (gnome-keyring or KeePassXC with Secret Service on) and make DBUS_SESSION_BUS_ADDRESS reach it; see docs/configuration.md';
}

/** The account read to check the keyring works: the state key, which the daemon needs anyway. */
export const PROBE_ACCOUNT = 'state-key';

/**
 * Opens the keyring the setting asks for and checks it answers. `none` uses none; `auto`
 * uses the platform's own keyring when it answers and otherwise says why not (today's
 * plain files); a named backend that is not there is an error, never a fallback.
 */
export async function openKeyring(deps: OpenKeyringDeps): Promise<KeyringChoice> {
  if (deps.setting === 'none') return { reason: 'the settings file says keyring = none' };
  const native = NATIVE[deps.platform];
  if (deps.setting !== 'auto' && deps.setting !== native) {
    throw new ConfigError(`Setting keyring = ${deps.setting} is not available on ${deps.platform}${native ? `: use ${native} or auto` : ': use none'}.`);
  }
  const unusable = (reason: string): KeyringChoice => {
    if (deps.setting === 'auto') return { reason };
    throw new KeyringUnavailableError(`keyring = ${deps.setting}, but ${reason}: ${keyringHelp(deps.platform)}, or set keyring = none.`);
  };
  if (!native) return unusable(`credd knows no keyring on ${deps.platform}`);
  let lib: NapiKeyring;
  try {
    lib = await (deps.load ?? (async () => (await import('@napi-rs/keyring')) as unknown as NapiKeyring))();
  } catch (err) {
    return unusable(`the keyring library did not load (${(err as Error).message.split('\n')[0]})`);
  }
  const store = napiSecretStore(lib, native);
  try {
    store.get(PROBE_ACCOUNT);
  } catch (err) {
    return unusable(`the ${native} keyring did not answer (${(err as KeyringUnavailableError).detail})`);
  }
  return { store };
}
