/**
 * The probe table and the plan: which probes a catalog calls for, in which area, with how
 * long each may take. The table is the one list of probe kinds; job validation and playbook
 * recheck validation derive theirs from it.
 */
import { type CacheLocation, cacheLocations, probeCache, type UserFolders } from './cache.ts';
import { probeClock } from './clock.ts';
import type { ProbeOptions } from './context.ts';
import { brokerTarget, probeBroker, probeDevice } from './device.ts';
import { probeDns } from './dns.ts';
import { probeHttps } from './https.ts';
import { probeIpv6 } from './ipv6.ts';
import { type KindSpec, PROBE_KINDS } from './kinds.ts';
import { portalTarget, probePortal } from './portal.ts';
import type { DiscoveredProxy } from './proxy/discover.ts';
import { probeProxy } from './proxy.ts';
import { probeRoute } from './route.ts';
import type { PlannedProbe } from './runner.ts';
import { probeStun } from './stun.ts';
import { probeTcp } from './tcp.ts';
import { probeTls } from './tls.ts';
import type { Catalog, ProbeKind, ProbeResult } from './types.ts';
import { probeId } from './types.ts';
import { probeVpn } from './vpn.ts';
import { probeWebSocket } from './websocket.ts';

export { isProbeKind, PROBE_KINDS } from './kinds.ts';

export interface PlanInput {
  catalog: Catalog;
  proxy: DiscoveredProxy;
  platform: NodeJS.Platform;
  home: string;
  folders?: UserFolders;
  /** Local checks (caches, device registration, broker). Off for network-only runs. */
  local?: boolean;
}

/** Each probe's detail has its own interface; the plan only carries them to the report. */
type Runner = (options: ProbeOptions) => Promise<ProbeResult<object>>;

function planned(kind: ProbeKind, target: string, run: Runner): PlannedProbe {
  const spec: KindSpec = PROBE_KINDS[kind];
  return {
    id: probeId(kind, target),
    kind,
    target,
    area: spec.area,
    timeoutMs: spec.timeoutMs,
    run: run as PlannedProbe['run'],
  };
}

/**
 * Every probe the catalog calls for, cheapest and most fundamental first, so progress shows
 * the proxy and DNS before the connections that depend on them.
 */
export function buildPlan(input: PlanInput): PlannedProbe[] {
  const { catalog } = input;
  const plan: PlannedProbe[] = [
    planned('proxy', 'discovery', (o) => probeProxy({ settings: input.proxy }, o)),
  ];
  const hosts = [...new Set(catalog.endpoints.map((e) => e.host))];
  for (const host of hosts) {
    plan.push(planned('dns', `${host}@system`, (o) => probeDns({ host, resolver: 'system' }, o)));
  }
  // Public resolvers are asked only about required hosts: enough to tell a broken local
  // resolver from a missing name, without a query storm.
  const required = [...new Set(catalog.endpoints.filter((e) => e.required).map((e) => e.host))];
  for (const resolver of catalog.publicResolvers) {
    for (const host of required) {
      plan.push(planned('dns', `${host}@${resolver}`, (o) => probeDns({ host, resolver }, o)));
    }
  }
  for (const check of catalog.portalChecks ?? []) {
    plan.push(planned('portal', portalTarget(check.url), (o) => probePortal(check, o)));
  }
  if (catalog.timeSources.length > 0) {
    plan.push(planned('clock', 'local', (o) => probeClock({ sources: catalog.timeSources }, o)));
  }
  for (const e of catalog.endpoints) {
    const t = { host: e.host, port: e.port };
    const key = `${e.host}:${e.port}`;
    plan.push(planned('tcp', key, (o) => probeTcp(t, o)));
    plan.push(planned('ipv6', key, (o) => probeIpv6(t, o)));
    plan.push(planned('tls', key, (o) => probeTls(t, o)));
    if (e.purpose === 'websocket') {
      plan.push(planned('websocket', key, (o) => probeWebSocket({ ...t, path: e.path ?? '/' }, o)));
    } else {
      plan.push(planned('https', key, (o) => probeHttps(t, o)));
    }
  }
  // Which interface carries each Microsoft host: a VPN's split tunnel decides per address.
  const optimizeRanges = catalog.optimizeRanges ?? [];
  for (const host of new Set([...hosts, ...catalog.media.map((m) => m.host)])) {
    plan.push(
      planned('route', host, (o) => probeRoute({ host, platform: input.platform, optimizeRanges }, o)),
    );
  }
  for (const m of catalog.media) {
    for (const port of m.ports) {
      plan.push(planned('stun', `${m.host}:${port}`, (o) => probeStun({ host: m.host, port }, o)));
    }
  }
  if (input.local !== false) {
    for (const location of cacheLocations(input.platform, input.home, input.folders)) {
      plan.push(planned('cache', location.id, (o) => probeCache({ location }, o)));
    }
    plan.push(planned('device', 'registration', (o) => probeDevice({ platform: input.platform }, o)));
    plan.push(
      planned('broker', brokerTarget(input.platform), (o) => probeBroker({ platform: input.platform }, o)),
    );
    plan.push(planned('vpn', 'routes', (o) => probeVpn({ platform: input.platform }, o)));
  }
  return plan;
}

/** The part of a plan that re-checks the given probe ids or kinds (a step's "check again"). */
export function selectPlan(plan: PlannedProbe[], wanted: string[]): PlannedProbe[] {
  const set = new Set(wanted);
  return plan.filter((p) => set.has(p.id) || set.has(p.kind));
}

export type { CacheLocation };
