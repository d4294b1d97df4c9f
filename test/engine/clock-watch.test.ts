import t from 'tap';
import { createClockWatch } from '../../src/engine/clock-watch.js';
import { fakeClock } from './fakes.js';

t.test('time passing normally is no jump', async (t) => {
  const c = fakeClock();
  const w = createClockWatch({ now: c.now, monotonic: c.monotonic, thresholdMs: 30_000 });
  c.advance(3_600_000);
  t.equal(w.check(), undefined);
  c.jump(29_000);
  t.equal(w.check(), undefined, 'NTP-sized corrections stay below the threshold');
});

t.test('a resume from sleep is a forward jump, reported once', async (t) => {
  const c = fakeClock();
  const w = createClockWatch({ now: c.now, monotonic: c.monotonic, thresholdMs: 30_000 });
  c.advance(1000);
  c.jump(8 * 3_600_000); // the monotonic clock stops while the machine sleeps
  t.same(w.check(), { driftMs: 8 * 3_600_000 });
  t.equal(w.check(), undefined, 're-baselined');
});

t.test('a clock set back is a backward jump', async (t) => {
  const c = fakeClock();
  const w = createClockWatch({ now: c.now, monotonic: c.monotonic, thresholdMs: 30_000 });
  c.jump(-3_600_000);
  t.same(w.check(), { driftMs: -3_600_000 });
});
