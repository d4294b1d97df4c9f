import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { describeUid } from './user-name.js';

/** A socket listening on a TCP port, as /proc/net lists it. */
export interface PortListener {
  uid: number;
  inode: number;
  /** The process holding it, when /proc lets us see (always for our own; for others only as root). */
  pid?: number;
}

/**
 * Local addresses (as /proc/net/tcp and tcp6 print them on little-endian hosts) that take a
 * connection to 127.0.0.1, the address `credd env` gives the SDKs: 127.0.0.1 itself, the IPv4
 * wildcard, the IPv6 wildcard (dual stack) and ::ffff:127.0.0.1.
 */
const REACHES_LOOPBACK = new Set(['0100007F', '00000000', '0'.repeat(32), '0000000000000000FFFF00000100007F']);

/** The LISTEN sockets on `port` that would take a connection to 127.0.0.1:`port`, from a /proc/net table's text. */
export function parseListeners(text: string, port: number): PortListener[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const out: PortListener[] = [];
  for (const line of text.split('\n').slice(1)) {
    // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
    const f = line.trim().split(/\s+/);
    const [addr, p] = (f[1] ?? '').split(':');
    if (f[3] !== '0A' || p !== hexPort || !REACHES_LOOPBACK.has(addr ?? '')) continue;
    out.push({ uid: Number(f[7]), inode: Number(f[9]) });
  }
  return out;
}

/** The pid whose open files include socket `inode`, if /proc shows it. */
export function pidOfSocket(inode: number, procDir = '/proc'): number | undefined {
  const want = `socket:[${inode}]`;
  let pids: string[];
  try {
    pids = readdirSync(procDir).filter((d) => /^\d+$/.test(d));
  } catch {
    return undefined;
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`${procDir}/${pid}/fd`);
    } catch {
      continue; // another user's process (unless we are root), or gone
    }
    for (const fd of fds) {
      try {
        if (readlinkSync(`${procDir}/${pid}/fd/${fd}`) === want) return Number(pid);
      } catch {
        // closed meanwhile
      }
    }
  }
  return undefined;
}

/**
 * Who listens on 127.0.0.1:`port`: read from /proc/net/tcp and tcp6 (Linux). Undefined where
 * there is no /proc (macOS): nothing can be told there. Costs milliseconds: never per request.
 */
export function portListeners(port: number, procDir = '/proc'): PortListener[] | undefined {
  let found: PortListener[] | undefined;
  for (const table of ['tcp', 'tcp6']) {
    try {
      found = [...(found ?? []), ...parseListeners(readFileSync(`${procDir}/net/${table}`, 'utf8'), port)];
    } catch {
      // no IPv6, or no /proc at all
    }
  }
  return found?.map((l) => {
    const pid = pidOfSocket(l.inode, procDir);
    return pid === undefined ? l : { ...l, pid };
  });
}

/** The first listener on `port` owned by another user than `uid`, if any. */
export function foreignListener(port: number, uid: number, procDir = '/proc'): PortListener | undefined {
  return portListeners(port, procDir)?.find((l) => l.uid !== uid);
}

/** "nobody (uid 65534), pid 4242": how messages name a port's holder. */
export function describeListener(l: PortListener): string {
  return `${describeUid(l.uid)}${l.pid !== undefined ? `, pid ${l.pid}` : ''}`;
}
