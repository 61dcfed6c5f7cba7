/**
 * IP addresses as numbers, for range checks: the lab interlock's namespace nets and the
 * catalog's Optimize ranges. IPv4 as 32 bits, IPv6 as 128 (`::` expanded; no embedded IPv4).
 */
import { isIP } from 'node:net';

export interface IpBits {
  family: 4 | 6;
  n: bigint;
}

/** The address as a number of its family's width, or null when it is not an IP address. */
export function ipBits(address: string): IpBits | null {
  const family = isIP(address);
  if (family === 4) {
    return {
      family: 4,
      n: address.split('.').reduce((acc, octet) => (acc << 8n) | BigInt(Number(octet)), 0n),
    };
  }
  if (family !== 6 || address.includes('.')) return null;
  const [head, tail = ''] = address.toLowerCase().split('::');
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  const left = groups(head);
  const right = groups(tail);
  const words = address.includes('::')
    ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right]
    : left;
  if (words.length !== 8) return null;
  return { family: 6, n: words.reduce((acc, w) => (acc << 16n) | BigInt(Number.parseInt(w, 16)), 0n) };
}

/** A CIDR range as base and mask, or null when it is not one. */
export function parseRange(cidr: string): { family: 4 | 6; base: bigint; mask: bigint; bits: number } | null {
  const [ip, bitsText] = cidr.split('/');
  const value = ipBits(ip);
  if (!value) return null;
  const width = value.family === 6 ? 128 : 32;
  const bits = bitsText === undefined ? width : Number(bitsText);
  if (!Number.isInteger(bits) || bits < 0 || bits > width) return null;
  const all = (1n << BigInt(width)) - 1n;
  const mask = all ^ ((1n << BigInt(width - bits)) - 1n);
  return { family: value.family, base: value.n & mask, mask, bits };
}

/** Whether the address lies in the range (same family, same masked bits). */
export function inRange(address: IpBits, range: { family: 4 | 6; base: bigint; mask: bigint }): boolean {
  return address.family === range.family && (address.n & range.mask) === range.base;
}
