import { readFileSync, renameSync, unlinkSync } from 'node:fs';
import { removeStaleTemps, writeFileAtomic } from './secure-fs.js';
import { SEALED_PREFIX, type StateCipher } from '../keyring/state-cipher.js';

/** Temporary credentials as kept on disk (0600). */
export interface StoredKeys {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  /** ISO-8601 */
  expiration: string;
}

/** A source session as kept on disk. */
export interface StoredSession extends StoredKeys {
  key: string;
  root: string;
  mfaSerial?: string;
}

/** A profile's assumed-role credentials as kept on disk, so a restart serves them without STS. */
export interface StoredCredentials extends StoredKeys {
  profile: string;
  roleArn?: string;
  accountId?: string;
  /** Epoch ms. */
  obtainedAt: number;
}

/** What survives a restart. */
export interface PersistedState {
  version: 1;
  activeProfile?: string;
  sessions: StoredSession[];
  /** Added later within version 1: older files have none. */
  credentials?: StoredCredentials[];
  /** Profile → when it was last requested (epoch ms), so the profiles in use stay warm across a restart. */
  lastUse?: Record<string, number>;
}

/** Reads and writes the state file. */
export interface StateStore {
  load(): PersistedState;
  save(state: PersistedState): void;
  erase(): void;
}

export interface StateStoreDeps {
  file: string;
  /** Told when a corrupt file was set aside. */
  warn(message: string): void;
  now(): number;
  /** With a keyring: the file is encrypted with its key; a file that fails to open counts as corrupt. */
  cipher?: StateCipher;
}

const EMPTY: PersistedState = { version: 1, sessions: [] };

const isStr = (v: unknown): v is string => typeof v === 'string';
const keysOk = (x: Partial<StoredKeys> | null | undefined) =>
  typeof x === 'object' &&
  x !== null &&
  isStr(x.accessKeyId) &&
  isStr(x.secretAccessKey) &&
  isStr(x.sessionToken) &&
  isStr(x.expiration) &&
  !Number.isNaN(Date.parse(x.expiration));

/** The shape check of a parsed state file: anything else counts as corrupt. */
export function validState(s: unknown): s is PersistedState {
  const v = s as PersistedState;
  if (typeof v !== 'object' || v === null || v.version !== 1 || !Array.isArray(v.sessions)) return false;
  if (!v.sessions.every((x) => keysOk(x) && isStr(x.key) && isStr(x.root))) return false;
  if (v.activeProfile !== undefined && !isStr(v.activeProfile)) return false;
  if (
    v.credentials !== undefined &&
    !(Array.isArray(v.credentials) && v.credentials.every((x) => keysOk(x) && isStr(x.profile) && Number.isFinite(x.obtainedAt)))
  )
    return false;
  if (v.lastUse !== undefined && !(typeof v.lastUse === 'object' && v.lastUse !== null && Object.values(v.lastUse).every((n) => Number.isFinite(n))))
    return false;
  return true;
}

/** Creates the state store; a corrupt or truncated file is renamed aside with a warning, never a crash. */
export function createStateStore(deps: StateStoreDeps): StateStore {
  const save = (state: PersistedState) => {
    const json = JSON.stringify(state);
    // The active profile is no secret, and `credd env` reads it without the keyring.
    const header = state.activeProfile === undefined ? undefined : JSON.stringify({ activeProfile: state.activeProfile });
    writeFileAtomic(deps.file, deps.cipher ? deps.cipher.seal(json, header) : json);
  };
  return {
    save,
    load() {
      // A writer killed between create and rename leaves a temporary file; the real one is intact.
      removeStaleTemps(deps.file);
      let text: string;
      try {
        text = readFileSync(deps.file, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return structuredClone(EMPTY);
        // Unreadable (a directory left by `sudo credd …`): start without it, and leave it where it is.
        deps.warn(
          `State file ${deps.file} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); starting without it: fix its owner to keep sessions across restarts.`,
        );
        return structuredClone(EMPTY);
      }
      const sealed = text.startsWith(SEALED_PREFIX);
      let parsed: unknown;
      try {
        parsed = JSON.parse(sealed && deps.cipher ? deps.cipher.open(text) : text);
      } catch {
        parsed = undefined;
      }
      if (validState(parsed)) {
        // A plain file from before the keyring was used: encrypt it now rather than at the next change.
        if (deps.cipher && !sealed) save(parsed);
        return parsed;
      }
      if (sealed && !deps.cipher)
        deps.warn(`State file ${deps.file} is encrypted with a key from the keyring, which credd does not use now (see \`credd doctor\`).`);
      const aside = `${deps.file}.corrupt-${deps.now()}`;
      try {
        renameSync(deps.file, aside);
        deps.warn(`State file ${deps.file} was unreadable and has been moved to ${aside}; run \`credd mfa\` to start a new session.`);
      } catch (err) {
        // Starting matters more than keeping the bad file: the next save replaces it.
        deps.warn(`State file ${deps.file} was unreadable and could not be moved aside (${(err as Error).message}); starting without it.`);
      }
      return structuredClone(EMPTY);
    },
    erase() {
      try {
        unlinkSync(deps.file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    },
  };
}
