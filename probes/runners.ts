/**
 * Each probe kind's runner, keyed by the same ProbeKind as the light table in kinds.ts: a kind
 * without a runner, or a runner for no kind, does not compile. It is a table of its own, not a
 * column of kinds.ts, because importing it loads every probe and what they use (sockets, TLS,
 * the PAC sandbox), while validators (the protocol, the bot's job checks, playbooks) need only
 * the names, areas and deadlines. Only the plan imports this.
 */
import { probeBroker } from './broker.ts';
import { probeCache } from './cache.ts';
import { probeClock } from './clock.ts';
import type { ProbeOptions } from './context.ts';
import { probeDevice } from './device.ts';
import { probeDns } from './dns.ts';
import { probeHttps } from './https.ts';
import { probeIpv6 } from './ipv6.ts';
import { probePortal } from './portal.ts';
import { probeProxy } from './proxy.ts';
import { probeRoute } from './route.ts';
import { probeStun } from './stun.ts';
import { probeTcp } from './tcp.ts';
import { probeTls } from './tls.ts';
import type { ProbeKind, ProbeResult } from './types.ts';
import { probeVpn } from './vpn.ts';
import { probeWebSocket } from './websocket.ts';

/** A probe: its target (a different shape per kind) and what the runner passes every probe. */
type Runner = (target: never, options: ProbeOptions) => Promise<ProbeResult<object>>;

export const PROBE_RUNNERS = {
  proxy: probeProxy,
  dns: probeDns,
  tcp: probeTcp,
  tls: probeTls,
  https: probeHttps,
  websocket: probeWebSocket,
  stun: probeStun,
  clock: probeClock,
  cache: probeCache,
  device: probeDevice,
  broker: probeBroker,
  vpn: probeVpn,
  portal: probePortal,
  ipv6: probeIpv6,
  route: probeRoute,
} as const satisfies Record<ProbeKind, Runner>;

/** The target a kind's runner takes: `{ host, port }` for tcp, `{ host, resolver }` for dns… */
export type TargetOf<K extends ProbeKind> = Parameters<(typeof PROBE_RUNNERS)[K]>[0];
