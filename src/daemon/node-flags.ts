/**
 * Node flags for the daemon's own process: `credd start` passes them, and `credd service install`
 * writes them into the systemd unit and the launchd plist, so the daemon runs the same however it
 * is started (a `credd daemon` typed by hand runs without them: it is for debugging).
 *
 * `--max-semi-space-size=2` (MiB): V8 grows its young generation up to 16 MiB per semi-space when
 * allocation is fast — the daemon's start-up, a burst of new connections — and an idle process
 * never gives it back. Capped at 2 MiB the young generation stays at 1–4 MiB: about 20 MiB less
 * RSS after a burst and a load, for more frequent (cheaper) scavenges; docs/performance.md has
 * the measurements.
 */
export const DAEMON_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=2'];
