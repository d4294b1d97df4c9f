import type { KeyringKind, SecretStore } from '../../src/keyring/secret-store.js';

/** An in-memory SecretStore for unit tests (the real one is tested against gnome-keyring). */
export function memoryStore(kind: KeyringKind = 'secret-service'): SecretStore & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    kind,
    data,
    get: (a) => data.get(a),
    set: (a, v) => void data.set(a, v),
    delete: (a) => data.delete(a),
  };
}
