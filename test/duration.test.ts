import t from 'tap';
import { formatDuration } from '../src/duration.js';

const MIN = 60000;

t.test('formatDuration: compact, spaced and rounded, from one rule', async (t) => {
  const cases: Array<[number, string, string, string]> = [
    [0, '0m', '0m', '1 min'],
    [59_999, '0m', '0m', '1 min'],
    [42 * MIN + 40_000, '42m', '42m', '43 min'],
    [60 * MIN, '1h00m', '1h 00m', '60 min'],
    [65 * MIN, '1h05m', '1h 05m', '65 min'],
    [89 * MIN, '1h29m', '1h 29m', '89 min'],
    [90 * MIN, '1h30m', '1h 30m', '2 h'],
    [11 * 60 * MIN + 58 * MIN, '11h58m', '11h 58m', '12 h'],
  ];
  for (const [ms, compact, spaced, rounded] of cases) {
    t.equal(formatDuration(ms, 'compact'), compact, `compact ${ms}`);
    t.equal(formatDuration(ms, 'spaced'), spaced, `spaced ${ms}`);
    t.equal(formatDuration(ms, 'rounded'), rounded, `rounded ${ms}`);
  }
});
