import t from 'tap';
import { resolvePaths, type PathEnv } from '../../src/state/paths.js';

const linux: PathEnv = { home: '/home/u', uid: 1000, platform: 'linux', tmpdir: '/tmp' };
const mac: PathEnv = { home: '/Users/u', uid: 501, platform: 'darwin', tmpdir: '/var/folders/x/T' };

t.test('XDG variables win on every platform', async (t) => {
  for (const base of [linux, mac]) {
    const p = resolvePaths({ ...base, XDG_RUNTIME_DIR: '/run/user/1000', XDG_STATE_HOME: '/xdg/state', XDG_CONFIG_HOME: '/xdg/config' });
    t.same(
      p,
      {
        runtimeDir: '/run/user/1000/credd',
        stateDir: '/xdg/state/credd',
        settingsFile: '/xdg/config/credd/config.ini',
        socket: '/run/user/1000/credd/control.sock',
        tokenFile: '/run/user/1000/credd/token',
        stateFile: '/xdg/state/credd/state.json',
      },
      base.platform,
    );
  }
});

t.test('Linux without XDG: ~/.local/state, ~/.config and a per-uid dir under tmp', async (t) => {
  t.same(resolvePaths(linux), {
    runtimeDir: '/tmp/credd-1000',
    stateDir: '/home/u/.local/state/credd',
    settingsFile: '/home/u/.config/credd/config.ini',
    socket: '/tmp/credd-1000/control.sock',
    tokenFile: '/tmp/credd-1000/token',
    stateFile: '/home/u/.local/state/credd/state.json',
  });
});

t.test('macOS without XDG: ~/Library/Application Support/credd', async (t) => {
  const app = '/Users/u/Library/Application Support/credd';
  t.same(resolvePaths(mac), {
    runtimeDir: `${app}/run`,
    stateDir: `${app}/state`,
    settingsFile: `${app}/config.ini`,
    socket: `${app}/run/control.sock`,
    tokenFile: `${app}/run/token`,
    stateFile: `${app}/state/state.json`,
  });
});

t.test('empty or relative XDG variables are ignored, as the XDG spec says', async (t) => {
  t.same(resolvePaths({ ...linux, XDG_RUNTIME_DIR: '', XDG_STATE_HOME: 'relative/state', XDG_CONFIG_HOME: './cfg' }), resolvePaths(linux));
  t.same(resolvePaths({ ...mac, XDG_RUNTIME_DIR: 'run', XDG_STATE_HOME: '', XDG_CONFIG_HOME: 'c' }), resolvePaths(mac));
  t.equal(resolvePaths({ ...linux, XDG_STATE_HOME: '/s' }).stateDir, '/s/credd', 'each variable on its own');
  t.equal(resolvePaths({ ...linux, XDG_STATE_HOME: '/s' }).runtimeDir, '/tmp/credd-1000');
});
