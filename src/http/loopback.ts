import { isIPv4, isIPv6 } from 'node:net';

/*
 * IP address spellings, compared as bytes: what the Host check, the admission rules and the
 * /proc parser need to agree on (an address written in any of its IPv4 or IPv6 forms).
 */

/** The first 12 bytes of an IPv4-mapped IPv6 address, in {@link addressKey}'s hex. */
export const V4_MAPPED = '00000000000000000000ffff';

const hex2 = (n: number) => n.toString(16).padStart(2, '0');

/**
 * An address as 32 lowercase hex digits (its 16 IPv6 bytes; IPv4 as `::ffff:a.b.c.d`), so that
 * the two families and every spelling of an IPv6 address compare equal. Undefined if not an IP.
 */
export function addressKey(addr: string | undefined): string | undefined {
  if (!addr) return undefined;
  const bare = addr.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (isIPv4(bare))
    return (
      V4_MAPPED +
      bare
        .split('.')
        .map((o) => hex2(Number(o)))
        .join('')
    );
  if (!isIPv6(bare)) return undefined;
  const groups = (part: string): number[] =>
    part === ''
      ? []
      : part.split(':').flatMap((g) => {
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

/** How node names a loopback peer (`socket.remoteAddress`): checked per IMDS request, so spared the parse. */
const PLAIN_LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/** True for 127.0.0.0/8, `::1` and their IPv4-mapped forms. */
export function isLoopback(addr: string | undefined): boolean {
  if (addr !== undefined && PLAIN_LOOPBACK.has(addr)) return true;
  const k = addressKey(addr);
  return k !== undefined && (k.startsWith(`${V4_MAPPED}7f`) || k === `${'0'.repeat(31)}1`);
}
