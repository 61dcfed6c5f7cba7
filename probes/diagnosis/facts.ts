/**
 * From probe results to the facts the rules read. Everything here follows from what was
 * measured (status, failure phase and code, addresses, chains), never from probe ids or
 * fixture shapes, so a fault the lab never staged is still read right.
 */
import type { Report } from '../report.ts';
import type { ProbeResult } from '../types.ts';
import type { WatchEndpoint } from '../watch.ts';
import { categoriesOf } from './addresses.ts';
import { blockedMode, type ConnFacts, chainTop, connFacts } from './connection.ts';

export type { ConnFacts, ConnState } from './connection.ts';

export interface DnsFacts {
  id: string;
  /** 'ok' or the failure code without its prefix: nxdomain, servfail, refused, timeout, no_answer, error, missing. */
  state: string;
  addresses: string[];
  categories: string[];
  cname: string[];
  publicIds: string[];
  /** Some public resolver returned addresses. */
  publicOk: boolean;
  /** Some public resolver answered at all (an NXDOMAIN is an answer). */
  publicAnswered: boolean;
  publicCategories: string[];
  /** Why the system answer cannot be Microsoft's while a public one is; null when it can. */
  hijack: string | null;
}

export interface HostFacts {
  host: string;
  port: number;
  purpose: string;
  required: boolean;
  /** The connection went through a proxy, so the local resolver did not matter for it. */
  proxied: boolean;
  dns: DnsFacts;
  tcp: ConnFacts;
  /** The route the OS picks for the host's first address (route probe), and whether the other kind of path works. */
  route: RouteFacts;
  /** TCP over IPv6 to the name's AAAA answer (skipped where there is none). */
  ipv6: ConnFacts;
  tls: ConnFacts;
  https: ConnFacts;
  websocket: ConnFacts;
  /** The probe that stands for the endpoint's purpose (https, or websocket) passed. */
  ok: boolean;
  /** How the path refused this host, when it did: dropped, refused, unreachable, proxy_denied. */
  blockedMode: string | null;
  /** A watch saw this endpoint both pass and fail: round one's failure is not the whole story. */
  intermittent: boolean;
  /** For untrusted chains: unknown_ca, expired, not_yet_valid, hostname_mismatch. */
  tlsReason: string | null;
  /** The name the chain ends at: the inspecting product for an inspected chain. */
  tlsIssuer: string | null;
}

export interface RouteFacts {
  id: string;
  /** The route probe read a route for this host. */
  known: boolean;
  tunnel: boolean;
  interface: string | null;
  gateway: string | null;
  /** The Optimize range holding the address, when the catalog names one. */
  optimize: string | null;
  /**
   * Some other Microsoft host whose route is of the other kind (local when this one goes
   * through a tunnel, or the reverse) connects: the path not taken would work.
   */
  otherPathWorks: boolean;
}

export interface Facts {
  hosts: HostFacts[];
  proxy: { configured: boolean; url: string | null; source: string };
  /** Every probe whose failure names the proxy, by kind of failure. */
  proxyUnreachableIds: string[];
  proxyAuthIds: string[];
  /** Some resolver (system or public) answered anything. */
  anyResolverAnswered: boolean;
  /** DNS probes that ran (passed or failed). */
  dnsIds: string[];
  /** Some connection of any kind (tcp, tls, https, websocket, stun, clock) succeeded. */
  anyConnection: boolean;
  /** Connection probes that ran. */
  connectionIds: string[];
  clock: { id: string; status: string; offsetSeconds: number | null } | null;
  media: { ids: string[]; answered: number; total: number };
  cachesPresent: Array<{ id: string; path: string; client: string }>;
  device: { id: string; status: string; detail: Record<string, unknown> } | null;
  broker: { id: string; status: string; detail: Record<string, unknown> } | null;
  vpn: { id: string; status: string; detail: Record<string, unknown> } | null;
  /** Per endpoint over a watch's rounds (empty without --watch); probeIds only those in the report. */
  watch: WatchEndpoint[];
  /** Optimize-range addresses that a tunnel carries while they still connect (hosts and media relays). */
  optimizeTunneled: { ids: string[]; ranges: string[]; interfaces: string[]; hosts: string[] };
  /** Portal checks that got a portal's answer (a redirect or a sign-in page) instead of the known body. */
  portal: { ids: string[]; location: string | null; title: string | null };
  /** Probes that could not run (status error): too many and the verdict is inconclusive. */
  notRunIds: string[];
  networkProbeCount: number;
  microsoftDomains: string[];
}

