/**
 * From routing tables to the VPN probe's detail: which interface carries the default route,
 * whether it is a VPN's, and which VPN interfaces are up. Pure, so every platform's branch is
 * tested on recorded output without that platform.
 */
import type { NetworkInterfaceInfo } from 'node:os';
import { isVpnDescription, isVpnName } from './names.ts';
import { pickDefault, type WholeRoute } from './routes.ts';
import type { WindowsAdapter, WindowsTable } from './windows.ts';

/** os.networkInterfaces(): the interfaces that are up and have an address. */
export type UpInterfaces = NodeJS.Dict<NetworkInterfaceInfo[]>;

export interface VpnRoute {
  interface: string;
  gateway?: string;
  /** Windows: the adapter's description ("Cisco AnyConnect … Virtual Miniport Adapter"). */
  description?: string;
}

export interface VpnDetail {
  /** Which table was read: /proc/net/route, Get-NetRoute, `route print`, or netstat. */
  source: 'proc' | 'netroute' | 'route-print' | 'netstat';
  /** A VPN interface carries the default route (IPv4, or IPv6 where it was read). */
  active: boolean;
  /** The IPv4 route to "everything else", or null when there is none. */
  defaultRoute: VpnRoute | null;
  /** Linux: the IPv6 default route. */
  defaultRoute6?: VpnRoute | null;
  /** VPN-looking interfaces that are up, sorted. */
  interfaces: string[];
  /** A VPN interface is up but does not carry the default route. */
  splitTunnel: boolean;
}

/** Linux (IPv4 and IPv6) and macOS (IPv4): interfaces are judged by name. */
export function assessByName(
  source: 'proc' | 'netstat',
  up: UpInterfaces,
  v4: WholeRoute[],
  v6?: WholeRoute[],
): VpnDetail {
  const d4 = pickDefault(v4);
  const d6 = v6 ? pickDefault(v6) : undefined;
  const vpnDefaults = [d4, d6].filter((d): d is WholeRoute => Boolean(d && isVpnName(d.interface, true)));
  const upVpn = Object.keys(up).filter((name) => isVpnName(name, false));
  return conclude(
    { source, defaultRoute: d4 && viaRoute(d4), ...(v6 ? { defaultRoute6: d6 ? viaRoute(d6) : null } : {}) },
    vpnDefaults.length > 0,
    [...upVpn, ...vpnDefaults.map((d) => d.interface)],
  );
}

/** Windows: adapters are judged by description first, by name where no description is known. */
export function assessWindows(table: WindowsTable, up: UpInterfaces): VpnDetail {
  return table.source === 'netroute' ? fromNetRoute(table) : fromRoutePrint(table, up);
}

function fromNetRoute(table: WindowsTable): VpnDetail {
  const d = pickDefault(table.routes);
  const adapter = d && table.adapters.find((a) => a.index === d.ifIndex);
  const isVpn = (a: WindowsAdapter) => isVpnDescription(a.description) || isVpnName(a.name ?? '', false);
  const defaultVpn = Boolean(d && (adapter ? isVpn(adapter) : isVpnName(d.interface, false)));
  return conclude({ source: 'netroute', defaultRoute: d && viaRoute(d, adapter?.description) }, defaultVpn, [
    ...table.adapters.filter((a) => a.up && isVpn(a)).map((a) => a.name ?? ''),
    ...(defaultVpn && d ? [d.interface] : []),
  ]);
}

/**
 * `route print` names the default route's interface by address: the local interface with that
 * address gives the adapter's name and MAC, and the MAC its description in the interface list.
 */
function fromRoutePrint(table: WindowsTable, up: UpInterfaces): VpnDetail {
  const locals = Object.entries(up).flatMap(([name, infos]) =>
    (infos ?? []).map((info) => ({ name, address: info.address, mac: info.mac })),
  );
  const describe = (mac: string | undefined) =>
    mac && !/^(00:)+00$/.test(mac) ? table.adapters.find((a) => a.mac === mac)?.description : undefined;
  const isVpn = (name: string, mac: string | undefined) =>
    isVpnDescription(describe(mac)) || isVpnName(name, false);
  const d = pickDefault(table.routes);
  const local = d && locals.find((l) => l.address === d.interface);
  const name = local?.name ?? d?.interface ?? '';
  const defaultVpn = Boolean(d && isVpn(name, local?.mac));
  const route = d && { ...viaRoute(d, describe(local?.mac)), interface: name };
  return conclude({ source: 'route-print', defaultRoute: route }, defaultVpn, [
    ...locals.filter((l) => isVpn(l.name, l.mac)).map((l) => l.name),
    ...(defaultVpn ? [name] : []),
  ]);
}

function viaRoute(r: WholeRoute, description?: string): VpnRoute {
  return {
    interface: r.interface,
    ...(r.gateway ? { gateway: r.gateway } : {}),
    ...(description ? { description } : {}),
  };
}

function conclude(
  routes: Pick<VpnDetail, 'source' | 'defaultRoute' | 'defaultRoute6'>,
  active: boolean,
  interfaces: string[],
): VpnDetail {
  const names = [...new Set(interfaces.filter((n) => n !== ''))].sort();
  return { ...routes, active, interfaces: names, splitTunnel: names.length > 0 && !active };
}
