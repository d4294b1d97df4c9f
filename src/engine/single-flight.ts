/**
 * Shares one in-flight promise per key: concurrent callers for the same key get the
 * same result from one underlying call.
 */
export function createSingleFlight<T>() {
  const inflight = new Map<string, Promise<T>>();
  return {
    run(key: string, fn: () => Promise<T>): Promise<T> {
      const existing = inflight.get(key);
      if (existing) return existing;
      const p = fn().finally(() => inflight.delete(key));
      inflight.set(key, p);
      return p;
    },
    has(key: string): boolean {
      return inflight.has(key);
    },
  };
}
