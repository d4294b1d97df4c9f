import type { StaticKeys } from '../aws/config.js';
import type { SecretStore } from './secret-store.js';

/** Long-term keys of AWS profiles, kept in the keyring. */
export interface ProfileKeyring {
  /** Names of the profiles with keys in the keyring (from credd's index entry). */
  names(): string[];
  get(profile: string): StaticKeys | undefined;
  put(profile: string, keys: StaticKeys): void;
  /** True when the profile had keys there. */
  remove(profile: string): boolean;
  /** Every profile's keys: one read per profile, done when the config is (re)loaded, never per request. */
  all(): Map<string, StaticKeys>;
}

const INDEX = 'profiles';
const account = (profile: string) => `profile:${profile}`;

function parseKeys(text: string | undefined): StaticKeys | undefined {
  if (text === undefined) return undefined;
  try {
    const v = JSON.parse(text) as Partial<StaticKeys>;
    if (typeof v.accessKeyId === 'string' && typeof v.secretAccessKey === 'string') return { accessKeyId: v.accessKeyId, secretAccessKey: v.secretAccessKey };
  } catch {
    // not ours, or damaged: treated as absent
  }
  return undefined;
}

/**
 * Profile keys over a SecretStore: one entry per profile (`profile:NAME`, JSON of the key
 * pair) and one index entry listing the names, since not every backend can enumerate.
 */
export function profileKeyring(store: SecretStore): ProfileKeyring {
  const names = (): string[] => {
    // A keyring that cannot be read throws: only a damaged index counts as empty.
    const text = store.get(INDEX) ?? '[]';
    try {
      const v = JSON.parse(text) as unknown;
      return Array.isArray(v) ? v.filter((n): n is string => typeof n === 'string') : [];
    } catch {
      return [];
    }
  };
  const writeIndex = (list: string[]) => store.set(INDEX, JSON.stringify([...new Set(list)].sort()));
  return {
    names,
    get: (profile) => parseKeys(store.get(account(profile))),
    put(profile, keys) {
      store.set(account(profile), JSON.stringify({ accessKeyId: keys.accessKeyId, secretAccessKey: keys.secretAccessKey }));
      const list = names();
      if (!list.includes(profile)) writeIndex([...list, profile]);
    },
    remove(profile) {
      const had = store.delete(account(profile));
      const list = names();
      if (list.includes(profile)) writeIndex(list.filter((n) => n !== profile));
      return had;
    },
    all() {
      const out = new Map<string, StaticKeys>();
      for (const n of names()) {
        const k = parseKeys(store.get(account(n)));
        if (k) out.set(n, k);
      }
      return out;
    },
  };
}
