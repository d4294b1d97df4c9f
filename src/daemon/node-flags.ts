/**
 * Node flags for the daemon's own process: `credd start` passes them, and `credd service install`
 * writes them into the systemd unit and the launchd plist, so the daemon runs the same however it
 * is started (a `credd daemon` typed by hand runs without them: it is for debugging).
 *
 * `--max-semi-space-size=2` (MiB): V8 grows its young generation up to 16 MiB per semi-space when
 * allocation is fast — the daemon's own start-up, a burst of new connections — and keeps what it
 * touched until it decides to shrink it again. Capped, the young generation stays at 1–4 MiB
 * instead of 16–26: it bounds the worst case (one run ended at 114 MiB with 26 MiB of young
 * generation, against 80–88 MiB for every run with the cap), for scavenges about twice as often
 * and no CPU cost the bench could resolve. docs/performance.md has the measurements.
 */
export const DAEMON_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=2'];
