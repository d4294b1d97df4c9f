import { isIPv4, isIPv6 } from 'node:net';

/** One socket of `/proc/net/tcp` or `/proc/net/tcp6`; addresses in {@link addressKey} form. */
export interface TcpEntry {
  local: string;
  localPort: number;
  remote: string;
  remotePort: number;
  uid: number;
}

/** The two ends of an accepted connection, as node's socket reports them. */
export interface ConnectionEnds {
  remoteAddress?: string | undefined;
  remotePort?: number | undefined;
  localAddress?: string | undefined;
  localPort?: number | undefined;
}

const V4_MAPPED = '00000000000000000000ffff';

const hex2 = (n: number) => n.toString(16).padStart(2, '0');

/**
 * An address as 32 lowercase hex digits (its 16 IPv6 bytes; IPv4 as `::ffff:a.b.c.d`), so that
 * the two families and every spelling of an IPv6 address compare equal. Undefined if not an IP.
 */
export function addressKey(addr: string | undefined): string | undefined {
  if (!addr) return undefined;
  const bare = addr.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (isIPv4(bare)) return V4_MAPPED + bare.split('.').map((o) => hex2(Number(o))).join('');
  if (!isIPv6(bare)) return undefined;
  const groups = (part: string): number[] =>
    part === '' ? [] : part.split(':').flatMap((g) => {
      if (!g.includes('.')) return [parseInt(g, 16)];
      const [a, b, c, d] = g.split('.').map(Number) as [number, number, number, number];
      return [(a << 8) | b, (c << 8) | d];
    });
  const [head = '', tail] = bare.split('::');
  const h = groups(head);
  const t = tail === undefined ? [] : groups(tail);
  const all = [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t];
  return all.map((g) => g.toString(16).padStart(4, '0')).join('');
}

/** True for IPv4 addresses, written plainly or IPv4-mapped (`::ffff:a.b.c.d`). */
export function isIPv4Family(addr: string | undefined): boolean {
  return addressKey(addr)?.startsWith(V4_MAPPED) ?? false;
}

/** True for 127.0.0.0/8, `::1` and their IPv4-mapped forms. */
export function isLoopback(addr: string | undefined): boolean {
  const k = addressKey(addr);
  return k !== undefined && (k.startsWith(`${V4_MAPPED}7f`) || k === `${'0'.repeat(31)}1`);
}

/**
 * The kernel prints each address as 32-bit words in host byte order: `0100007F` is 127.0.0.1
 * on a little-endian machine. Returns the {@link addressKey} form.
 */
function procAddress(hex: string, littleEndian: boolean): string | undefined {
  if (!/^[0-9A-Fa-f]+$/.test(hex) || (hex.length !== 8 && hex.length !== 32)) return undefined;
  let bytes = '';
  for (let i = 0; i < hex.length; i += 8) {
    const word = hex.slice(i, i + 8).toLowerCase();
    bytes += littleEndian ? word.match(/../g)!.reverse().join('') : word;
  }
  return hex.length === 8 ? V4_MAPPED + bytes : bytes;
}

function endpoint(field: string | undefined, littleEndian: boolean): [string, number] | undefined {
  const [addr, port] = (field ?? '').split(':');
  const key = procAddress(addr ?? '', littleEndian);
  const p = parseInt(port ?? '', 16);
  return key === undefined || !Number.isInteger(p) ? undefined : [key, p];
}

/** Parses the text of `/proc/net/tcp` or `/proc/net/tcp6`; lines that do not parse are skipped. */
export function parseProcNetTcp(text: string, littleEndian = true): TcpEntry[] {
  const out: TcpEntry[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    const local = endpoint(f[1], littleEndian);
    const remote = endpoint(f[2], littleEndian);
    const uid = Number(f[7]);
    if (!local || !remote || f[7] === undefined || !Number.isInteger(uid)) continue;
    out.push({ local: local[0], localPort: local[1], remote: remote[0], remotePort: remote[1], uid });
  }
  return out;
}

/**
 * The UID owning the client end of `conn`: the socket whose local end is our peer and whose
 * remote end is us. Undefined when no such socket is listed.
 */
export function ownerOf(entries: TcpEntry[], conn: ConnectionEnds): number | undefined {
  const peer = addressKey(conn.remoteAddress);
  const self = addressKey(conn.localAddress);
  if (!peer || !self) return undefined;
  return entries.find((e) => e.local === peer && e.localPort === conn.remotePort && e.remote === self && e.remotePort === conn.localPort)?.uid;
}
