/**
 * The report diagnosis reads, built from the probe results of the manual path (pasted output).
 * diagnose() places probes by endpoint (`kind:host:port`, `dns:host@resolver`), so the report
 * lists the catalog's endpoints plus any host the user's commands named; endpoints nobody
 * pasted anything about stay "missing" and no rule fires on them.
 */

import { builtInCatalog } from '../../probes/catalog/index.ts';
import type { ProxySource } from '../../probes/context.ts';
import { diagnose } from '../../probes/diagnosis/index.ts';
import type { Report } from '../../probes/report.ts';
import type { Catalog, ProbeResult } from '../../probes/types.ts';

const COMMERCIAL = builtInCatalog('commercial');

export interface ManualReportInput {
  probes: ProbeResult[];
  os?: string;
  /** ISO 8601: when the first paste came in. */
  startedAt: string;
  catalog?: Catalog;
}

/** A reconnect.report/v1 of pasted results, diagnosed. */
export function manualReport(input: ManualReportInput): Report {
  const catalog = input.catalog ?? COMMERCIAL;
  const endpoints = catalog.endpoints.map(({ host, port, purpose, required }) => ({
    host,
    port,
    purpose,
    required,
  }));
  for (const probe of input.probes) {
    const hostPort = endpointOf(probe);
    if (hostPort && !endpoints.some((e) => e.host === hostPort.host && e.port === hostPort.port)) {
      endpoints.push({ ...hostPort, purpose: 'service', required: true });
    }
  }
  const publicResolvers = [
    ...new Set([
      ...catalog.publicResolvers,
      ...input.probes
        .filter((p) => p.kind === 'dns' && !p.target.endsWith('@system'))
        .map((p) => p.target.split('@')[1]),
    ]),
  ];
  const base = {
    schema: 'reconnect.report/v1' as const,
    agent: { version: 'manual', os: input.os ?? 'unknown', osVersion: '', runtime: 'pasted output' },
    cloud: catalog.cloud,
    startedAt: input.startedAt,
    durationMs: 0,
    environment: { proxy: proxyOf(input.probes), resolvers: [] },
    endpoints,
    publicResolvers,
    probes: input.probes,
  };
  const { findings, verdict } = diagnose(base);
  return { ...base, findings, verdict };
}

/** host and port of a connection probe (`tls:host:443`), or of a DNS probe's name (port 443). */
function endpointOf(probe: ProbeResult): { host: string; port: number } | null {
  if (probe.kind === 'dns') return { host: probe.target.split('@')[0], port: 443 };
  if (!['tcp', 'tls', 'https', 'websocket'].includes(probe.kind)) return null;
  const m = /^(.+):(\d+)$/.exec(probe.target);
  return m ? { host: m[1].replace(/^\[|\]$/g, ''), port: Number(m[2]) } : null;
}

/** The proxy the pasted output shows: netsh's settings first, then one curl went through. */
function proxyOf(probes: ProbeResult[]): { source: ProxySource; url?: string } {
  const discovery = probes.find((p) => p.kind === 'proxy');
  const d = discovery?.detail as { source?: ProxySource; url?: string } | undefined;
  if (d?.source && d.source !== 'none') return { source: d.source, ...(d.url ? { url: d.url } : {}) };
  const used = probes.map((p) => (p.detail as { proxy?: unknown }).proxy).find((x) => typeof x === 'string');
  return typeof used === 'string' ? { source: 'env', url: used } : { source: 'none' };
}