/** The browser check's probe kind that measures what an agent's kind does, as far as a page can. */
const BROWSER_STAND_IN: Record<string, string> = {
  https: 'browser-fetch',
  websocket: 'browser-websocket',
  stun: 'browser-ice',
  clock: 'browser-clock',
};

const MISSING = (id: string): ConnFacts => ({ id, state: 'missing', code: null, detail: {} });

export function deriveFacts(
  report: Pick<Report, 'probes' | 'endpoints' | 'environment' | 'publicResolvers' | 'watch'>,
  microsoftDomains: string[],
): Facts {
  const byId = new Map(report.probes.map((p) => [p.id, p]));
  const ofKind = (kind: string) => report.probes.filter((p) => p.kind === kind);
  const domains = [...new Set([...microsoftDomains, ...report.endpoints.map((e) => registrable(e.host))])];
  const watch = (report.watch?.endpoints ?? []).map((w) => ({
    ...w,
    probeIds: w.probeIds.filter((id) => byId.has(id)),
  }));
  const flapping = (host: string, port: number) =>
    watch.some((w) => w.host === host && w.port === port && w.failed > 0 && w.failed < w.rounds);

  const routeOf = (host: string): Omit<RouteFacts, 'otherPathWorks'> => {
    const p = byId.get(`route:${host}`);
    const hop = ((p?.detail ?? {}) as { routes?: Array<Record<string, unknown>> }).routes?.[0];
    const text = (v: unknown) => (typeof v === 'string' ? v : null);
    return {
      id: `route:${host}`,
      known: p?.status === 'pass' && hop !== undefined,
      tunnel: hop?.tunnel === true,
      interface: text(hop?.interface),
      gateway: text(hop?.gateway),
      optimize: text(hop?.optimize),
    };
  };
  const hosts = report.endpoints.map((e): HostFacts => {
    const key = `${e.host}:${e.port}`;
    const conn = (kind: string) => {
      // The browser check's own kinds stand in where the agent's probe is absent (issue 17).
      const p = byId.get(`${kind}:${key}`) ?? byId.get(`${BROWSER_STAND_IN[kind] ?? kind}:${key}`);
      return p ? connFacts(p) : MISSING(`${kind}:${key}`);
    };
    const tcp = conn('tcp');
    const ipv6 = conn('ipv6');
    const tls = conn('tls');
    const https = conn('https');
    const websocket = conn('websocket');
    const proxied = [tls, https, websocket].some((c) => Boolean(c.detail.proxy)) || tcp.state === 'skipped';
    const main = e.purpose === 'websocket' ? websocket : https;
    return {
      host: e.host,
      port: e.port,
      purpose: e.purpose,
      required: e.required,
      proxied,
      dns: dnsFacts(e.host, report.probes, domains),
      tcp,
      route: { ...routeOf(e.host), otherPathWorks: false },
      ipv6,
      tls,
      https,
      websocket,
      ok: main.state === 'pass',
      blockedMode: blockedMode(tcp, [tls, https, websocket], proxied),
      intermittent: flapping(e.host, e.port),
      tlsReason: tls.state === 'untrusted' ? String(tls.detail.reason ?? tls.code ?? 'untrusted') : null,
      tlsIssuer: chainTop(tls.detail.chain),
    };
  });

  for (const h of hosts) {
    h.route.otherPathWorks =
      h.route.known &&
      hosts.some(
        (o) => o !== h && o.route.known && o.route.tunnel !== h.route.tunnel && o.tcp.state === 'pass',
      );
  }
  const failureCodes = (code: string) =>
    report.probes.filter((p) => p.failure?.code === code).map((p) => p.id);
  const dnsProbes = ofKind('dns');
  const connectionKinds = new Set(['tcp', 'tls', 'https', 'websocket', 'stun', 'clock', 'portal']);
  for (const kind of Object.values(BROWSER_STAND_IN)) connectionKinds.add(kind);
  const connections = report.probes.filter((p) => connectionKinds.has(p.kind));
  const clockProbe = ofKind('clock')[0] ?? ofKind('browser-clock')[0];
  const stun = [...ofKind('stun'), ...ofKind('browser-ice')];
  const single = (kind: string) => {
    const p = ofKind(kind)[0];
    return p ? { id: p.id, status: p.status, detail: p.detail as Record<string, unknown> } : null;
  };
  const network = [...dnsProbes, ...connections];
  // Offline and "no resolver answers" rest on probes that ran: one that could not run (the
  // interlock, the budget) says nothing about the network.
  const ran = (p: ProbeResult) => p.status !== 'error' && p.status !== 'skipped';
  return {
    hosts,
    proxy: {
      configured: Boolean(report.environment.proxy.url) && report.environment.proxy.source !== 'none',
      url: report.environment.proxy.url ?? null,
      source: report.environment.proxy.source,
    },
    proxyUnreachableIds: failureCodes('proxy_unreachable'),
    proxyAuthIds: failureCodes('proxy_auth_required'),
    anyResolverAnswered: dnsProbes.some((p) => answered(p)),
    dnsIds: dnsProbes.filter(ran).map((p) => p.id),
    // A clock probe passes or warns only when a time source answered.
    anyConnection: connections.some((p) => p.status === 'pass' || p.status === 'warn' || reachedServer(p)),
    connectionIds: connections.filter(ran).map((p) => p.id),
    clock: clockProbe
      ? {
          id: clockProbe.id,
          status: clockProbe.status,
          offsetSeconds: numberOrNull((clockProbe.detail as Record<string, unknown>).offsetSeconds),
        }
      : null,
    media: {
      ids: stun.map((p) => p.id),
      answered: stun.filter((p) => p.status === 'pass').length,
      total: stun.filter((p) => p.status === 'pass' || p.status === 'fail').length,
    },
    cachesPresent: ofKind('cache')
      .filter((p) => (p.detail as Record<string, unknown>).exists === true)
      .map((p) => {
        const d = p.detail as Record<string, unknown>;
        return { id: p.id, path: String(d.path ?? ''), client: String(d.client ?? '') };
      }),
    device: single('device'),
    broker: single('broker'),
    vpn: single('vpn'),
    portal: portalFacts(ofKind('portal')),
    optimizeTunneled: optimizeTunneled(hosts, report.probes),
    watch,
    notRunIds: network.filter((p) => p.status === 'error').map((p) => p.id),
    networkProbeCount: network.length,
    microsoftDomains: domains,
  };
}

