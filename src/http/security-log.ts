import type { Logger } from '../log.js';

/** One refused request. Never put a token, a credential or an Authorization header in here. */
export interface Refusal {
  /** Stable reason, e.g. `bad-host`, `browser-header`, `other-user`, `no-token`. */
  reason: string;
  status: number;
  method?: string | undefined;
  /** The request path; the query string is dropped and the rest cut short. */
  path?: string | undefined;
  remote?: string | undefined;
  /** A non-secret detail, e.g. the Host or Origin that was refused. */
  detail?: string | undefined;
}

export interface SecurityLogOptions {
  log: Logger;
  now(): number;
  /** Length of a rate-limit window (default 60 000 ms). */
  windowMs?: number;
  /** Refusals logged per reason and window; the rest are counted (default 5). */
  perWindow?: number;
}

/** Logs refusals as security events. */
export interface SecurityLog {
  refused(r: Refusal): void;
  /** Logs the counts left out so far, one line per reason (on a timer and at shutdown). */
  flush(): void;
  /** The window length, for the caller's flush timer. */
  readonly windowMs: number;
}

/** Strips what could be long, forged or sensitive: query strings, control characters, length. */
const clean = (s: string | undefined, max: number) =>
  s === undefined
    ? undefined
    : s
        .split('?')[0]!
        .replace(/[\u0000-\u001f\u007f]/g, '?')
        .slice(0, max);

/**
 * Each refusal is logged once (here, not again by the error handler), at most `perWindow` times
 * per reason and window, so a flood of bad requests cannot flood the log; the next entry of that
 * reason, or else the next `flush`, reports how many were left out.
 */
export function createSecurityLog(opts: SecurityLogOptions): SecurityLog {
  const windowMs = opts.windowMs ?? 60_000;
  const perWindow = opts.perWindow ?? 5;
  const state = new Map<string, { start: number; count: number; suppressed: number }>();
  return {
    refused(r) {
      const now = opts.now();
      let s = state.get(r.reason);
      if (!s || now - s.start >= windowMs) {
        s = { start: now, count: 0, suppressed: s?.suppressed ?? 0 };
        state.set(r.reason, s);
      }
      if (s.count >= perWindow) {
        s.suppressed++;
        return;
      }
      s.count++;
      const entry: Record<string, unknown> = { security: 'refused', reason: r.reason, status: r.status };
      if (r.method) entry.method = clean(r.method, 10);
      if (r.path) entry.path = clean(r.path, 120);
      if (r.remote) entry.remote = r.remote;
      if (r.detail) entry.detail = clean(r.detail, 120);
      if (s.suppressed) entry.suppressed = s.suppressed;
      s.suppressed = 0;
      opts.log.warn(entry, `refused a request to the credential endpoint: ${r.reason}`);
    },
    flush() {
      for (const [reason, s] of state) {
        if (s.suppressed)
          opts.log.warn(
            { security: 'refused', reason, suppressed: s.suppressed },
            `refused ${s.suppressed} more requests to the credential endpoint: ${reason}`,
          );
        s.suppressed = 0;
      }
    },
    windowMs,
  };
}
