/** What {@link ClockWatch.check} saw. */
export interface ClockJump {
  /** How far the wall clock moved against the monotonic clock since the last check (ms; negative: backwards). */
  driftMs: number;
}

/** Notices sleeps and wall-clock jumps. */
export interface ClockWatch {
  /** The jump since the last check, if the two clocks drifted apart by more than the threshold; cheap enough for every request. */
  check(): ClockJump | undefined;
}

export interface ClockWatchDeps {
  /** Wall clock, epoch ms. */
  now(): number;
  /** Monotonic clock, ms (e.g. `performance.now`): it stops while the machine sleeps and never jumps. */
  monotonic(): number;
  /** Drift that counts as a jump (ms). */
  thresholdMs: number;
}

/**
 * Compares the wall clock with the monotonic clock: while the machine sleeps, or when
 * the wall clock is set, their difference changes. Between two checks a difference that
 * moved by more than the threshold is a jump (a resume from sleep is a forward jump).
 */
export function createClockWatch(deps: ClockWatchDeps): ClockWatch {
  let offset = deps.now() - deps.monotonic();
  return {
    check() {
      const next = deps.now() - deps.monotonic();
      const driftMs = next - offset;
      offset = next;
      return Math.abs(driftMs) > deps.thresholdMs ? { driftMs } : undefined;
    },
  };
}
