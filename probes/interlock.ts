/**
 * The lab interlock. With RECONNECT_LAB=1 the engine may only touch loopback, or addresses of
 * namespaces a test made itself. Every socket the engine opens (resolver, TCP, UDP, proxy) asks
 * `check` with the numeric address first, after name resolution, so a lab catalog that names a
 * real host can never send a packet off this machine.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';

export class InterlockError extends Error {
  readonly code = 'interlock';
  readonly address: string;
  constructor(address: string) {
    super(
      `refused by the lab interlock (RECONNECT_LAB=1): ${address} is not loopback or a lab namespace address`,
    );
    this.address = address;
  }
}

export interface Interlock {
  readonly enabled: boolean;
  /** Throws InterlockError when the address may not be reached. */
  check(address: string): void;
}

export interface InterlockOptions {
  enabled: boolean;
  /** IPv4 or IPv6 CIDRs of test-made namespaces (RECONNECT_LAB_NETS). */
  labNets?: string[];
  /**
   * Whether this network namespace has a default route. Lab nets are honoured only where it
   * has none: there a stray address cannot leave the machine even if the list is wrong.
   */
  hasDefaultRoute?: () => boolean;
}

export const OPEN_INTERLOCK: Interlock = { enabled: false, check() {} };

export function createInterlock(options: InterlockOptions): Interlock {
  if (!options.enabled) return OPEN_INTERLOCK;
  const nets = (options.labNets ?? []).map(parseCidr);
  const defaultRoute = options.hasDefaultRoute ?? systemHasDefaultRoute;
  let namespaceIsClosed: boolean | undefined;
  return {
    enabled: true,
    check(address: string) {
      if (isLoopback(address)) return;
      if (nets.length > 0) {
        namespaceIsClosed ??= !defaultRoute();
        const value = ipToBigInt(stripMapped(address));
        if (
          namespaceIsClosed &&
          value &&
          nets.some((n) => n.family === value.family && (value.n & n.mask) === n.base)
        )
          return;
      }
      throw new InterlockError(address);
    },
  };
}

export function isLoopback(address: string): boolean {
  const a = stripMapped(address);
  if (a === '::1') return true;
  return isIP(a) === 4 && a.startsWith('127.');
}

function stripMapped(address: string): string {
  return address.toLowerCase().startsWith('::ffff:') ? address.slice(7) : address;
}

function ipv4ToInt(address: string): number | null {
  if (isIP(address) !== 4) return null;
  return address.split('.').reduce((acc, octet) => ((acc << 8) | Number(octet)) >>> 0, 0);
}

/** An address as a number of its family's width (32 or 128 bits), or null when it is not one. */
function ipToBigInt(address: string): { family: 4 | 6; n: bigint } | null {
  const v4 = ipv4ToInt(address);
  if (v4 !== null) return { family: 4, n: BigInt(v4) };
  if (isIP(address) !== 6) return null;
  const [head, tail = ''] = address.toLowerCase().split('::');
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  const left = groups(head);
  const right = groups(tail);
  const words = address.includes('::')
    ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right]
    : left;
  if (words.length !== 8 || words.some((w) => !/^[0-9a-f]{1,4}$/.test(w))) return null;
  return { family: 6, n: words.reduce((acc, w) => (acc << 16n) | BigInt(Number.parseInt(w, 16)), 0n) };
}

function parseCidr(cidr: string): { family: 4 | 6; base: bigint; mask: bigint } {
  const [ip, bitsText] = cidr.split('/');
  const value = ipToBigInt(ip);
  const width = value?.family === 6 ? 128 : 32;
  const bits = Number(bitsText ?? width);
  // A namespace's net is narrow: /8 or longer for IPv4, /48 or longer for IPv6.
  const shortest = width === 32 ? 8 : 48;
  if (value === null || !Number.isInteger(bits) || bits < shortest || bits > width) {
    throw new Error(
      `RECONNECT_LAB_NETS: "${cidr}" is not an IPv4 CIDR with a prefix of /8 to /32 or an IPv6 one of /48 to /128`,
    );
  }
  const all = (1n << BigInt(width)) - 1n;
  const mask = all ^ ((1n << BigInt(width - bits)) - 1n);
  return { family: value.family, base: value.n & mask, mask };
}

/** Linux only: a default route in /proc/net/route (IPv4) or ipv6_route. Elsewhere assume one. */
function systemHasDefaultRoute(): boolean {
  try {
    const v4 = readFileSync('/proc/net/route', 'utf8').split('\n').slice(1);
    if (v4.some((line) => line.split(/\s+/)[1] === '00000000')) return true;
    const v6 = readFileSync('/proc/net/ipv6_route', 'utf8').split('\n');
    return v6.some((line) => line.startsWith('00000000000000000000000000000000 00') && !line.includes(' lo'));
  } catch {
    return true;
  }
}
