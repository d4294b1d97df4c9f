import { createHook } from 'node:async_hooks';

let pinned: object | undefined;

/**
 * Keeps one `process.nextTick` queue entry alive for the life of the process (idempotent).
 * Called by the `daemon` command at start-up, never on import.
 *
 * Why: node (20, 22 and 24 alike) builds each entry as an object literal with two symbol keys,
 * and V8 remembers the shape (hidden class) of that literal in `nextTick`'s inline caches only
 * weakly. When the
 * process idles with no entry alive — the daemon after startup, before its first request — a
 * full GC frees those shapes; the next `nextTick` then turns three of its caches megamorphic
 * for good, and every later call takes V8's slow path: measured at about 2.4 µs of CPU per
 * HTTP request (15.7 against 13.2 µs on node 20), as node's streams queue about seven ticks per
 * request; a `nextTick` after an idle GC costs 0.4–0.9 µs unpinned against about 0.1 µs pinned on
 * 20, 22 and 24 (docs/performance.md). One entry held here keeps the shapes alive, so the caches
 * stay monomorphic. Call it before the process idles.
 */
export function pinTickShape(): void {
  if (pinned) return;
  // On only for one synchronous nextTick call: the one resource created meanwhile is its entry.
  const hook = createHook({
    init(_id, _type, _trigger, resource) {
      pinned = resource;
    },
  }).enable();
  process.nextTick(() => undefined);
  hook.disable();
}
