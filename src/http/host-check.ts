import { isIP } from 'node:net';
import { isLoopback } from './loopback.js';

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

export interface HostCheckOptions {
  /** The daemon's port, once known (undefined before the server listens: every Host is refused). */
  port(): number | undefined;
  /** As for {@link hostAllowed}. */
  extraHosts?: readonly string[] | undefined;
}

/** The two questions {@link createHostCheck} answers. */
export interface HostCheck {
  /** Whether `host` is one of the precomputed strings: one Set lookup, nothing parsed. */
  exact(host: string | undefined): boolean;
  /** {@link hostAllowed}: an exact string, or else any spelling it accepts. */
  allowed(host: string | undefined): boolean;
}

/**
 * {@link hostAllowed} with the strings clients really send (`127.0.0.1:PORT`, `localhost:PORT`,
 * `[::1]:PORT`, each extra host with the port) precomputed as a set once the port is known:
 * a hit is one lookup, and only other spellings are parsed. Same answers as `hostAllowed`, as
 * each string in the set was accepted by it.
 */
export function createHostCheck(opts: HostCheckOptions): HostCheck {
  const extra = opts.extraHosts ?? [];
  let forPort: number | undefined;
  let strings = new Set<string>();
  const exact = (host: string | undefined): boolean => {
    const port = opts.port();
    if (port === undefined || host === undefined) return false;
    if (port !== forPort) {
      const names = ['127.0.0.1', 'localhost', '[::1]', ...extra.map((h) => (h.includes(':') && !h.startsWith('[') ? `[${h}]` : h).toLowerCase())];
      const candidates = names.flatMap((n) => (port === 80 ? [`${n}:${port}`, n] : [`${n}:${port}`]));
      strings = new Set(candidates.filter((c) => hostAllowed(c, port, extra)));
      forPort = port;
    }
    return strings.has(host);
  };
  return {
    exact,
    allowed: (host) => exact(host) || hostAllowed(host, opts.port(), extra),
  };
}
