import { join } from 'node:path';
import { BadRequestError } from '../errors.js';

/** launchd label of the agent; also the plist's file name. Keep in step with launchd/credd.plist. */
export const LAUNCHD_LABEL = 'dev.credd.daemon';
/** systemd unit name. */
export const SYSTEMD_UNIT = 'credd.service';

/**
 * Variables that decide which files and settings credd uses. A login service does not
 * inherit the installing shell's environment, so the ones set there are written into the
 * unit/plist: the daemon then reads the same AWS files and state as the CLI in that shell.
 */
export const PINNED_ENV = [
  'XDG_STATE_HOME',
  'XDG_CONFIG_HOME',
  'AWS_CONFIG_FILE',
  'AWS_SHARED_CREDENTIALS_FILE',
  'CREDD_HOST',
  'CREDD_PORT',
  'CREDD_LOG_LEVEL',
  'CREDD_KEYRING',
  'AWS_ENDPOINT_URL_STS',
  'AWS_ENDPOINT_URL',
  'AWS_ENDPOINT_URL_IAM',
];

/** Where the login service lives on this platform. */
export type ServiceTarget =
  | { kind: 'systemd'; unitName: string; unitFile: string }
  | { kind: 'launchd'; label: string; plistFile: string; logDir: string; domain: string };

/**
 * Picks systemd (Linux; the unit goes to `$XDG_CONFIG_HOME/systemd/user`, default
 * `~/.config/systemd/user`) or launchd (macOS; `~/Library/LaunchAgents`, logs in
 * `~/Library/Logs/credd`). Anything else is refused with what to do instead.
 */
export function serviceTarget(platform: NodeJS.Platform, home: string, env: Record<string, string | undefined>, uid: number): ServiceTarget {
  if (platform === 'linux') {
    const configHome = env.XDG_CONFIG_HOME || join(home, '.config');
    return { kind: 'systemd', unitName: SYSTEMD_UNIT, unitFile: join(configHome, 'systemd', 'user', SYSTEMD_UNIT) };
  }
  if (platform === 'darwin') {
    return {
      kind: 'launchd',
      label: LAUNCHD_LABEL,
      plistFile: join(home, 'Library', 'LaunchAgents', `${LAUNCHD_LABEL}.plist`),
      logDir: join(home, 'Library', 'Logs', 'credd'),
      domain: `gui/${uid}`,
    };
  }
  throw new BadRequestError(`credd service supports Linux (systemd) and macOS (launchd), not ${platform}: run \`credd start\` from your login script instead.`);
}

/**
 * The PINNED_ENV variables set (non-empty) in `env`, in a stable order. A value with a line
 * break cannot be written into a unit or plist line, and is no path anyone means: left out.
 */
export function pinnedEnv(env: Record<string, string | undefined>, extra: string[] = []): Array<[string, string]> {
  return [...PINNED_ENV, ...extra].filter((k) => env[k] && !/[\r\n]/.test(env[k]!)).map((k): [string, string] => [k, env[k]!]);
}
