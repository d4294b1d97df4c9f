import { toCreddError } from '../errors.js';
import type { Settings } from '../settings.js';

/** What `credd reload` found in the settings: an error, or the keys whose value changed. */
export interface SettingsChanges {
  error?: string;
  /** Settings-file names of the keys that differ from what the daemon runs with. */
  changed: string[];
}

/** Settings fields → the key names users write in config.ini. */
const KEY_NAMES: Record<keyof Settings, string> = {
  host: 'host',
  port: 'port',
  sessionSeconds: 'session_seconds',
  refreshMarginSeconds: 'refresh_margin_seconds',
  refreshJitterSeconds: 'refresh_jitter_seconds',
  sessionWarningSeconds: 'session_warning_seconds',
  desktopNotifications: 'desktop_notifications',
  logLevel: 'log_level',
  imds: 'imds',
  ecsRelativeUri: 'ecs_relative_uri',
  keyring: 'keyring',
};

/**
 * Compares the running settings with a fresh read. The daemon applies settings when it starts
 * (the listen address, the schedule and the log are built from them), so a change is reported
 * with the keys to restart for rather than half-applied.
 */
export function diffSettings(running: Settings, reread: (() => Settings) | undefined): SettingsChanges {
  if (!reread) return { changed: [] };
  let next: Settings;
  try {
    next = reread();
  } catch (err) {
    return { error: toCreddError(err).message, changed: [] };
  }
  const changed = (Object.keys(KEY_NAMES) as Array<keyof Settings>).filter((k) => next[k] !== running[k]).map((k) => KEY_NAMES[k]);
  return { changed };
}
