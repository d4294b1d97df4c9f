import { PortSquattedError } from '../errors.js';
import { describeListener, portListeners, type PortListener } from '../system/port-holder.js';
import type { CliContext } from './context.js';

/** The port of `http://127.0.0.1:PORT[/…]`, the address `credd env` hands out. */
export function portOf(url: string): number | undefined {
  const m = /^http:\/\/127\.0\.0\.1:(\d+)(\/|$)/.exec(url);
  return m ? Number(m[1]) : undefined;
}

/** Reads who listens on a port; /proc/net in production (undefined where there is none). */
export type ListenersFn = (port: number) => PortListener[] | undefined;

/**
 * Another user's listener on the port of `url`, described ("nobody (uid 65534), pid 4242"), or
 * undefined when the port is free, ours, or cannot be looked at (no /proc: macOS).
 */
export function squatterOf(ctx: Pick<CliContext, 'uid'>, url: string, listeners: ListenersFn = portListeners): string | undefined {
  const port = portOf(url);
  if (port === undefined || port === 0) return undefined;
  const foreign = listeners(port)?.find((l) => l.uid !== ctx.uid);
  return foreign && describeListener(foreign);
}

/**
 * Refuses, before the token is handed out, when another user holds the port the SDKs would send
 * it to (it squatted the port before credd started, or won it during a restart).
 */
export function refuseSquattedPort(ctx: Pick<CliContext, 'uid'>, url: string, consequence: string, listeners?: ListenersFn): void {
  const holder = squatterOf(ctx, url, listeners);
  if (holder) throw new PortSquattedError(`127.0.0.1:${portOf(url)}`, holder, consequence);
}
