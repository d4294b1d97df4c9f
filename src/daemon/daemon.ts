import { chmodSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { loadAwsConfig, type AwsFilePaths } from '../aws/config.js';
import type { EnvEndpoints } from '../aws/endpoints.js';
import { createSts, type Sts } from '../aws/sts.js';
import { buildCredsServer } from '../http/build-creds-server.js';
import type { Logger } from '../log.js';
import type { Settings } from '../settings.js';
import type { CreddPaths } from '../state/paths.js';
import { ensurePrivateDir, writeFileAtomic } from '../state/secure-fs.js';
import { createStateStore } from '../state/store.js';
import { loadOrCreateToken } from '../state/token.js';
import { DEFAULT_REFRESH } from '../engine/refresh-policy.js';
import { buildControlServer } from './control-server.js';
import { createCore, type Core } from './core.js';
import { claimSocket } from './single-instance.js';
import { watchFiles } from './watch-files.js';

export interface DaemonDeps {
  paths: CreddPaths;
  awsPaths: AwsFilePaths;
  settings: Settings;
  endpoints: EnvEndpoints;
  now(): number;
  log: Logger;
  version: string;
  pid: number;
  /** Injected in tests; the real client otherwise. */
  sts?: Sts;
}

/** A running daemon. */
export interface DaemonHandle {
  url: string;
  port: number;
  core: Core;
  /** Resolves when the daemon has stopped (after `close()` or a `credd stop`). */
  closed: Promise<void>;
  close(): Promise<void>;
}

/** Where `credd env` finds the running daemon's real address (useful with `--port 0`). */
export interface EndpointRecord {
  url: string;
  host: string;
  port: number;
  pid: number;
}

/** Starts the daemon: claims the control socket, loads state, listens on loopback and on the socket. */
export async function startDaemon(deps: DaemonDeps): Promise<DaemonHandle> {
  const { paths, log } = deps;
  ensurePrivateDir(paths.runtimeDir);
  ensurePrivateDir(paths.stateDir);
  const takeover = await claimSocket(paths.socket);
  if (takeover === 'took-over') log.warn({ socket: paths.socket }, 'took over the control socket left by a daemon that did not stop cleanly');
  const token = loadOrCreateToken(paths.tokenFile);
  const store = createStateStore({ file: paths.stateFile, now: deps.now, warn: (m) => log.warn(m) });
  const core = createCore({
    loadConfig: () => loadAwsConfig(deps.awsPaths),
    sts: deps.sts ?? createSts(),
    store,
    now: deps.now,
    endpoints: deps.endpoints,
    refresh: { ...DEFAULT_REFRESH, marginSeconds: deps.settings.refreshMarginSeconds },
    sessionSeconds: deps.settings.sessionSeconds,
    log,
  });

  const creds = buildCredsServer({ source: core, token, log });
  await creds.listen({ host: deps.settings.host, port: deps.settings.port });
  const port = (creds.server.address() as AddressInfo).port;
  const hostPart = deps.settings.host.includes(':') ? `[${deps.settings.host}]` : deps.settings.host;
  const url = `http://${hostPart}:${port}`;

  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => (resolveClosed = r));
  let closing: Promise<void> | undefined;
  const endpointFile = `${paths.runtimeDir}/endpoint.json`;
  const close = () => (closing ??= (async () => {
    log.info('stopping');
    watcher.close();
    await Promise.allSettled([creds.close(), control.close()]);
    for (const f of [paths.socket, endpointFile]) rmSync(f, { force: true });
    log.info('stopped');
    resolveClosed();
  })());

  const control = buildControlServer({
    core,
    log,
    info: { version: deps.version, pid: deps.pid, endpoint: () => url, startedAt: deps.now(), stop: () => void close() },
  });
  try {
    await control.listen({ path: paths.socket });
  } catch (err) {
    await creds.close();
    throw err;
  }
  chmodSync(paths.socket, 0o600);
  const record: EndpointRecord = { url, host: deps.settings.host, port, pid: deps.pid };
  writeFileAtomic(endpointFile, JSON.stringify(record));
  const watcher = watchFiles([deps.awsPaths.configFile, deps.awsPaths.credentialsFile], () => {
    const r = core.reload();
    if (r.ok) log.info('AWS config changed: reloaded');
  });
  log.info({ url, socket: paths.socket, active: core.activeProfile() }, 'credd is serving');
  return { url, port, core, closed, close };
}

