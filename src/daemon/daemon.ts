import { ListenError } from '../errors.js';
import { randomBytes } from 'node:crypto';
import { chmodSync, lstatSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { AwsFilePaths } from '../aws/config.js';
import { createConfigLoader } from './config-loader.js';
import type { EnvEndpoints } from '../aws/endpoints.js';
import { createSts, type Sts } from '../aws/sts.js';
import { oidcBase } from '../aws/endpoints.js';
import { createSsoApi, type SsoApi } from '../aws/sso/sso-api.js';
import { createSsoTokens } from '../engine/sso-tokens.js';
import { createSsoLogin } from './sso-login.js';
import { createSsoService } from './sso-service.js';
import { buildCredsServer } from '../http/build-creds-server.js';
import { createPeerCheck } from '../http/peer-check.js';
import type { Logger } from '../log.js';
import { checkEcsRelativeUri, type Settings } from '../settings.js';
import type { CreddPaths } from '../state/paths.js';
import { ensureRuntimeDir } from '../state/runtime-dir.js';
import { ensurePrivateDir, writeFileAtomic } from '../state/secure-fs.js';
import { describeListener, foreignListener } from '../system/port-holder.js';
import { createStateStore } from '../state/store.js';
import { loadOrCreateToken } from '../state/token.js';
import { DEFAULT_REFRESH } from '../engine/refresh-policy.js';
import { createScheduler, intervalEvery, type EveryFn, type ScheduleFn, type Scheduler } from './scheduler.js';
import { buildControlServer } from './control-server.js';
import { consoleEksRoutes } from './console-eks-wiring.js';
import { createCore, type Core } from './core.js';
import { createDesktopNotify, type Notify } from './desktop-notify.js';
import { placeSocket, refuseIfRunning, removeOwnSocket } from './single-instance.js';
import { withStartLock } from './start-lock.js';
import { watchPort } from './port-watch.js';
import { watchRuntimeDir } from './runtime-watch.js';
import { watchFiles } from './watch-files.js';
import type { EndpointRecord, SettingsChanges } from '../control/contract.js';
import { diffSettings } from './settings-changes.js';
import { daemonKeyring, type DaemonKeyring } from '../keyring/daemon-keyring.js';
import { createRotator, type RotatorDeps } from './rotator.js';
import type { OpenKeyringDeps } from '../keyring/open-keyring.js';

export interface DaemonDeps {
  paths: CreddPaths;
  awsPaths: AwsFilePaths;
  settings: Settings;
  endpoints: EnvEndpoints;
  now(): number;
  log: Logger;
  version: string;
  pid: number;
  /** This user's uid (default process.getuid()): the owner the runtime directory must have. */
  uid?: number;
  /** Injected in tests; the real client otherwise. */
  sts?: Sts;
  /** IAM Identity Center calls: injected in tests; the real clients otherwise. */
  ssoApi?: SsoApi;
  /** The shared SSO token cache, `~/.aws/sso/cache`. */
  ssoCacheDir: string;
  /** Monotonic clock in ms (default performance.now), to notice sleeps and clock jumps. */
  monotonic?(): number;
  /** Jitter source (default Math.random). */
  random?(): number;
  /** The refresh tick's timer (default node-cron) and the monotonic watchdog (default setInterval); tests drive both. */
  schedule?: ScheduleFn;
  every?: EveryFn;
  /** Desktop notifications (default notify-send/osascript, when the setting allows). */
  notify?: Notify;
  /** Longest wait for STS calls in flight when stopping (default 5000 ms). */
  stopGraceMs?: number;
  /** Reads the settings again (file + environment + command-line flags), for `credd reload`. */
  reloadSettings?: () => Settings;
  /** Loads `@napi-rs/keyring` (tests inject a fake or a failing one). */
  loadKeyring?: OpenKeyringDeps['load'];
  /** `credd rotate` overrides for tests (fake IAM, short waits). */
  rotate?: Pick<RotatorDeps, 'keyOps' | 'sleep' | 'attempts' | 'delayMs'>;
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

/** Starts the daemon: claims the control socket, loads state, listens on loopback and on the socket. */
export async function startDaemon(deps: DaemonDeps): Promise<DaemonHandle> {
  const { paths, log } = deps;
  const uid = deps.uid ?? process.getuid?.() ?? 0;
  checkEcsRelativeUri(deps.settings);
  ensureRuntimeDir(paths.runtimeDir, uid);
  try {
    ensurePrivateDir(paths.stateDir);
  } catch (err) {
    // Left by `sudo credd …`, say: serving matters more than persisting.
    log.warn({ dir: paths.stateDir, err: (err as Error).message }, 'the state directory cannot be used: credd serves, but sessions will not survive a restart');
  }
  const token = loadOrCreateToken(paths.tokenFile);
  const keyring: DaemonKeyring = await daemonKeyring(deps.settings.keyring, process.platform, log, deps.loadKeyring);
  const store = createStateStore({ file: paths.stateFile, now: deps.now, warn: (m) => log.warn(m), ...(keyring.cipher ? { cipher: keyring.cipher } : {}) });
  // Late-bound: the core is built first and tells the scheduler about clock jumps through closures.
  let scheduler: Scheduler | undefined;
  const ssoApi =
    deps.ssoApi ?? createSsoApi({ oidc: deps.endpoints.ssoOidc || deps.endpoints.global, portal: deps.endpoints.sso || deps.endpoints.global }, deps.now);
  const tokens = createSsoTokens({ api: ssoApi, cacheDir: deps.ssoCacheDir, now: deps.now, onEvent: (session, level, msg) => log[level]({ session }, msg) });
  const notify =
    deps.notify ??
    createDesktopNotify({
      platform: process.platform,
      enabled: deps.settings.desktopNotifications,
      onUnavailable: (reason) => log.info({ reason }, 'desktop notifications are not available; warnings go to the log and `credd status`'),
    });
  const sts = deps.sts ?? createSts();
  // The keyring's keys laid over the parsed files at each load (start, reload), never per request.
  const loadConfig = createConfigLoader(deps.awsPaths);
  const core = createCore({
    loadConfig: () => keyring.overlay(loadConfig()),
    sts,
    store,
    now: deps.now,
    endpoints: deps.endpoints,
    refresh: {
      ...DEFAULT_REFRESH,
      marginSeconds: deps.settings.refreshMarginSeconds,
      jitterSeconds: deps.settings.refreshJitterSeconds,
      sessionWarningSeconds: deps.settings.sessionWarningSeconds,
    },
    sessionSeconds: deps.settings.sessionSeconds,
    log,
    monotonic: deps.monotonic ?? (() => performance.now()),
    random: deps.random,
    notify,
    sso: tokens,
    requestTick: () => void scheduler?.kick(),
    onClockJump: () => void scheduler?.restart(),
  });

  const sso = createSsoService({
    config: () => core.awsConfig(),
    plan: (name) => core.plan(name),
    active: () => core.activeProfile(),
    tokens,
    api: ssoApi,
    login: createSsoLogin({
      api: ssoApi,
      tokens,
      now: deps.now,
      registrationsFile: join(paths.stateDir, 'sso-clients.json'),
      oidcBase: (region) => oidcBase(deps.endpoints, region),
      onSignedIn: (s) => {
        log.info({ session: s.loginName }, 'signed in to IAM Identity Center');
        core.ssoChanged(s.cacheId);
      },
    }),
    now: deps.now,
    warnMs: deps.settings.sessionWarningSeconds * 1000,
    changed: (cacheId) => core.ssoChanged(cacheId),
    notify,
    log: (level, msg) => log[level](msg),
  });
  const peer = createPeerCheck({ onUnavailable: (detail) => log.warn(detail) });
  const creds = buildCredsServer({
    source: core,
    token,
    log,
    allowNoToken: deps.settings.ecsRelativeUri,
    now: deps.now,
    imds: deps.settings.imds,
    allowedHosts: [deps.settings.host],
    peer,
  });
  const listenCreds = async () => {
    try {
      await creds.listen({ host: deps.settings.host, port: deps.settings.port });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const holder = code === 'EADDRINUSE' ? foreignListener(deps.settings.port, uid) : undefined;
      const why = holder
        ? `the port is held by ${describeListener(holder)}`
        : code === 'EADDRINUSE'
          ? 'the port is in use'
          : code === 'EACCES'
            ? 'permission denied'
            : code === 'EADDRNOTAVAIL'
              ? 'no such local address'
              : (err as Error).message;
      throw new ListenError(`${deps.settings.host}:${deps.settings.port}`, why);
    }
  };
  let socketIno: number | undefined;
  const makeControl = () =>
    buildControlServer({
      core,
      log,
      sso,
      now: deps.now,
      info: {
        version: deps.version,
        pid: deps.pid,
        endpoint: () => url,
        startedAt: deps.now(),
        stop: () => void close(),
        settingsChanges,
        security: () => ({ imds: deps.settings.imds, peerCheck: peer.status(), ...(ports?.problem() ? { port: ports.problem()!.message } : {}) }),
      },
      rotate: createRotator({ core, keyring, credentialsFile: deps.awsPaths.credentialsFile, endpoints: deps.endpoints, now: deps.now, log, ...deps.rotate }),
      routes: [consoleEksRoutes({ core, sts, endpoints: deps.endpoints, now: deps.now, runtimeDir: paths.runtimeDir })],
    });
  /**
   * Listens on a name of its own, then moves it into place unless another daemon answers there.
   * The caller holds the start lock.
   */
  const listenControl = async (first: boolean): Promise<ReturnType<typeof makeControl> | undefined> => {
    const app = makeControl();
    const tmp = `${paths.socket}.${deps.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await app.listen({ path: tmp });
      chmodSync(tmp, 0o600);
      let placed: 'fresh' | 'took-over' | undefined;
      try {
        await refuseIfRunning(paths.socket);
        placed = placeSocket(tmp, paths.socket);
      } catch (err) {
        if (first) throw err;
      }
      if (!placed) {
        await app.close();
        return undefined;
      }
      if (placed === 'took-over' && first) log.warn({ socket: paths.socket }, 'took over the control socket left by a daemon that did not stop cleanly');
      socketIno = lstatSync(paths.socket).ino;
      return app;
    } catch (err) {
      rmSync(tmp, { force: true });
      await app.close();
      throw err;
    }
  };
  let url = '';
  const settingsChanges = (): SettingsChanges => diffSettings(deps.settings, deps.reloadSettings);
  let ports: ReturnType<typeof watchPort> | undefined;
  let control!: NonNullable<Awaited<ReturnType<typeof listenControl>>>;
  // With the start lock held from the check to the socket in place: of daemons started together,
  // one serves and the others see it running (not a port in use). The port is taken first, so a
  // daemon that cannot listen leaves no socket behind.
  await withStartLock(paths.runtimeDir, { pid: deps.pid }, async () => {
    await refuseIfRunning(paths.socket);
    await listenCreds();
    try {
      control = (await listenControl(true))!;
    } catch (err) {
      await creds.close();
      throw err;
    }
  });
  const port = (creds.server.address() as AddressInfo).port;
  const hostPart = deps.settings.host.includes(':') ? `[${deps.settings.host}]` : deps.settings.host;
  url = `http://${hostPart}:${port}`;

  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => (resolveClosed = r));
  let closing: Promise<void> | undefined;
  const endpointFile = `${paths.runtimeDir}/endpoint.json`;
  const close = () =>
    (closing ??= (async () => {
      log.info('stopping');
      scheduler?.stop();
      watcher?.close();
      runtime?.stop();
      ports?.stop();
      // Stops accepting; requests in flight are answered first.
      await Promise.allSettled([creds.close(), control?.close()]);
      // A refresh still talking to STS gets a moment to finish and persist what it obtained.
      await settleWithin(core.idle(), deps.stopGraceMs ?? 5000);
      // Only our own socket: a daemon that took the path over keeps its own.
      removeOwnSocket(paths.socket, socketIno);
      rmSync(endpointFile, { force: true });
      log.info('stopped');
      resolveClosed();
    })());

  let watcher: { close(): void } | undefined;
  let runtime: ReturnType<typeof watchRuntimeDir> | undefined;
  const record = JSON.stringify({ url, host: deps.settings.host, port, pid: deps.pid } satisfies EndpointRecord);
  writeFileAtomic(endpointFile, record);
  const every = deps.every ?? intervalEvery;
  runtime = watchRuntimeDir({
    paths,
    uid,
    token,
    endpointFile,
    endpointRecord: record,
    log,
    every,
    socketIno: () => socketIno,
    async relisten() {
      const next = await withStartLock(paths.runtimeDir, { pid: deps.pid }, () => listenControl(false));
      if (!next) return false;
      const old = control;
      control = next;
      // It listened on a name of its own, so closing it removes nothing at the socket's path.
      void old.close();
      return true;
    },
    onDisplaced: () => void close(),
  });
  ports = watchPort({ port, uid, listening: () => creds.server.listening, log, every });
  watcher = watchFiles([deps.awsPaths.configFile, deps.awsPaths.credentialsFile, paths.settingsFile], () => {
    const r = core.reload();
    if (r.ok) log.info('AWS config changed: reloaded');
    const s = settingsChanges();
    if (s.error) log.error(`${s.error} The daemon keeps running with the settings it started with.`);
    else if (s.changed.length) log.warn({ changed: s.changed }, 'settings changed: restart the daemon to apply them');
  });
  scheduler = createScheduler({
    tick: async () => {
      await sso.tick().catch((err: unknown) => log.warn({ err: (err as Error).message }, 'IAM Identity Center token refresh failed'));
      return core.tick();
    },
    onError: (err) => log.error({ err: (err as Error).message }, 'refresh tick failed'),
    // On the monotonic watchdog too: node-cron follows the wall clock and goes quiet after it is set back.
    watch: () => void core.checkClock(),
    schedule: deps.schedule,
    every: deps.every,
  });
  void scheduler.kick();
  log.info({ url, socket: paths.socket, active: core.activeProfile() }, 'credd is serving');
  if (deps.settings.ecsRelativeUri) log.warn({ url }, 'ecs_relative_uri is on: /creds is served without the token to everything that reaches this address');
  return { url, port, core, closed, close };
}

/** Waits for `p`, but no longer than `ms`. */
async function settleWithin(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p.catch(() => undefined), new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}
