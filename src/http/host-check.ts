import { isIP } from 'node:net';
import { isLoopback } from './proc-net-tcp.js';

/**
 * Whether a `Host` header names this daemon: a loopback IP literal or `localhost`, or one of
 * `extraHosts` if it is an IP literal, with exactly `port`. A web page that rebinds its own
 * domain name to 127.0.0.1 still sends that name as Host, so it is refused here.
 */
export function hostAllowed(host: string | undefined, port: number | undefined, extraHosts: readonly string[] = []): boolean {
  if (!host || port === undefined) return false;
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]]+))(?::(\d{1,5}))?$/.exec(host);
  if (!m) return false;
  const name = (m[1] ?? m[2]!).toLowerCase();
  // A request without a port targets the scheme's default: 80 for plain http.
  if (Number(m[3] ?? '80') !== port) return false;
  if (name === 'localhost' || (isIP(name) !== 0 && isLoopback(name))) return true;
  return isIP(name) !== 0 && extraHosts.some((h) => h.replace(/^\[|\]$/g, '').toLowerCase() === name && !isWildcard(name));
}

/** `0.0.0.0` and `::` are listen-everywhere addresses, never a server's name. */
function isWildcard(addr: string): boolean {
  return addr === '0.0.0.0' || /^[0:]+$/.test(addr);
}
