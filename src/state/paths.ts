import { isAbsolute, join } from 'node:path';

/** Where credd keeps its files. */
export interface CreddPaths {
  /** 0700: control socket and token file. */
  runtimeDir: string;
  /** 0700: persisted sessions and the active profile. */
  stateDir: string;
  /** Optional settings file. */
  settingsFile: string;
  socket: string;
  tokenFile: string;
  stateFile: string;
}

/** The inputs of path resolution, read by the entry point from the environment. */
export interface PathEnv {
  home: string;
  uid: number;
  platform: NodeJS.Platform;
  tmpdir: string;
  XDG_RUNTIME_DIR?: string;
  XDG_STATE_HOME?: string;
  XDG_CONFIG_HOME?: string;
}

/**
 * Resolves the XDG directories (on macOS without XDG variables:
 * `~/Library/Application Support/credd`; without XDG_RUNTIME_DIR: a per-uid dir under tmp).
 */
export function resolvePaths(env: PathEnv): CreddPaths {
  const mac = env.platform === 'darwin';
  const appSupport = join(env.home, 'Library', 'Application Support', 'credd');
  // The XDG spec: a relative path in these variables is invalid and must be ignored.
  const xdg = (v: string | undefined) => (v && isAbsolute(v) ? join(v, 'credd') : undefined);
  const runtimeDir = xdg(env.XDG_RUNTIME_DIR) ?? (mac ? join(appSupport, 'run') : join(env.tmpdir, `credd-${env.uid}`));
  const stateDir = xdg(env.XDG_STATE_HOME) ?? (mac ? join(appSupport, 'state') : join(env.home, '.local', 'state', 'credd'));
  const configDir = xdg(env.XDG_CONFIG_HOME) ?? (mac ? appSupport : join(env.home, '.config', 'credd'));
  return {
    runtimeDir,
    stateDir,
    settingsFile: join(configDir, 'config.ini'),
    socket: join(runtimeDir, 'control.sock'),
    tokenFile: join(runtimeDir, 'token'),
    stateFile: join(stateDir, 'state.json'),
  };
}
