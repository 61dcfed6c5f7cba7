/**
 * The report of CONTRACTS.md (`check --json`), and the finding shape diagnosis fills in.
 * Extension beyond the contract: `endpoints` carries the catalog entries the run probed, so
 * `diagnose(report)` needs nothing but the report (the bot re-diagnoses reports it receives).
 */
import type { ProxySource } from './context.ts';
import type { Finding } from './findings.ts';
import type { CatalogEndpoint, ProbeResult } from './types.ts';
import type { WatchSummary } from './watch.ts';

export type { Finding, Severity } from './findings.ts';
export type Verdict = 'healthy' | 'problems' | 'inconclusive';

/** What a page can tell about its network: online state and, where the browser says, the link. */
export interface BrowserEnvironment {
  online: boolean;
  connection?: { type?: string; effectiveType?: string; rttMs?: number; downlinkMbps?: number };
  userAgent?: string;
}

export interface Report {
  schema: 'reconnect.report/v1';
  /**
   * Who measured: the agent (absent: the agent, as before) or the browser on the affected
   * computer (the /go page's check; its probes are browser-* kinds).
   */
  source?: 'agent' | 'browser';
  agent: { version: string; os: string; osVersion: string; runtime: string };
  cloud: string;
  startedAt: string;
  durationMs: number;
  environment: {
    proxy: { source: ProxySource; url?: string };
    resolvers: string[];
    /** Only from the browser check: what the page sees of the network (issue 17). */
    browser?: BrowserEnvironment;
  };
  endpoints: Array<Pick<CatalogEndpoint, 'host' | 'port' | 'purpose' | 'required'>>;
  /** The catalog's public resolvers, so diagnosis can tell them from the system path. */
  publicResolvers: string[];
  /** The first full round; with --watch, the rounds after it are summarised in `watch`. */
  probes: ProbeResult[];
  /** Only with `check --watch`: per endpoint, how often the cheap probes failed over the rounds. */
  watch?: WatchSummary;
  findings: Finding[];
  verdict: Verdict;
}
