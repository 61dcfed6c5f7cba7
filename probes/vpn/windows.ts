/**
 * Windows' default routes and the adapters behind them, from PowerShell (Get-NetRoute and
 * Get-NetAdapter as JSON: routes and adapters joined by interface index, with each adapter's
 * description and status) or, where PowerShell cannot run, from `route print -4` (its
 * interface list names adapters by MAC address; its routes name the interface by address).
 * Route rows are recognised by their shape, not by header words, which Windows translates.
 */
import { outputLines } from '../device/lines.ts';
import { gatewayAddress, ParseError, type WholeRoute } from './routes.ts';

export const NET_ROUTE_QUERY = {
  cmd: 'powershell.exe',
  args: [
    '-NoProfile',
    '-NonInteractive',
    '-Command',
    [
      "$routes = @(Get-NetRoute -AddressFamily IPv4 -DestinationPrefix '0.0.0.0/0','0.0.0.0/1','128.0.0.0/1' -ErrorAction SilentlyContinue | Select-Object DestinationPrefix,ifIndex,InterfaceAlias,NextHop,RouteMetric,InterfaceMetric)",
      '$adapters = @(Get-NetAdapter | Select-Object ifIndex,Name,InterfaceDescription,Status)',
      'ConvertTo-Json -Compress -Depth 3 -InputObject @{ routes = $routes; adapters = $adapters }',
    ].join('; '),
  ],
};
export const ROUTE_PRINT = { cmd: 'route.exe', args: ['print', '-4'] };

/** A Windows route; `ifIndex` is known from PowerShell only. */
export interface WindowsRoute extends WholeRoute {
  ifIndex?: number;
}

export interface WindowsAdapter {
  index: number;
  description: string;
  /** The friendly name (InterfaceAlias); PowerShell only. */
  name?: string;
  /** Lowercase, colon-separated; `route print` only, absent for adapters without one. */
  mac?: string;
  /** Status "Up"; PowerShell only. */
  up?: boolean;
}

export interface WindowsTable {
  source: 'netroute' | 'route-print';
  /** From PowerShell, `interface` is the adapter's name; from route print, its address. */
  routes: WindowsRoute[];
  adapters: WindowsAdapter[];
}

const PS_SOURCE = 'Get-NetRoute/Get-NetAdapter';
const PREFIXES: Record<string, WholeRoute['covers']> = {
  '0.0.0.0/0': 'all',
  '0.0.0.0/1': 'low',
  '128.0.0.0/1': 'high',
};

/** The JSON NET_ROUTE_QUERY prints. */
export function parseNetRouteJson(text: string): WindowsTable {
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, '').trim());
  } catch (err) {
    throw new ParseError(PS_SOURCE, `the output is not JSON (${(err as Error).message})`);
  }
  const top = value as { routes?: unknown; adapters?: unknown } | null;
  if (!top || typeof top !== 'object' || !Array.isArray(top.routes) || !Array.isArray(top.adapters))
    throw new ParseError(PS_SOURCE, 'expected a JSON object with arrays "routes" and "adapters"');
  const routes = top.routes.flatMap((r: unknown, i): WindowsRoute[] => {
    const at = `routes[${i}]`;
    const o = record(r, at);
    const covers = PREFIXES[text_(o, 'DestinationPrefix', at)];
    if (!covers) return [];
    const gateway = gatewayAddress(optionalText(o, 'NextHop', at));
    return [
      {
        covers,
        interface: text_(o, 'InterfaceAlias', at),
        ...(gateway ? { gateway } : {}),
        metric: number(o, 'RouteMetric', at) + (optionalNumber(o, 'InterfaceMetric', at) ?? 0),
        ifIndex: number(o, 'ifIndex', at),
      },
    ];
  });
  const adapters = top.adapters.map((a: unknown, i): WindowsAdapter => {
    const at = `adapters[${i}]`;
    const o = record(a, at);
    return {
      index: number(o, 'ifIndex', at),
      name: text_(o, 'Name', at),
      description: optionalText(o, 'InterfaceDescription', at) ?? '',
      up: optionalText(o, 'Status', at) === 'Up',
    };
  });
  return { source: 'netroute', routes, adapters };
}

const IPV4 = String.raw`(\d{1,3}(?:\.\d{1,3}){3})`;
/** The gateway may be two words where Windows translates "On-link" ("Auf Verbindung"). */
const ROUTE_ROW = new RegExp(String.raw`^\s*${IPV4}\s+${IPV4}\s+(\S(?:.*?\S)?)\s+${IPV4}\s+(\d+)\s*$`);
/** " 23...00 05 9a 3c 7a 00 ......Cisco AnyConnect …" and "  1.........Software Loopback Interface 1". */
const ADAPTER_ROW = /^\s*(\d+)\s*\.\.\.((?:[0-9a-fA-F]{2} )+)?\.+(.+?)\s*$/;

/** `route print -4`: the interface list and the active routes (persistent routes have 4 columns and are left out). */
export function parseRoutePrint(text: string): WindowsTable {
  const adapters: WindowsAdapter[] = [];
  const routes: WindowsRoute[] = [];
  let rows = 0;
  for (const line of outputLines(text)) {
    const route = ROUTE_ROW.exec(line);
    if (route) {
      rows++;
      const [, dest, mask, gatewayText, iface, metric] = route;
      const covers = PREFIXES[`${dest}/${mask === '0.0.0.0' ? 0 : mask === '128.0.0.0' ? 1 : -1}`];
      if (!covers) continue;
      const gateway = gatewayAddress(gatewayText);
      routes.push({ covers, interface: iface, ...(gateway ? { gateway } : {}), metric: Number(metric) });
      continue;
    }
    const adapter = ADAPTER_ROW.exec(line);
    if (adapter) {
      const mac = adapter[2]?.trim().toLowerCase().split(' ').join(':');
      adapters.push({ index: Number(adapter[1]), description: adapter[3], ...(mac ? { mac } : {}) });
    }
  }
  // Every Windows routing table has rows (loopback at least); none means this is not one.
  if (rows === 0)
    throw new ParseError(
      'route print -4',
      'no route rows; expected "destination netmask gateway interface metric" lines',
    );
  return { source: 'route-print', routes, adapters };
}

function record(v: unknown, at: string): Record<string, unknown> {
  if (!v || typeof v !== 'object' || Array.isArray(v))
    throw new ParseError(PS_SOURCE, `${at}: expected an object`);
  return v as Record<string, unknown>;
}

function text_(o: Record<string, unknown>, key: string, at: string): string {
  const v = o[key];
  if (typeof v !== 'string') throw new ParseError(PS_SOURCE, `${at}.${key}: expected a string`);
  return v;
}

function optionalText(o: Record<string, unknown>, key: string, at: string): string | undefined {
  return o[key] === null || o[key] === undefined ? undefined : text_(o, key, at);
}

function number(o: Record<string, unknown>, key: string, at: string): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new ParseError(PS_SOURCE, `${at}.${key}: expected a number`);
  return v;
}

function optionalNumber(o: Record<string, unknown>, key: string, at: string): number | undefined {
  return o[key] === null || o[key] === undefined ? undefined : number(o, key, at);
}
