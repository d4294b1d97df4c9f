import { spawn as nodeSpawn } from 'node:child_process';

/** Shows a desktop notification (best effort, never throws). */
export type Notify = (title: string, message: string) => void;

export interface DesktopNotifyDeps {
  platform: NodeJS.Platform;
  /** Setting `desktop_notifications` (default true). */
  enabled: boolean;
  /** Told once when no notifier could be started (e.g. `notify-send` is not installed). */
  onUnavailable?(reason: string): void;
  spawn?: typeof nodeSpawn;
}

/** The command that shows a notification on this platform, or undefined where there is none. */
export function notifyCommand(platform: NodeJS.Platform, title: string, message: string): [string, string[]] | undefined {
  if (platform === 'darwin') {
    // AppleScript string literals take the same escapes as JSON for quotes and backslashes.
    return ['osascript', ['-e', `display notification ${JSON.stringify(message)} with title ${JSON.stringify(title)}`]];
  }
  if (platform === 'win32') return undefined;
  return ['notify-send', ['--app-name=credd', title, message]];
}

/**
 * Creates the notifier: `notify-send` on Linux and the BSDs, `osascript` on macOS.
 * Messages hold profile names and times only, never a secret.
 */
export function createDesktopNotify(deps: DesktopNotifyDeps): Notify {
  const spawn = deps.spawn ?? nodeSpawn;
  let unavailable = false;
  const giveUp = (reason: string) => {
    if (unavailable) return;
    unavailable = true;
    deps.onUnavailable?.(reason);
  };
  return (title, message) => {
    if (!deps.enabled || unavailable) return;
    const cmd = notifyCommand(deps.platform, title, message);
    if (!cmd) return giveUp(`no desktop notifier on ${deps.platform}`);
    try {
      const child = spawn(cmd[0], cmd[1], { stdio: 'ignore', detached: false });
      child.on('error', (err) => giveUp(`${cmd[0]}: ${err.message}`));
      child.unref();
    } catch (err) {
      giveUp(`${cmd[0]}: ${(err as Error).message}`);
    }
  };
}
