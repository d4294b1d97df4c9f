/**
 * How much time is left, for people: the one duration formatter.
 * - `compact` (a prompt): "42m", "1h05m";
 * - `spaced` (status lines): "12m", "1h 05m";
 * - `rounded` (warnings, to the nearest minute, at least 1): "12 min", from 90 minutes on "2 h".
 * `compact` and `spaced` round down: they never promise a minute that is not there.
 */
export function formatDuration(ms: number, style: 'compact' | 'spaced' | 'rounded'): string {
  if (style === 'rounded') {
    const m = Math.max(1, Math.round(ms / 60000));
    return m >= 90 ? `${Math.round(m / 60)} h` : `${m} min`;
  }
  const m = Math.floor(ms / 60000);
  if (m < 60) return `${m}m`;
  return `${Math.floor(m / 60)}h${style === 'spaced' ? ' ' : ''}${String(m % 60).padStart(2, '0')}m`;
}
