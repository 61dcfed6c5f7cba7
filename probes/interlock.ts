/**
 * The lab interlock. With RECONNECT_LAB=1 the engine may only touch loopback, or addresses of
 * namespaces a test made itself. Every socket the engine opens (resolver, TCP, UDP, proxy) asks
 * `check` with the numeric address first, after name resolution, so a lab catalog that names a
 * real host can never send a packet off this machine.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { inRange, ipBits, parseRange } from './net/ip.ts';

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
        const value = ipBits(stripMapped(address));
        if (namespaceIsClosed && value && nets.some((n) => inRange(value, n))) return;
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

function parseCidr(cidr: string): { family: 4 | 6; base: bigint; mask: bigint } {
  const range = parseRange(cidr);
  // A namespace's net is narrow: /8 or longer for IPv4, /48 or longer for IPv6.
  if (!range || (range.family === 4 && range.bits < 8) || (range.family === 6 && range.bits < 48)) {
    throw new Error(
      `RECONNECT_LAB_NETS: "${cidr}" is not an IPv4 CIDR with a prefix of /8 to /32 or an IPv6 one of /48 to /128`,
    );
  }
  return range;
}

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
