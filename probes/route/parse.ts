/**
 * Which interface and gateway carry one destination address, from each OS's own answer:
 * Linux `ip -j route get ADDR`, Windows `Find-NetRoute` (with the adapter's description, which
 * is how Windows names VPN clients' adapters), macOS `route -n get ADDR`. Parsers only; the
 * probe (probes/route.ts) runs the commands.
 */
import { isIP } from 'node:net';
import { ParseError } from '../device/lines.ts';
import { inRange, ipBits, parseRange } from '../net/ip.ts';
import { isVpnDescription, isVpnName } from '../vpn/names.ts';

export interface RouteHop {
  /** The destination asked about. */
  address: string;
  interface: string;
  /** The next hop; null for an on-link destination. */
  gateway: string | null;
  /** The interface is a VPN tunnel (by its name, or its adapter's description on Windows). */
  tunnel: boolean;
}

/** The argument lists, per OS; the address is checked with isIP before it is placed in one. */
export function routeCommand(
  platform: NodeJS.Platform,
  address: string,
): { cmd: string; args: string[] } | null {
  if (isIP(address) === 0) throw new Error(`route lookup: "${address}" is not an IP address`);
  if (platform === 'linux') return { cmd: 'ip', args: ['-j', 'route', 'get', address] };
  if (platform === 'darwin') return { cmd: '/sbin/route', args: ['-n', 'get', address] };
  if (platform === 'win32') {
    // One object: the route Windows picks and its adapter's description (VPN clients name theirs).
    const script = [
      `$r = Find-NetRoute -RemoteIPAddress '${address}' | Where-Object { $_.NextHop -ne $null } | Select-Object -First 1`,
      '$a = Get-NetAdapter -InterfaceIndex $r.InterfaceIndex -ErrorAction SilentlyContinue',
      '[pscustomobject]@{ InterfaceAlias = $r.InterfaceAlias; NextHop = $r.NextHop; InterfaceDescription = $a.InterfaceDescription } | ConvertTo-Json -Compress',
    ].join('; ');
    return { cmd: 'powershell.exe', args: ['-NoProfile', '-NonInteractive', '-Command', script] };
  }
  return null;
}

/** `ip -j route get`: `[{"dst":"…","gateway":"…","dev":"tun0","prefsrc":"…",…}]`. */
export function parseIpRouteGet(text: string, address: string): RouteHop {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ParseError('ip route get', `printed no JSON: ${JSON.stringify(text.slice(0, 80))}`);
  }
  const first = (Array.isArray(parsed) ? parsed[0] : undefined) as
    | { dev?: unknown; gateway?: unknown }
    | undefined;
  if (!first || typeof first.dev !== 'string')
    throw new ParseError('ip route get', 'named no interface (dev)');
  return hop(address, first.dev, typeof first.gateway === 'string' ? first.gateway : null);
}

/** `route -n get`: lines such as `    gateway: 10.8.0.1` and `  interface: utun3`. */
export function parseRouteGet(text: string, address: string): RouteHop {
  const field = (name: string) => new RegExp(`^\\s*${name}:\\s*(\\S+)`, 'm').exec(text)?.[1];
  const iface = field('interface');
  if (!iface) throw new ParseError('route -n get', 'named no interface');
  const gateway = field('gateway');
  // A macOS utun carries iCloud Private Relay too; one that a route sends Microsoft to is a tunnel.
  return {
    address,
    interface: iface,
    gateway: gateway && isIP(gateway) ? gateway : null,
    tunnel: isVpnName(iface, true),
  };
}

/** The PowerShell object of routeCommand('win32'): InterfaceAlias, NextHop, InterfaceDescription. */
export function parseFindNetRoute(text: string, address: string): RouteHop {
  let parsed: { InterfaceAlias?: unknown; NextHop?: unknown; InterfaceDescription?: unknown };
  try {
    parsed = JSON.parse(text.trim());
  } catch {
    throw new ParseError('Find-NetRoute', `printed no JSON: ${JSON.stringify(text.slice(0, 80))}`);
  }
  if (typeof parsed?.InterfaceAlias !== 'string') throw new ParseError('Find-NetRoute', 'named no interface');
  const next =
    typeof parsed.NextHop === 'string' && parsed.NextHop !== '0.0.0.0' && parsed.NextHop !== '::'
      ? parsed.NextHop
      : null;
  const description =
    typeof parsed.InterfaceDescription === 'string' ? parsed.InterfaceDescription : undefined;
  return {
    address,
    interface: parsed.InterfaceAlias,
    gateway: next,
    tunnel: isVpnDescription(description) || isVpnName(parsed.InterfaceAlias, false),
  };
}

function hop(address: string, iface: string, gateway: string | null): RouteHop {
  return { address, interface: iface, gateway, tunnel: isVpnName(iface, false) };
}

/** The first of the CIDR ranges that holds `address`, or null. */
export function rangeOf(address: string, ranges: readonly string[]): string | null {
  const bits = ipBits(address);
  if (!bits) return null;
  return (
    ranges.find((r) => {
      const range = parseRange(r);
      return range !== null && inRange(bits, range);
    }) ?? null
  );
}
