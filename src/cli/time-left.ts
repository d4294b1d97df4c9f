import { formatDuration } from '../duration.js';

/** "1h 05m left", "12m left" or "expired": short enough for a prompt. */
export function timeLeft(iso: string, now: number): string {
  const ms = Date.parse(iso) - now;
  // An unparseable date claims nothing is left rather than printing NaN.
  if (!(ms >= 1000)) return 'expired';
  return `${formatDuration(ms, 'spaced')} left`;
}
