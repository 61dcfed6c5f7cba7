/**
 * What every probe gets from its caller. The runner owns the deadline (STYLE.md, after
 * blackbox_exporter's handler.go): it aborts `signal` when `deadline` passes, and a probe
 * reports what it measured up to then instead of throwing.
 */
import type { Interlock } from './interlock.ts';
import type { Catalog } from './types.ts';

export interface ProbeOptions {
  /** Aborted by the runner at the deadline (or when the whole run is cancelled). */
  signal: AbortSignal;
  /** Epoch milliseconds (by ctx.now) after which the probe's result no longer counts. */
  deadline: number;
  ctx: ProbeContext;
}

/** Where proxy settings were found (CONTRACTS.md report `environment.proxy.source`). */
export type ProxySource = 'env' | 'winhttp' | 'wininet' | 'pac' | 'scutil' | 'none';

export interface ProxySettings {
  source: ProxySource;
  /** The configured proxy URL, or the PAC file's URL when source is pac. */
  url?: string;
  /**
   * The proxy to use for one request URL, or null for DIRECT. Async because a PAC file may
   * decide (evaluated in a sandbox with a time limit).
   */
  forUrl(url: string): Promise<string | null>;
}

export const NO_PROXY: ProxySettings = { source: 'none', forUrl: async () => null };

export interface ProbeContext {
  /** Checks every numeric address before a packet is sent (RECONNECT_LAB=1). */
  interlock: Interlock;
  /**
   * `ip:port` of a resolver that stands in for the operating system's. null: the OS path
   * (getaddrinfo, and the resolvers it is configured with for the detail). Tests set it to a
   * lab DNS server, because the OS resolver of this machine is off-limits to tests.
   */
  systemResolver: string | null;
  proxy: ProxySettings;
  /** PEM certificates the operating system trusts, plus NODE_EXTRA_CA_CERTS. */
  trustedCa: string[];
  catalog: Catalog;
  /** Wall clock in epoch ms. Injected so the clock probe and tests do not depend on this host. */
  now(): number;
}
