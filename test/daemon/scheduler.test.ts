import t from 'tap';
import { createScheduler, cronSchedule, DEFAULT_TICK, intervalEvery, type ScheduleFn } from '../../src/daemon/scheduler.js';
import { flush } from '../engine/fakes.js';

/** A ScheduleFn that records jobs and lets the test fire them. */
function fakeCron() {
  const jobs: Array<{ expression: string; fire(): void; missed(): void; stopped: boolean }> = [];
  const schedule: ScheduleFn = (expression, fn, onMissed) => {
    const job = { expression, fire: fn, missed: onMissed, stopped: false };
    jobs.push(job);
    return { stop: () => void (job.stopped = true) };
  };
  return { jobs, schedule, live: () => jobs.filter((j) => !j.stopped) };
}

t.test('ticks on the cron job; never two at once', async (t) => {
  const cron = fakeCron();
  let ticks = 0;
  let release!: () => void;
  const s = createScheduler({
    schedule: cron.schedule,
    tick: async () => {
      ticks++;
      await new Promise<void>((r) => (release = r));
    },
    onError: () => undefined,
  });
  t.equal(cron.jobs[0]!.expression, DEFAULT_TICK);
  cron.jobs[0]!.fire();
  cron.jobs[0]!.fire();
  cron.jobs[0]!.missed();
  await flush();
  t.equal(ticks, 1, 'overlapping fires join the running tick');
  release();
  await flush();
  cron.jobs[0]!.fire();
  await flush();
  t.equal(ticks, 2);
  release();
  s.stop();
  t.equal(cron.live().length, 0);
  await s.kick();
  t.equal(ticks, 2, 'no tick after stop');
  await s.restart();
  t.equal(cron.live().length, 0, 'and no restart');
});

t.test('restart re-arms the job and ticks at once; errors are reported, not thrown', async (t) => {
  const cron = fakeCron();
  const errors: unknown[] = [];
  let ticks = 0;
  const s = createScheduler({
    schedule: cron.schedule,
    expression: '* * * * *',
    tick: async () => {
      ticks++;
      throw new Error('boom');
    },
    onError: (e) => errors.push(e),
  });
  await s.restart();
  t.equal(cron.jobs.length, 2);
  t.equal(cron.live().length, 1, 'the old job is stopped');
  t.equal(ticks, 1);
  t.match(errors, [{ message: 'boom' }]);
  s.stop();
});

t.test('the monotonic watchdog calls watch, and stops with the scheduler', async (t) => {
  const cron = fakeCron();
  let watchFn: (() => void) | undefined;
  let stopped = false;
  let watched = 0;
  const s = createScheduler({
    schedule: cron.schedule,
    tick: async () => undefined,
    onError: () => undefined,
    watch: () => void watched++,
    every: (ms, fn) => {
      t.equal(ms, 60_000);
      watchFn = fn;
      return { stop: () => void (stopped = true) };
    },
  });
  watchFn!();
  t.equal(watched, 1);
  s.stop();
  t.ok(stopped);
});

t.test('the real node-cron job and interval fire', async (t) => {
  let fired = 0;
  await new Promise<void>((resolve) => {
    const job = cronSchedule(
      '* * * * * *',
      () => {
        fired++;
        job.stop();
        resolve();
      },
      () => undefined,
    );
  });
  t.equal(fired, 1);
  // The interval is unref'd (it must not keep the daemon alive): hold the loop open meanwhile.
  const keepAlive = setTimeout(() => undefined, 5000);
  t.teardown(() => clearTimeout(keepAlive));
  await new Promise<void>((resolve) => {
    const job = intervalEvery(5, () => {
      job.stop();
      resolve();
    });
  });
  t.pass('the interval fired');
});
