import { readFileSync, renameSync, unlinkSync } from 'node:fs';
import { writeFileAtomic } from './secure-fs.js';

/** A source session as kept on disk (0600). */
export interface StoredSession {
  key: string;
  root: string;
  mfaSerial?: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  /** ISO-8601 */
  expiration: string;
}

/** What survives a restart. */
export interface PersistedState {
  version: 1;
  activeProfile?: string;
  sessions: StoredSession[];
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
}

const EMPTY: PersistedState = { version: 1, sessions: [] };

function valid(s: unknown): s is PersistedState {
  const v = s as PersistedState;
  return typeof v === 'object' && v !== null && v.version === 1 && Array.isArray(v.sessions) &&
    v.sessions.every((x) => typeof x?.key === 'string' && typeof x.accessKeyId === 'string' && typeof x.secretAccessKey === 'string' &&
      typeof x.sessionToken === 'string' && !Number.isNaN(Date.parse(x.expiration))) &&
    (v.activeProfile === undefined || typeof v.activeProfile === 'string');
}

/** Creates the state store; a corrupt or truncated file is renamed aside with a warning, never a crash. */
export function createStateStore(deps: StateStoreDeps): StateStore {
  return {
    load() {
      let text: string;
      try {
        text = readFileSync(deps.file, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return structuredClone(EMPTY);
        throw err;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      if (valid(parsed)) return parsed;
      const aside = `${deps.file}.corrupt-${deps.now()}`;
      renameSync(deps.file, aside);
      deps.warn(`State file ${deps.file} was unreadable and has been moved to ${aside}; run \`credd mfa\` to start a new session.`);
      return structuredClone(EMPTY);
    },
    save(state) {
      writeFileAtomic(deps.file, JSON.stringify(state));
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