/** Optimize traffic a tunnel carries and that still gets through (hosts by TCP, media relays by STUN). */
function optimizeTunneled(hosts: HostFacts[], probes: ProbeResult[]): Facts['optimizeTunneled'] {
  const works = (host: string) => {
    const h = hosts.find((x) => x.host === host);
    if (h) return h.tcp.state === 'pass';
    return probes.some((p) => p.kind === 'stun' && p.target.startsWith(`${host}:`) && p.status === 'pass');
  };
  const out: Facts['optimizeTunneled'] = { ids: [], ranges: [], interfaces: [], hosts: [] };
  for (const p of probes.filter((x) => x.kind === 'route' && x.status === 'pass')) {
    const hops =
      (
        (p.detail ?? {}) as {
          routes?: Array<{ tunnel?: boolean; optimize?: string | null; interface?: string }>;
        }
      ).routes ?? [];
    const tunneled = hops.filter((r) => r.tunnel === true && typeof r.optimize === 'string');
    if (tunneled.length === 0 || !works(p.target)) continue;
    out.ids.push(p.id);
    out.hosts.push(p.target);
    for (const r of tunneled) {
      if (!out.ranges.includes(r.optimize!)) out.ranges.push(r.optimize!);
      if (r.interface && !out.interfaces.includes(r.interface)) out.interfaces.push(r.interface);
    }
  }
  return out;
}

