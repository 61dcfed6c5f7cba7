/**
 * Shared by the hand-off tests: a small lab catalog (hosts named like Microsoft's, resolvers
 * and time sources on loopback: nothing is probed) and a probe result builder.
 */
import { type Catalog, type ProbeResult, zeroPhases } from '../../probes/types.ts';

export const LAB_CATALOG: Catalog = {
  schema: 'reconnect.catalog/v1',
  cloud: 'lab',
  endpoints: [
    { host: 'login.microsoftonline.com', port: 443, purpose: 'auth', required: true },
    { host: 'teams.microsoft.com', port: 443, purpose: 'service', required: true },
    { host: 'go.trouter.teams.microsoft.com', port: 443, purpose: 'websocket', path: '/', required: true },
    { host: 'statics.teams.cdn.office.net', port: 443, purpose: 'service', required: false },
    { host: 'aadcdn.msftauth.net', port: 443, purpose: 'auth', required: true },
  ],
  media: [{ host: 'worldaz.tr.teams.microsoft.com', ports: [3478, 3479, 3480, 3481] }],
  publicResolvers: ['127.0.0.1:5353'],
  timeSources: ['https://127.0.0.1:8443/'],
  microsoftRoots: [],
};

/** A probe result with the id's kind and target, as diagnosis places it. */
export const probe = (
  id: string,
  status: ProbeResult['status'],
  detail: object,
  failure?: ProbeResult['failure'],
): ProbeResult => ({
  id,
  kind: id.split(':')[0] as ProbeResult['kind'],
  target: id.slice(id.indexOf(':') + 1),
  status,
  durationMs: 1,
  phases: zeroPhases(),
  detail: detail as Record<string, unknown>,
  ...(failure ? { failure } : {}),
});
