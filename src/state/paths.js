import { isAbsolute, join } from 'node:path';
/**
 * Resolves the XDG directories (on macOS without XDG variables:
 * `~/Library/Application Support/credd`; without XDG_RUNTIME_DIR: a per-uid dir under tmp).
 */
export function resolvePaths(env) {
    const mac = env.platform === 'darwin';
    const appSupport = join(env.home, 'Library', 'Application Support', 'credd');
    // The XDG spec: a relative path in these variables is invalid and must be ignored.
    const xdg = (v) => (v && isAbsolute(v) ? join(v, 'credd') : undefined);
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
        pidFile: join(runtimeDir, 'credd.pid'),
    };
}
