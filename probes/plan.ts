/**
 * The plan: which probes a catalog calls for, with each kind's area and deadline from the
 * light table (kinds.ts) and its runner from runners.ts. Validators import kinds.ts, never
 * this file, which loads every probe.
 */

import { brokerTarget } from './broker.ts';
import { cacheLocations, type UserFolders } from './cache.ts';
import type { ProbeOptions } from './context.ts';
import { PROBE_KINDS } from './kinds.ts';
import { portalTarget } from './portal.ts';
import type { DiscoveredProxy } from './proxy/discover.ts';
import type { PlannedProbe } from './runner.ts';
import { PROBE_RUNNERS, type TargetOf } from './runners.ts';
import type { Catalog, ProbeKind, ProbeResult } from './types.ts';
import { probeId } from './types.ts';

export interface PlanInput {
  catalog: Catalog;
  proxy: DiscoveredProxy;
  platform: NodeJS.Platform;
  home: string;
  folders?: UserFolders;
  /** Local checks (caches, device registration, broker). Off for network-only runs. */
  local?: boolean;
}

/** One probe of the plan: `kind:target`, run on `input` with the kind's deadline. */
function planned<K extends ProbeKind>(kind: K, target: string, input: TargetOf<K>): PlannedProbe {
  const spec = PROBE_KINDS[kind];
  // Each probe's detail has its own interface; the plan only carries them to the report.
  const run = PROBE_RUNNERS[kind] as (input: TargetOf<K>, options: ProbeOptions) => Promise<ProbeResult>;
  return {
    id: probeId(kind, target),
    kind,
    target,
    area: spec.area,
    timeoutMs: spec.timeoutMs,
    run: (options) => run(input, options),
  };
}

/**
 * Every probe the catalog calls for, cheapest and most fundamental first, so progress shows
 * the proxy and DNS before the connections that depend on them.
 */
export function buildPlan(input: PlanInput): PlannedProbe[] {
  const { catalog } = input;
  const plan: PlannedProbe[] = [planned('proxy', 'discovery', { settings: input.proxy })];
  const hosts = [...new Set(catalog.endpoints.map((e) => e.host))];
  for (const host of hosts) {
    plan.push(planned('dns', `${host}@system`, { host, resolver: 'system' }));
  }
  // Public resolvers are asked only about required hosts: enough to tell a broken local
  // resolver from a missing name, without a query storm.
  const required = [...new Set(catalog.endpoints.filter((e) => e.required).map((e) => e.host))];
  for (const resolver of catalog.publicResolvers) {
    for (const host of required) {
      plan.push(planned('dns', `${host}@${resolver}`, { host, resolver }));
    }
  }
  for (const check of catalog.portalChecks ?? []) {
    plan.push(planned('portal', portalTarget(check.url), check));
  }
  if (catalog.timeSources.length > 0) {
    plan.push(planned('clock', 'local', { sources: catalog.timeSources }));
  }
  for (const e of catalog.endpoints) {
    const t = { host: e.host, port: e.port };
    const key = `${e.host}:${e.port}`;
    plan.push(planned('tcp', key, t));
    plan.push(planned('ipv6', key, t));
    plan.push(planned('tls', key, t));
    if (e.purpose === 'websocket') {
      plan.push(planned('websocket', key, { ...t, path: e.path ?? '/' }));
    } else {
      plan.push(planned('https', key, t));
    }
  }
  // Which interface carries each Microsoft host: a VPN's split tunnel decides per address.
  const optimizeRanges = catalog.optimizeRanges ?? [];
  for (const host of new Set([...hosts, ...catalog.media.map((m) => m.host)])) {
    plan.push(planned('route', host, { host, platform: input.platform, optimizeRanges }));
  }
  for (const m of catalog.media) {
    for (const port of m.ports) {
      plan.push(planned('stun', `${m.host}:${port}`, { host: m.host, port }));
    }
  }
  if (input.local !== false) {
    for (const location of cacheLocations(input.platform, input.home, input.folders)) {
      plan.push(planned('cache', location.id, { location }));
    }
    plan.push(planned('device', 'registration', { platform: input.platform }));
    plan.push(planned('broker', brokerTarget(input.platform), { platform: input.platform }));
    plan.push(planned('vpn', 'routes', { platform: input.platform }));
  }
  return plan;
}

/** The part of a plan that re-checks the given probe ids or kinds (a step's "check again"). */
export function selectPlan(plan: PlannedProbe[], wanted: string[]): PlannedProbe[] {
  const set = new Set(wanted);
  return plan.filter((p) => set.has(p.id) || set.has(p.kind));
}
