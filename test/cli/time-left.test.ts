import t from 'tap';
import { timeLeft } from '../../src/cli/time-left.js';

const now = Date.parse('2030-01-01T12:00:00Z');
const at = (s: number) => new Date(now + s * 1000).toISOString();

t.test('hours and zero-padded minutes, minutes alone under an hour, expired at or past zero', async (t) => {
  t.equal(timeLeft(at(3 * 3600 + 5 * 60 + 59), now), '3h 05m left');
  t.equal(timeLeft(at(3600), now), '1h 00m left');
  t.equal(timeLeft(at(3599), now), '59m left');
  t.equal(timeLeft(at(61), now), '1m left');
  t.equal(timeLeft(at(59), now), '0m left');
  t.equal(timeLeft(at(1), now), '0m left');
  t.equal(timeLeft(at(0.5), now), 'expired', 'under a second counts as gone');
  t.equal(timeLeft(at(0), now), 'expired');
  t.equal(timeLeft(at(-60), now), 'expired');
  t.equal(timeLeft(at(36 * 3600), now), '36h 00m left');
});

t.test('an unparseable date is expired, not NaN', async (t) => {
  t.equal(timeLeft('not a date', now), 'expired');
  t.equal(timeLeft(undefined as unknown as string, now), 'expired');
});
