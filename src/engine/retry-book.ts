import type { CreddError } from '../errors.js';
import { backoffDelay, type RefreshSettings } from './refresh-policy.js';

interface Entry {
  failures: number;
  /** No background STS call before this time. */
  retryAt: number;
  /** Set after a transient failure: requests with nothing to serve get it back until the base delay has passed. */
  transient?: { error: CreddError; at: number };
}

/** Per-profile bookkeeping of STS failures: capped exponential backoff with jitter. */
export interface RetryBook {
  failed(name: string, err: CreddError, now: number): void;
  succeeded(name: string): void;
  /** May the scheduler (or a request serving still-valid credentials) call STS for `name` now? */
  mayCall(name: string, now: number): boolean;
  /**
   * For a request with nothing to serve: the last transient error while the base delay
   * since it runs, so a burst of requests during an outage costs one STS call, not one each.
   */
  gate(name: string, now: number): CreddError | undefined;
  retryAt(name: string): number | undefined;
  failures(name: string): number;
  /** After a clock jump the stored times mean nothing: let every profile retry at once. */
  resetTimers(): void;
  clear(name?: string): void;
}

/** Transient trouble is worth retrying soon; anything else is a terminal answer. */
export function isTransient(err: CreddError): boolean {
  return err.code === 'StsUnavailable' || err.code === 'InternalError';
}

/** Creates the retry book. */
export function createRetryBook(deps: { settings: Required<RefreshSettings>; random(): number }): RetryBook {
  const book = new Map<string, Entry>();
  const s = deps.settings;
  return {
    failed(name, err, now) {
      // Only a new MFA code (or sign-in) helps here; the scheduler waits for one without a timer.
      if (err.code === 'MfaRequired' || err.code === 'LoginRequired') {
        book.delete(name);
        return;
      }
      const failures = (book.get(name)?.failures ?? 0) + 1;
      const entry: Entry = isTransient(err)
        ? { failures, retryAt: now + backoffDelay(failures, s, deps.random()), transient: { error: err, at: now } }
        : { failures, retryAt: now + s.backoffMaxSeconds * 1000 };
      book.set(name, entry);
    },
    succeeded: (name) => void book.delete(name),
    mayCall: (name, now) => now >= (book.get(name)?.retryAt ?? -Infinity),
    gate(name, now) {
      const t = book.get(name)?.transient;
      return t && now >= t.at && now - t.at < s.backoffBaseSeconds * 1000 ? t.error : undefined;
    },
    retryAt: (name) => book.get(name)?.retryAt,
    failures: (name) => book.get(name)?.failures ?? 0,
    resetTimers() {
      for (const e of book.values()) {
        e.retryAt = -Infinity;
        delete e.transient;
      }
    },
    clear(name) {
      if (name === undefined) book.clear();
      else book.delete(name);
    },
  };
}
