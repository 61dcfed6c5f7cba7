/**
 * The one table of probe kinds: their progress area and how long one may take. Everything
 * that names probe kinds (the plan, job validation, playbook rechecks, the code catalog's
 * checks) derives its list from here. No probe is imported, so validators stay light: each
 * kind's runner is in runners.ts, keyed by the same ProbeKind, which only the plan imports.
 */
import type { Area } from './runner.ts';
import type { ProbeKind } from './types.ts';

export interface KindSpec {
  area: Area;
  /** Longest a probe of this kind may take. Sized so a fully dropped network still ends < 10 s. */
  timeoutMs: number;
}

export const PROBE_KINDS = {
  proxy: { area: 'proxy', timeoutMs: 3000 },
  dns: { area: 'dns', timeoutMs: 2500 },
  tcp: { area: 'firewall', timeoutMs: 3000 },
  tls: { area: 'tls', timeoutMs: 4000 },
  https: { area: 'web', timeoutMs: 4500 },
  websocket: { area: 'web', timeoutMs: 4500 },
  stun: { area: 'media', timeoutMs: 2500 },
  clock: { area: 'clock', timeoutMs: 4000 },
  cache: { area: 'credentials', timeoutMs: 2000 },
  device: { area: 'device', timeoutMs: 5000 },
  broker: { area: 'device', timeoutMs: 5000 },
  vpn: { area: 'device', timeoutMs: 3000 },
  portal: { area: 'web', timeoutMs: 3000 },
  ipv6: { area: 'firewall', timeoutMs: 3000 },
  route: { area: 'device', timeoutMs: 3000 },
} as const satisfies Record<ProbeKind, KindSpec>;

export function isProbeKind(value: unknown): value is ProbeKind {
  return typeof value === 'string' && Object.hasOwn(PROBE_KINDS, value);
}
