import { lstatSync, readFileSync } from 'node:fs';
import type { EveryFn } from './scheduler.js';
import type { Logger } from '../log.js';
import { ensureRuntimeDir } from '../state/runtime-dir.js';
import type { CreddPaths } from '../state/paths.js';
import { writeFileAtomic } from '../state/secure-fs.js';

export interface RuntimeWatchDeps {
  paths: CreddPaths;
  uid: number;
  token: string;
  /** The endpoint record's path and content (`credd env` reads it). */
  endpointFile: string;
  endpointRecord: string;
  /** The inode of the control socket this daemon placed, to tell it from another's. */
  socketIno(): number | undefined;
  /** Listens anew and places the control socket (with the start lock held); false when another daemon answers there. */
  relisten(): Promise<boolean>;
  /** Another daemon of this user owns the control socket now. */
  onDisplaced(): void;
  log: Logger;
  every: EveryFn;
  /** Default 2000 ms: `credd` works again within seconds of a tmpfiles cleanup. */
  intervalMs?: number;
}

const read = (file: string) => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
};
const inode = (file: string) => {
  try {
    return lstatSync(file).ino;
  } catch {
    return undefined;
  }
};

/**
 * Keeps the runtime directory in place while the daemon runs. A tmpfiles cleanup or the end of
 * another login session removes it, and then every CLI verb loses the daemon: so the directory,
 * the control socket, the token file (with the same token: shells that hold it keep working) and
 * the endpoint record are put back within seconds.
 */
export function watchRuntimeDir(deps: RuntimeWatchDeps): { check(): Promise<void>; stop(): void } {
  const { paths, log } = deps;
  let busy = false;
  let lastError: string | undefined;
  const check = async () => {
    if (busy) return;
    busy = true;
    try {
      const gone = inode(paths.runtimeDir) === undefined;
      ensureRuntimeDir(paths.runtimeDir, deps.uid);
      if (gone) log.warn({ dir: paths.runtimeDir }, 'the runtime directory was removed: recreating the control socket, token file and endpoint record');
      if (inode(paths.socket) !== deps.socketIno()) {
        if (!(await deps.relisten())) {
          log.error({ socket: paths.socket }, 'another credd daemon took over the control socket: this one stops');
          deps.onDisplaced();
          return;
        }
        log.info({ socket: paths.socket }, 'control socket restored');
      }
      if (read(paths.tokenFile) !== deps.token) writeFileAtomic(paths.tokenFile, deps.token);
      if (read(deps.endpointFile) !== deps.endpointRecord) writeFileAtomic(deps.endpointFile, deps.endpointRecord);
      lastError = undefined;
    } catch (err) {
      const message = (err as Error).message;
      // Once per distinct problem: a directory that stays unusable must not fill the log every 2 s.
      if (message !== lastError) log.error({ dir: paths.runtimeDir }, `cannot restore the runtime directory: ${message}`);
      lastError = message;
    } finally {
      busy = false;
    }
  };
  const job = deps.every(deps.intervalMs ?? 2000, () => void check());
  return { check, stop: () => job.stop() };
}
