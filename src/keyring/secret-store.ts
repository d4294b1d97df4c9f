import { KeyringUnavailableError } from '../errors.js';

/** The keyring backends the settings file can name (`keyring = ...`). */
export type KeyringKind = 'secret-service' | 'keychain' | 'wincred';

/** One OS keyring, seen as `account → secret text` under credd's service name. */
export interface SecretStore {
  readonly kind: KeyringKind;
  /** The secret, or undefined when there is none. Throws KeyringUnavailableError when the keyring cannot be read. */
  get(account: string): string | undefined;
  set(account: string, value: string): void;
  /** True when something was deleted. */
  delete(account: string): boolean;
}

/** The service name every credd entry is filed under (what `secret-tool search service credd` finds). */
export const SERVICE = 'credd';

/** The parts of `@napi-rs/keyring` that credd uses. */
export interface NapiKeyring {
  Entry: new (
    service: string,
    account: string,
    options?: { linux?: { store?: 'secret-service' | 'keyutils' } },
  ) => {
    getPassword(): string | null;
    setPassword(password: string): void;
    deletePassword(): boolean;
  };
}

/** Library errors carry D-Bus or OS detail; keep the first line, which never holds the secret. */
const why = (err: unknown) => (err instanceof Error ? err.message : String(err)).split('\n')[0]!;

/**
 * A SecretStore over `@napi-rs/keyring`. On Linux every entry is pinned to Secret Service:
 * the library's default would fall back to the kernel keyring, which forgets everything at reboot.
 */
export function napiSecretStore(lib: NapiKeyring, kind: KeyringKind): SecretStore {
  const options = kind === 'secret-service' ? { linux: { store: 'secret-service' as const } } : undefined;
  const entry = (account: string) => new lib.Entry(SERVICE, account, options);
  const guard = <T>(what: string, fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      throw new KeyringUnavailableError(`The ${kind} keyring could not ${what} (${why(err)}): unlock it, or see \`credd doctor\`.`, why(err));
    }
  };
  return {
    kind,
    get: (account) => guard('be read', () => entry(account).getPassword() ?? undefined),
    set: (account, value) => guard('store a secret', () => entry(account).setPassword(value)),
    delete: (account) => guard('delete a secret', () => entry(account).deletePassword()),
  };
}
