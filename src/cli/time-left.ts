/** "1h 05m left", "12m left" or "expired": short enough for a prompt. */
export function timeLeft(iso: string, now: number): string {
  const s = Math.floor((Date.parse(iso) - now) / 1000);
  // An unparseable date claims nothing is left rather than printing NaN.
  if (!(s > 0)) return 'expired';
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h ${String(m).padStart(2, '0')}m left` : `${m}m left`;
}
