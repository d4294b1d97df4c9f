import type { SettingsChanges } from '../control/contract.js';
import { toCreddError } from '../errors.js';
import { SETTING_NAMES, type Settings } from '../settings.js';

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
  const changed = (Object.keys(SETTING_NAMES) as Array<keyof Settings>).filter((k) => next[k] !== running[k]).map((k) => SETTING_NAMES[k]);
  return { changed };
}
