import type { EveryFn } from './scheduler.js';
import type { Logger } from '../log.js';
import { describeListener, portListeners, type PortListener } from '../system/port-holder.js';

export interface PortWatchDeps {
  port: number;
  uid: number;
  /** Whether this daemon's own server still listens. */
  listening(): boolean;
  log: Logger;
  every: EveryFn;
  /** Reads the listeners (default: /proc/net/tcp and tcp6). */
  listeners?(port: number): PortListener[] | undefined;
  /** Default 30 s: /proc/net/tcp costs milliseconds, so never per request. */
  intervalMs?: number;
}

/** What the last check found: undefined while all is well. */
export interface PortProblem {
  message: string;
}

/**
 * Checks, while the daemon runs, that the port is still its own: that its server listens and no
 * other user's socket takes connections to 127.0.0.1 on it. A finding is logged once and shown by
 * `credd status` until it clears.
 */
export function watchPort(deps: PortWatchDeps): { check(): PortProblem | undefined; problem(): PortProblem | undefined; stop(): void } {
  let problem: PortProblem | undefined;
  const check = () => {
    const foreign = (deps.listeners ?? portListeners)(deps.port)?.find((l) => l.uid !== deps.uid);
    const next = foreign
      ? { message: `127.0.0.1:${deps.port} is also held by ${describeListener(foreign)}: SDKs may reach it instead of credd.` }
      : !deps.listening()
        ? { message: `credd no longer listens on 127.0.0.1:${deps.port}: restart it (credd stop; credd start).` }
        : undefined;
    if (next && next.message !== problem?.message) deps.log.error({ port: deps.port }, next.message);
    if (!next && problem) deps.log.info({ port: deps.port }, "the port is credd's alone again");
    problem = next;
    return problem;
  };
  const job = deps.every(deps.intervalMs ?? 30_000, () => void check());
  return { check, problem: () => problem, stop: () => job.stop() };
}
