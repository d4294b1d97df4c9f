import { formatDuration } from '../duration.js';
import { isoSeconds } from './served.js';
import { sessionPhase, withDefaults, type RefreshSettings, type SessionPhase } from './refresh-policy.js';
import type { SessionManager, SourceSession } from './sessions.js';

/** A user-facing warning about an MFA session, for the log, `credd status` and a desktop notification. */
export interface SessionWarning {
  key: string;
  source: string;
  phase: Exclude<SessionPhase, 'ok'>;
  expiresAt: number;
  message: string;
}

export interface SessionWatchDeps {
  sessions: SessionManager;
  now(): number;
  settings: RefreshSettings;
  /** Told once per session and phase change (`warning`, then `ended`). */
  onWarning(w: SessionWarning): void;
}

/** Warns before MFA sessions end, and once when they have. */
export interface SessionWatch {
  /** Checks every session; calls `onWarning` for each new phase worth telling. */
  check(): void;
  /** The warnings that hold now, for `credd status`. */
  current(): SessionWarning[];
}

const minutes = (ms: number): string => formatDuration(ms, 'rounded');

/** Pure: the warning for `s` at `now`, if any. */
export function sessionWarning(s: SourceSession, now: number, settings: RefreshSettings): SessionWarning | undefined {
  if (!s.mfaSerial) return undefined;
  const expiresAt = s.credentials.expiration.getTime();
  const phase = sessionPhase(expiresAt, now, settings);
  if (phase === 'ok' || (phase !== 'ended' && withDefaults(settings).sessionWarningSeconds === 0)) return undefined;
  const at = isoSeconds(expiresAt);
  const message =
    phase === 'ended'
      ? `The MFA session of ${s.root} ended at ${at}: roles already assumed are served until they expire, then run \`credd mfa\`.`
      : `The MFA session of ${s.root} ends at ${at} (in ${minutes(expiresAt - now)}): run \`credd mfa\` to go on; roles in use get one last refresh before then.`;
  return { key: s.key, source: s.root, phase, expiresAt, message };
}

/** Creates the session watch. */
export function createSessionWatch(deps: SessionWatchDeps): SessionWatch {
  // `key|expiry` → the last phase told, so each session warns once, and a new session warns again.
  const told = new Map<string, string>();
  const current = () =>
    deps.sessions.list().flatMap((s) => {
      const w = sessionWarning(s, deps.now(), deps.settings);
      return w ? [w] : [];
    });
  return {
    current,
    check() {
      const live = new Set<string>();
      for (const w of current()) {
        const id = `${w.key}|${w.expiresAt}`;
        live.add(id);
        // `final` is still the same warning to a user; only `ended` is news.
        const level = w.phase === 'ended' ? 'ended' : 'warning';
        if (told.get(id) === level) continue;
        told.set(id, level);
        deps.onWarning(w);
      }
      for (const id of told.keys()) if (!live.has(id)) told.delete(id);
    },
  };
}
