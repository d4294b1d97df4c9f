// Small statistics shared by the scenarios.

/** The median of `xs` (NaN for none). */
export function median(xs) {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Nearest-rank percentile `p` (0–100) of `xs` (NaN for none). */
export function percentile(xs, p) {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

/** Milliseconds since `t0` (a performance.now() reading), rounded to 0.1 ms. */
export const msSince = (t0) => Math.round((performance.now() - t0) * 10) / 10;

/** Formats `x` with `d` decimals, or `n/a`. */
export const fmt = (x, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');

/** Bytes as MiB with one decimal. */
export const mib = (b) => fmt(b / 1048576, 1);
