import cron from 'node-cron';

/** A started periodic job. */
export interface ScheduledJob {
  stop(): void;
}

/**
 * Runs `fn` on the cron `expression`; `onMissed` is told when runs were missed (the
 * process was frozen or the machine slept). The default is node-cron; tests pass a
 * fake that captures the callbacks and fires ticks by hand.
 */
export type ScheduleFn = (expression: string, fn: () => void, onMissed: () => void) => ScheduledJob;

/** Runs `fn` every `ms` on the monotonic timers (default setInterval, unref'd). */
export type EveryFn = (ms: number, fn: () => void) => ScheduledJob;

/** The default tick: every 15 seconds, so a retry or a due refresh waits at most that long. */
export const DEFAULT_TICK = '*/15 * * * * *';

/** node-cron, with its "missed execution" console warnings turned into a callback. */
export const cronSchedule: ScheduleFn = (expression, fn, onMissed) => {
  const task = cron.schedule(expression, fn, { noOverlap: true, suppressMissedWarning: true });
  task.on('execution:missed', onMissed);
  return { stop: () => void task.destroy() };
};

/** setInterval that does not keep the process alive. */
export const intervalEvery: EveryFn = (ms, fn) => {
  const timer = setInterval(fn, ms);
  timer.unref();
  return { stop: () => clearInterval(timer) };
};

export interface SchedulerDeps {
  /** The work of one tick; a tick never starts while the previous one runs. */
  tick(): Promise<unknown>;
  /** Told when a tick fails (the scheduler goes on). */
  onError(err: unknown): void;
  /**
   * Called every `watchMs` on monotonic timers, whatever the wall clock does: node-cron
   * follows the wall clock, so after the clock is set back it would stay silent until it
   * catches up. The watcher calls `restart()` when it sees a jump.
   */
  watch?(): void;
  expression?: string;
  schedule?: ScheduleFn;
  every?: EveryFn;
  /** Default 60000. */
  watchMs?: number;
}

/** Drives the refresh tick. */
export interface Scheduler {
  /** Runs a tick now (or joins the one running). */
  kick(): Promise<void>;
  /** Re-arms the cron job from the current wall clock (after a clock jump) and ticks now. */
  restart(): Promise<void>;
  stop(): void;
}

/** Starts the scheduler. */
export function createScheduler(deps: SchedulerDeps): Scheduler {
  const schedule = deps.schedule ?? cronSchedule;
  const every = deps.every ?? intervalEvery;
  const expression = deps.expression ?? DEFAULT_TICK;
  let running: Promise<void> | undefined;
  let stopped = false;

  const kick = (): Promise<void> => {
    if (stopped) return Promise.resolve();
    running ??= (async () => {
      try {
        await deps.tick();
      } catch (err) {
        deps.onError(err);
      } finally {
        running = undefined;
      }
    })();
    return running;
  };
  const arm = () =>
    schedule(
      expression,
      () => void kick(),
      () => void kick(),
    );
  let job = arm();
  const watcher = deps.watch ? every(deps.watchMs ?? 60_000, deps.watch) : undefined;

  const restart = (): Promise<void> => {
    if (stopped) return Promise.resolve();
    job.stop();
    job = arm();
    return kick();
  };
  return {
    kick,
    restart,
    stop() {
      stopped = true;
      job.stop();
      watcher?.stop();
    },
  };
}
