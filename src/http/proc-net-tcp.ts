import { addressKey, V4_MAPPED } from './loopback.js';

/** The two ends of an accepted connection, as node's socket reports them. */
export interface ConnectionEnds {
  remoteAddress?: string | undefined;
  remotePort?: number | undefined;
  localAddress?: string | undefined;
  localPort?: number | undefined;
}

/** An endpoint as the kernel prints it in `table`: host-order 32-bit words in upper-case hex, then `:PORT`. */
function procEndpoint(addr: string | undefined, port: number | undefined, table: 'tcp' | 'tcp6', littleEndian: boolean): string | undefined {
  const key = addressKey(addr);
  if (key === undefined || port === undefined) return undefined;
  if (table === 'tcp' && !key.startsWith(V4_MAPPED)) return undefined;
  const bytes = table === 'tcp' ? key.slice(24) : key;
  let hex = '';
  for (let i = 0; i < bytes.length; i += 8)
    hex += littleEndian
      ? bytes
          .slice(i, i + 8)
          .match(/../g)!
          .reverse()
          .join('')
      : bytes.slice(i, i + 8);
  return `${hex.toUpperCase()}:${port.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * The UID owning the client end of `conn`, from the text of `/proc/net/tcp` (`table` 'tcp') or
 * `tcp6`: the socket whose local end is our peer and whose remote end is us. The table is not
 * parsed (that cost about 1.5 µs per socket listed, `TIME_WAIT` ones included): the client's
 * line is the one starting with those two ends, so one `indexOf` finds it and only that line is
 * split. `TIME_WAIT` lines (no owner; uid 0) are passed over. Undefined when not listed.
 */
export function findOwner(text: string, conn: ConnectionEnds, table: 'tcp' | 'tcp6', littleEndian = true): number | undefined {
  const client = procEndpoint(conn.remoteAddress, conn.remotePort, table, littleEndian);
  const self = procEndpoint(conn.localAddress, conn.localPort, table, littleEndian);
  if (!client || !self) return undefined;
  const needle = `: ${client} ${self} `;
  for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + needle.length)) {
    const end = text.indexOf('\n', at);
    // st tx_queue:rx_queue tr:tm->when retrnsmt uid …
    const f = text
      .slice(at + needle.length, end === -1 ? undefined : end)
      .trim()
      .split(/\s+/);
    if (f[0] !== '06' && /^\d+$/.test(f[4] ?? '')) return Number(f[4]);
  }
  return undefined;
}
