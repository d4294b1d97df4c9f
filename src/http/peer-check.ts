import { readFile } from 'node:fs/promises';
import { endianness, networkInterfaces } from 'node:os';
import { addressKey, isIPv4Family, isLoopback } from './loopback.js';
import { findOwner, type ConnectionEnds } from './proc-net-tcp.js';

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
  /** Notes that a connection was accepted (the server's 'connection' event), in order. Reads nothing. */
  watch(socket: ConnectionEnds & object): void;
  /**
   * The verdict for the connection a request arrived on. The first call for a connection looks
   * its owner up; later calls (keep-alive requests) reuse that verdict.
   */
  verdict(socket: ConnectionEnds & object): Promise<PeerVerdict>;
  /** The verdict if it is already known, synchronously (allowed while the check is off); else undefined. */
  known(socket: ConnectionEnds & object): PeerVerdict | undefined;
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
  /** This host's own addresses (default: every interface's, from `os.networkInterfaces()`). */
  hostAddresses?(): string[];
  /** Called once when /proc turns out to be unreadable and the check is switched off. */
  onUnavailable?(detail: string): void;
}

type Table = 'tcp' | 'tcp6';
/** A table read: `upTo` is the last connection accepted before it started, so certainly in it. */
interface Read {
  upTo: number;
  text: Promise<string | undefined>;
}

const ALLOW: PeerVerdict = { allowed: true };

/**
 * Per-connection owner lookup through `/proc/net/tcp` and `/proc/net/tcp6` (Linux). Reading a
 * table costs milliseconds of kernel time (it walks the whole socket hash), so it is done only
 * when a request that passed every cheaper check needs the verdict, once per connection, and
 * at most one read of a table runs at a time: a connection accepted after that read started
 * waits for the single read queued behind it, which serves every connection waiting by then.
 */
export function createPeerCheck(deps: PeerCheckDeps = {}): PeerCheck {
  const uid = 'uid' in deps ? deps.uid : process.getuid?.();
  const platform = deps.platform ?? process.platform;
  const read = deps.readProc ?? ((p: string) => readFile(p, 'utf8'));
  const le = deps.littleEndian ?? endianness() === 'LE';
  const hostAddresses = deps.hostAddresses ?? (() => Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((i) => i.address)));
  const pending = new WeakMap<object, Promise<PeerVerdict>>();
  const settled = new WeakMap<object, PeerVerdict>();
  const accepted = new WeakMap<object, number>();
  let acceptedCount = 0;
  let status: PeerCheckStatus =
    platform !== 'linux'
      ? {
          enabled: false,
          detail: `not available on ${platform}: the OS does not tell which user owns a loopback connection, so other local users are kept out by the token (container routes) only`,
        }
      : uid === undefined
        ? { enabled: false, detail: 'no user ID to compare with on this system' }
        : { enabled: true, detail: "connections from other users' sockets are refused (/proc/net/tcp)" };

  const current: Partial<Record<Table, Read>> = {};
  const queued: Partial<Record<Table, Promise<string | undefined>>> = {};

  const start = (table: Table): Read => {
    const r: Read = {
      upTo: acceptedCount,
      text: read(`/proc/net/${table}`).catch((err: NodeJS.ErrnoException) => {
        // No tcp6 table just means no IPv6; without the tcp table the check cannot work.
        if (table === 'tcp6') return '';
        if (status.enabled) {
          status = {
            enabled: false,
            detail: `cannot read /proc/net/tcp (${err.code ?? 'error'}): other local users are kept out by the token (container routes) only`,
          };
          deps.onUnavailable?.(status.detail);
        }
        return undefined;
      }),
    };
    current[table] = r;
    void r.text.then(() => {
      if (current[table] === r) delete current[table];
    });
    return r;
  };

  /** A read of `table` certain to list connection number `seq`: the one in flight if it started after it, else the next. */
  const tableFor = (table: Table, seq: number): Promise<string | undefined> => {
    const now = current[table];
    if (!now) return start(table).text;
    if (now.upTo >= seq) return now.text;
    return (queued[table] ??= now.text.then(() => {
      delete queued[table];
      return start(table).text;
    }));
  };

  const lookup = async (socket: ConnectionEnds & object): Promise<PeerVerdict> => {
    // Not watched (no server in between): take it as accepted just now.
    const seq = accepted.get(socket) ?? ++acceptedCount;
    // An IPv4 peer is almost always in tcp, but a dual-stack client socket (Java's default) shows up in tcp6 as ::ffff:127.0.0.1.
    const tables: Table[] = isIPv4Family(socket.remoteAddress) ? ['tcp', 'tcp6'] : ['tcp6'];
    for (const table of tables) {
      const text = await tableFor(table, seq);
      if (text === undefined) return ALLOW;
      const owner = findOwner(text, socket, table, le);
      if (owner !== undefined) return owner === uid ? ALLOW : { allowed: false, reason: 'other-user', uid: owner };
    }
    return outside(socket) ? ALLOW : { allowed: false, reason: 'unknown-peer' };
  };

  /**
   * A connection missing from our tables comes from another network namespace (a container
   * reaching the ECS-style 169.254.170.2 address) only if its source is none of this host's
   * addresses and it did not come in on loopback. A local process that binds this host's LAN
   * or docker address and connects to 127.0.0.1 is listed (and so judged by its uid).
   */
  const outside = (socket: ConnectionEnds): boolean => {
    if (isLoopback(socket.localAddress) || isLoopback(socket.remoteAddress)) return false;
    const peerKey = addressKey(socket.remoteAddress);
    return peerKey !== undefined && !hostAddresses().some((a) => addressKey(a) === peerKey);
  };

  const verdict = (socket: ConnectionEnds & object): Promise<PeerVerdict> => {
    const known = settled.get(socket);
    if (known) return Promise.resolve(known);
    let v = pending.get(socket);
    if (!v) {
      // Every connection is looked up, whatever its source address: see `outside`.
      if (!status.enabled) {
        settled.set(socket, ALLOW);
        return Promise.resolve(ALLOW);
      }
      v = lookup(socket).then((out) => {
        settled.set(socket, out);
        pending.delete(socket);
        return out;
      });
      pending.set(socket, v);
    }
    return v;
  };

  return {
    status: () => status,
    watch: (socket) => void accepted.set(socket, ++acceptedCount),
    verdict,
    known: (socket) => settled.get(socket) ?? (status.enabled ? undefined : ALLOW),
  };
}