function portalFacts(probes: ProbeResult[]): Facts['portal'] {
  const caught = probes.filter((p) => p.failure?.code === 'captive_portal');
  const detail = (caught[0]?.detail ?? {}) as { location?: unknown; title?: unknown };
  return {
    ids: caught.map((p) => p.id),
    location: typeof detail.location === 'string' ? detail.location : null,
    title: typeof detail.title === 'string' ? detail.title : null,
  };
}

/** A TLS, HTTP or clock-skew failure still proves a packet came back from something on the path. */
function reachedServer(p: ProbeResult): boolean {
  const phase = p.failure?.phase;
  if (p.status !== 'fail') return false;
  if (p.failure?.code === 'skew') return true;
  if (phase === 'tls') return p.failure?.code !== 'handshake_timeout';
  return phase === 'firstByte' || phase === 'response';
}

function answered(p: ProbeResult): boolean {
  if (p.status === 'pass') return true;
  const code = p.failure?.code;
  return code === 'nxdomain' || code === 'servfail' || code === 'dns_refused' || code === 'no_answer';
}

function dnsFacts(host: string, probes: ProbeResult[], domains: string[]): DnsFacts {
  const forHost = probes.filter((p) => p.kind === 'dns' && p.target.startsWith(`${host}@`));
  const system = forHost.find((p) => p.target === `${host}@system`);
  const publics = forHost.filter((p) => p !== system);
  const detailOf = (p?: ProbeResult) => (p?.detail ?? {}) as { addresses?: string[]; cname?: string[] };
  const addresses = detailOf(system).addresses ?? [];
  const cname = detailOf(system).cname ?? [];
  const publicOkProbes = publics.filter((p) => p.status === 'pass');
  const publicAddresses = publicOkProbes.flatMap((p) => detailOf(p).addresses ?? []);
  const publicCnames = new Set(publicOkProbes.flatMap((p) => detailOf(p).cname ?? []).map(lower));
  const categories = categoriesOf(addresses);
  const publicCategories = categoriesOf(publicAddresses);
  const state = !system
    ? 'missing'
    : system.status === 'pass'
      ? 'ok'
      : system.status === 'error'
        ? 'error'
        : (system.failure?.code ?? 'error').replace(/^dns_/, '');

  let hijack: string | null = null;
  if (state === 'ok' && publicOkProbes.length > 0) {
    const overlap = addresses.some((a) => publicAddresses.includes(a));
    const foreign = categories.filter((c) => c !== 'public' && !publicCategories.includes(c));
    const strayName = cname.map(lower).find((n) => !publicCnames.has(n) && !underAny(n, domains));
    if (!overlap && foreign.length > 0)
      hijack = `answers with ${foreign.join(', ')} addresses (${addresses.join(', ')})`;
    else if (strayName) hijack = `sends the name through ${strayName}, outside Microsoft's domains`;
  }
  return {
    id: system?.id ?? `dns:${host}@system`,
    state,
    addresses,
    categories,
    cname,
    publicIds: publics.map((p) => p.id),
    publicOk: publicOkProbes.length > 0,
    publicAnswered: publics.some((p) => answered(p)),
    publicCategories,
    hijack,
  };
}

function lower(s: string): string {
  return s.toLowerCase().replace(/\.$/, '');
}

function underAny(name: string, domains: string[]): boolean {
  return domains.some((d) => name === d || name.endsWith(`.${d}`));
}

/** The last two labels: enough to keep a host's own zone from counting as foreign. */
function registrable(host: string): string {
  return lower(host).split('.').slice(-2).join('.');
}

function numberOrNull(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}
