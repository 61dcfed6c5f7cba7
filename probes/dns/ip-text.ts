/**
 * Addresses between text and the bytes of A and AAAA rdata. No dependency on the codec, so
 * the codec can say in its own error type what was wrong.
 */
import { isIP } from 'node:net';

/** The 4 bytes of a dotted IPv4 address, or null when `text` is not one. */
export function ipv4Bytes(text: string): Uint8Array | null {
  if (isIP(text) !== 4) return null;
  return Uint8Array.from(text.split('.').map(Number));
}

/** The 16 bytes of an IPv6 address (`::` and a dotted IPv4 tail included), or null. */
export function ipv6Bytes(text: string): Uint8Array | null {
  if (isIP(text) !== 6) return null;
  let s = text.split('%')[0];
  if (s.includes('.')) {
    const at = s.lastIndexOf(':');
    const v4 = ipv4Bytes(s.slice(at + 1));
    if (!v4) return null;
    s = `${s.slice(0, at + 1)}${((v4[0] << 8) | v4[1]).toString(16)}:${((v4[2] << 8) | v4[3]).toString(16)}`;
  }
  const [head, tail] = s.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const zeros = tail === undefined ? [] : new Array<string>(8 - left.length - right.length).fill('0');
  const out = new Uint8Array(16);
  [...left, ...zeros, ...right].forEach((group, i) => {
    const g = Number.parseInt(group, 16);
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

/** RFC 5952 text: lowercase, longest zero run as `::`, IPv4-mapped as `::ffff:a.b.c.d`. */
export function formatIpv6(bytes: Uint8Array): string {
  if (bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) {
    return `::ffff:${bytes.subarray(12).join('.')}`;
  }
  const groups = Array.from({ length: 8 }, (_, i) => (bytes[2 * i] << 8) | bytes[2 * i + 1]);
  let best = { start: -1, len: 0 };
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.len) best = { start: i, len: j - i };
    i = j > i ? j : i + 1;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.len < 2) return hex.join(':');
  return `${hex.slice(0, best.start).join(':')}::${hex.slice(best.start + best.len).join(':')}`;
}
