import type { Plan } from '../aws/resolve-plan.js';
import type { CreddError } from '../errors.js';
import type { Logger } from '../log.js';
import { createClockWatch } from './clock-watch.js';
import type { CredentialEngine } from './credential-engine.js';
import { createKeepWarm, type TickReport } from './keep-warm.js';
import type { RefreshSettings } from './refresh-policy.js';
import { isTransient } from './retry-book.js';
import { isoSeconds } from './served.js';
import type { SessionManager } from './sessions.js';
import { createSessionWatch } from './session-watch.js';

export interface RefreshLoopDeps {
  engine: CredentialEngine;
  sessions: SessionManager;
  plan(name: string): Plan | undefined;
  active(): string | undefined;
  now(): number;
  /** Without it, clock jumps go unnoticed (the serve path still checks expiry on the wall clock). */
  monotonic?(): number;
  settings: Required<RefreshSettings>;
  log: Logger;
  notify?(title: string, message: string): void;
  /** Told when the wall clock jumped (the scheduler re-arms its timer and ticks). */
  onClockJump?(): void;
}

/** The work behind each scheduler tick, and what it has to say, in log lines and for `credd status`. */
export interface RefreshLoop {
  /** Notices clock jumps, warns before MFA sessions end, refreshes what is due. */
  tick(): Promise<TickReport>;
  /** True when the wall clock jumped since the last check: backoffs are reset and `onClockJump` is told. */
  checkClock(): boolean;
  /** The MFA session warnings that hold now. */
  warnings(): string[];
}

/** Wires keep-warm, the session watch and the clock watch to the log and the desktop. */
export function createRefreshLoop(deps: RefreshLoopDeps): RefreshLoop {
  const { engine, log, settings } = deps;
  const keepWarm = createKeepWarm({
    engine,
    sessions: deps.sessions,
    plan: deps.plan,
    active: deps.active,
    now: deps.now,
    settings,
    onFailure(profile: string, err: CreddError, reason) {
      const retryAt = engine.retries.retryAt(profile);
      const retry = retryAt !== undefined && isTransient(err) ? { retryInSeconds: Math.round((retryAt - deps.now()) / 1000) } : {};
      log.warn({ profile, code: err.code, reason, ...retry }, err.message);
    },
  });
  const sessionWatch = createSessionWatch({
    sessions: deps.sessions,
    now: deps.now,
    settings,
    onWarning(w) {
      if (w.phase === 'ended') return log.info({ source: w.source }, w.message);
      log.warn({ source: w.source, expiration: isoSeconds(w.expiresAt) }, w.message);
      deps.notify?.('credd: MFA session ends soon', w.message);
    },
  });
  const clock = deps.monotonic ? createClockWatch({ now: deps.now, monotonic: deps.monotonic, thresholdMs: settings.clockJumpSeconds * 1000 }) : undefined;

  const checkClock = (): boolean => {
    const jump = clock?.check();
    if (!jump) return false;
    const seconds = Math.round(jump.driftMs / 1000);
    log.warn(
      { driftSeconds: seconds },
      seconds > 0
        ? 'the wall clock jumped ahead (a resume from sleep?): refreshing what is due now'
        : 'the wall clock was set back: re-arming the refresh schedule',
    );
    engine.retries.resetTimers();
    deps.onClockJump?.();
    return true;
  };

  return {
    checkClock,
    async tick() {
      checkClock();
      sessionWatch.check();
      return keepWarm.tick();
    },
    warnings: () => sessionWatch.current().map((w) => w.message),
  };
}
