import { dirname, join } from 'node:path';
import { DAEMON_NODE_FLAGS } from '../daemon/node-flags.js';
import { pinnedEnv, type ServiceTarget } from './platform.js';
import { renderPlist } from './render-plist.js';
import { renderUnit } from './render-unit.js';

/** Where a platform's template ships: `systemd/` and `launchd/` next to `dist/` in the package. */
export function templatePath(scriptPath: string, t: ServiceTarget): string {
  const root = join(dirname(scriptPath), '..', '..');
  return t.kind === 'systemd' ? join(root, 'systemd', 'credd.service') : join(root, 'launchd', 'credd.plist');
}

/** The facts a service file is rendered from. */
export interface ServiceFileInputs {
  /** `process.execPath` and dist/bin/credd.js of the credd that runs `service install`. */
  node: string;
  script: string;
  stateDir: string;
  /** The installing shell's environment; only PINNED_ENV is taken from it. */
  env: Record<string, string | undefined>;
}

/**
 * Renders the unit (systemd) or plist (launchd) from its template, with the daemon's node flags
 * (DAEMON_NODE_FLAGS, as `credd start` passes them). On macOS
 * `XDG_RUNTIME_DIR` is pinned too: launchd sets none, and the CLI finds the daemon's
 * socket through it. (systemd's user manager sets it to the same value as the login shell.)
 */
export function renderServiceFile(t: ServiceTarget, template: string, i: ServiceFileInputs): string {
  if (t.kind === 'systemd')
    return renderUnit(template, { node: i.node, nodeFlags: DAEMON_NODE_FLAGS, script: i.script, stateDir: i.stateDir, env: pinnedEnv(i.env) });
  return renderPlist(template, { node: i.node, nodeFlags: DAEMON_NODE_FLAGS, script: i.script, logDir: t.logDir, env: pinnedEnv(i.env, ['XDG_RUNTIME_DIR']) });
}
