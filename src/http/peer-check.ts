import { readFile } from 'node:fs/promises';
import { endianness } from 'node:os';
import { isIPv4Family, isLoopback, ownerOf, parseProcNetTcp, type ConnectionEnds, type TcpEntry } from './proc-net-tcp.js';

/** What the peer check decided for one connection. */
export type PeerVerdict = { allowed: true } | { allowed: false; reason: 'other-user' | 'unknown-peer'; uid?: number };

/** Whether the check runs, for `credd status`. */
export interface PeerCheckStatus {
  enabled: boolean;
  /** Why it is off, or what it does. */
  detail: string;
}

/** Refuses connections whose client socket belongs to another user. */
export interface PeerCheck {
  status(): PeerCheckStatus;
  /** Starts the lookup for a newly accepted connection (the server's 'connection' event). */
  watch(socket: ConnectionEnds & object): void;
  /** The verdict for the connection a request arrived on; one lookup per connection. */
  verdict(socket: ConnectionEnds & object): Promise<PeerVerdict>;
}

export interface PeerCheckDeps {
  /** Our UID (default `process.getuid()`; undefined where there is none, e.g. Windows). */
  uid?: number | undefined;
  /** Default `process.platform`. */
  platform?: NodeJS.Platform;
  /** Reads a /proc file (default fs.promises.readFile as UTF-8); injected in tests. */
  readProc?(path: string): Promise<string>;
  /** Byte order of /proc addresses (default the host's). */
  littleEndian?: boolean;
  /** Called once when /proc turns out to be unreadable and the check is switched off. */
  onUnavailable?(detail: string): void;
}

const ALLOW: PeerVerdict = { allowed: true };

/**
 * Per-connection owner lookup through `/proc/net/tcp` and `/proc/net/tcp6` (Linux). Reading a
 * table costs milliseconds (the kernel walks its socket hash once per page), so it happens once
 * per TCP connection, asynchronously, with connections accepted in the same event-loop turn
 * sharing one read; keep-alive requests reuse the verdict.
 */
export function createPeerCheck(deps: PeerCheckDeps = {}): PeerCheck {
  const uid = 'uid' in deps ? deps.uid : process.getuid?.();
  const platform = deps.platform ?? process.platform;
  const read = deps.readProc ?? ((p: string) => readFile(p, 'utf8'));
  const le = deps.littleEndian ?? endianness() === 'LE';
  const verdicts = new WeakMap<object, Promise<PeerVerdict>>();
  let status: PeerCheckStatus =
    platform !== 'linux'
      ? { enabled: false, detail: `not available on ${platform}: the OS does not tell which user owns a loopback connection, so other local users are kept out by the token (container routes) only` }
      : uid === undefined
        ? { enabled: false, detail: 'no user ID to compare with on this system' }
        : { enabled: true, detail: "connections from other users' sockets are refused (/proc/net/tcp)" };

  const batches = new Map<string, Promise<TcpEntry[] | undefined>>();
  /** One table, read once for every connection accepted in the same event-loop turn. */
  const table = (file: '/proc/net/tcp' | '/proc/net/tcp6'): Promise<TcpEntry[] | undefined> => {
    let batch = batches.get(file);
    if (!batch) {
      batch = new Promise<void>((r) => setImmediate(r)).then(async () => {
        // Later connections need a fresh read: their sockets may not be in this one.
        batches.delete(file);
        try {
          return parseProcNetTcp(await read(file), le);
        } catch (err) {
          // No tcp6 table just means no IPv6; without the tcp table the check cannot work.
          if (file === '/proc/net/tcp6') return [];
          if (status.enabled) {
            status = { enabled: false, detail: `cannot read /proc/net/tcp (${(err as NodeJS.ErrnoException).code ?? 'error'}): other local users are kept out by the token (container routes) only` };
            deps.onUnavailable?.(status.detail);
          }
          return undefined;
        }
      });
      batches.set(file, batch);
    }
    return batch;
  };

  const lookup = async (socket: ConnectionEnds): Promise<PeerVerdict> => {
    // Only loopback peers share our network namespace's table; the others are judged by the guards.
    if (!status.enabled || !isLoopback(socket.remoteAddress)) return ALLOW;
    // Each table costs milliseconds: an IPv4 peer is almost always in tcp, but a dual-stack
    // client socket (Java's default) shows up in tcp6 as ::ffff:127.0.0.1.
    const files = isIPv4Family(socket.remoteAddress) ? (['/proc/net/tcp', '/proc/net/tcp6'] as const) : (['/proc/net/tcp6'] as const);
    for (const file of files) {
      const entries = await table(file);
      if (!entries) return ALLOW;
      const owner = ownerOf(entries, socket);
      if (owner !== undefined) return owner === uid ? ALLOW : { allowed: false, reason: 'other-user', uid: owner };
    }
    return { allowed: false, reason: 'unknown-peer' };
  };

  const verdict = (socket: ConnectionEnds & object): Promise<PeerVerdict> => {
    let v = verdicts.get(socket);
    if (!v) {
      v = lookup(socket);
      verdicts.set(socket, v);
    }
    return v;
  };

  return {
    status: () => status,
    watch: (socket) => void verdict(socket),
    verdict,
  };
}
