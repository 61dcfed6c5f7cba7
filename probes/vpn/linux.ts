/**
 * Linux's main routing table as the kernel prints it: /proc/net/route (IPv4, addresses as
 * hex words in host byte order) and /proc/net/ipv6_route (fixed-width hex fields). Only the
 * routes for all (or half) of the address space are kept; they decide where "everything
 * else" goes.
 */
import { outputLines } from '../device/lines.ts';
import { ParseError, type WholeRoute } from './routes.ts';

const RTF_UP = 0x0001;
const RTF_GATEWAY = 0x0002;
/** Unreachable, prohibit and blackhole routes: they carry nothing. */
const RTF_REJECT = 0x0200;

const ROUTE_SOURCE = '/proc/net/route';
const ROUTE6_SOURCE = '/proc/net/ipv6_route';
const COLUMNS = ['Iface', 'Destination', 'Gateway', 'Flags', 'Metric', 'Mask'] as const;

/** `endianness` is the machine's (os.endianness()): the kernel prints each address as a native u32. */
export function parseProcRoute(text: string, endianness: 'LE' | 'BE' = 'LE'): WholeRoute[] {
  const lines = outputLines(text).filter((l) => l.trim() !== '');
  if (lines.length === 0)
    throw new ParseError(ROUTE_SOURCE, 'the file is empty; expected a header line starting "Iface"');
  const header = lines[0].trim().split(/\s+/);
  const at = Object.fromEntries(COLUMNS.map((c) => [c, header.indexOf(c)])) as Record<
    (typeof COLUMNS)[number],
    number
  >;
  const missing = COLUMNS.filter((c) => at[c] < 0);
  if (missing.length > 0)
    throw new ParseError(
      ROUTE_SOURCE,
      `line 1: the header lacks ${missing.join(', ')}; expected "Iface Destination Gateway Flags … Metric Mask …"`,
    );
  const width = Math.max(...Object.values(at)) + 1;
  const routes: WholeRoute[] = [];
  lines.slice(1).forEach((line, i) => {
    const f = line.trim().split(/\s+/);
    const where = `line ${i + 2}`;
    if (f.length < width)
      throw new ParseError(ROUTE_SOURCE, `${where}: ${f.length} fields, expected at least ${width}`);
    const dest = hexWord(f[at.Destination], where, 'Destination');
    const gateway = hexWord(f[at.Gateway], where, 'Gateway');
    const mask = hexWord(f[at.Mask], where, 'Mask');
    const flags = hexNumber(f[at.Flags], where, 'Flags');
    if (!/^-?\d+$/.test(f[at.Metric]))
      throw new ParseError(ROUTE_SOURCE, `${where}: Metric "${f[at.Metric]}" is not a decimal number`);
    if (!(flags & RTF_UP) || flags & RTF_REJECT) return;
    const covers = coverage(dotted(dest, endianness), dotted(mask, endianness));
    if (!covers) return;
    routes.push({
      covers,
      interface: f[at.Iface],
      ...(flags & RTF_GATEWAY ? { gateway: dotted(gateway, endianness) } : {}),
      metric: Number(f[at.Metric]),
    });
  });
  return routes;
}

/** The ::/0 routes of /proc/net/ipv6_route. An empty file (no IPv6 routes) gives none. */
export function parseProcIpv6Route(text: string): WholeRoute[] {
  const routes: WholeRoute[] = [];
  outputLines(text).forEach((line, i) => {
    if (line.trim() === '') return;
    const f = line.trim().split(/\s+/);
    const shape = [32, 2, 32, 2, 32, 8, 8, 8, 8];
    if (f.length !== 10 || shape.some((len, k) => !new RegExp(`^[0-9a-fA-F]{${len}}$`).test(f[k])))
      throw new ParseError(
        ROUTE6_SOURCE,
        `line ${i + 1}: expected 9 hex fields (destination, prefix length, source, prefix length, next hop, metric, refcount, use, flags) and an interface name`,
      );
    const [dest, plen, , , nextHop, metric, , , flagsHex, iface] = f;
    const flags = Number.parseInt(flagsHex, 16);
    // The kernel lists a ::/0 reject route on lo when nothing else covers IPv6.
    if (!(flags & RTF_UP) || flags & RTF_REJECT || iface === 'lo') return;
    if (Number.parseInt(plen, 16) !== 0 || !/^0+$/.test(dest)) return;
    const gateway = /^0+$/.test(nextHop) ? undefined : ipv6(nextHop);
    routes.push({
      covers: 'all',
      interface: iface,
      ...(gateway ? { gateway } : {}),
      metric: Number.parseInt(metric, 16),
    });
  });
  return routes;
}

function coverage(dest: string, mask: string): WholeRoute['covers'] | undefined {
  if (mask === '0.0.0.0' && dest === '0.0.0.0') return 'all';
  if (mask === '128.0.0.0') return dest === '0.0.0.0' ? 'low' : dest === '128.0.0.0' ? 'high' : undefined;
  return undefined;
}

function hexWord(text: string, where: string, column: string): number {
  if (!/^[0-9a-fA-F]{8}$/.test(text))
    throw new ParseError(ROUTE_SOURCE, `${where}: ${column} "${text}" is not 8 hex digits`);
  return Number.parseInt(text, 16);
}

function hexNumber(text: string, where: string, column: string): number {
  if (!/^[0-9a-fA-F]{1,8}$/.test(text))
    throw new ParseError(ROUTE_SOURCE, `${where}: ${column} "${text}" is not a hex number`);
  return Number.parseInt(text, 16);
}

/** A u32 as the kernel printed it, back to dotted quad. */
function dotted(word: number, endianness: 'LE' | 'BE'): string {
  const bytes = [word >>> 24, (word >>> 16) & 0xff, (word >>> 8) & 0xff, word & 0xff];
  return (endianness === 'LE' ? bytes.reverse() : bytes).join('.');
}

/** 32 hex digits to the canonical (compressed) IPv6 text, which URL parsing produces. */
function ipv6(hex: string): string {
  const groups = hex.match(/.{4}/g) ?? [];
  return new URL(`http://[${groups.join(':')}]/`).hostname.slice(1, -1);
}
