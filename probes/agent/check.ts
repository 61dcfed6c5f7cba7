/**
 * One whole check: discover the proxy, plan from the catalog, run the suite, diagnose, and
 * assemble the report of CONTRACTS.md. Used by `reconnect-agent check` and by `pair` jobs.
 */
import { getServers } from 'node:dns';
import { version as osVersion, release } from 'node:os';
import type { ProbeContext } from '../context.ts';
import { diagnose } from '../diagnosis/index.ts';
import { createInterlock } from '../interlock.ts';
import { buildPlan, selectPlan } from '../plan.ts';
import { discoverProxy } from '../proxy/discover.ts';
import type { Report } from '../report.ts';
import { type ProgressEvent, runSuite } from '../runner.ts';
import type { Catalog } from '../types.ts';
import { summariseWatch, type WatchRound, watchPlan, watchRounds } from '../watch.ts';
import { type AgentConfig, trustedCertificates } from './config.ts';
import { AGENT_VERSION } from './version.ts';

export interface CheckOptions {
  config: AgentConfig;
  catalog: Catalog;
  onProgress?: (event: ProgressEvent) => void;
  signal?: AbortSignal;
  /** Only these probe ids or kinds (a recheck); all when absent. */
  only?: string[];
  /** Injected clock; the report's startedAt and the clock probe read it. */
  now?: () => number;
  /** A PAC file to use instead of this computer's proxy settings. */
  pacUrl?: string;
  /** `--watch`: after the full run, repeat the cheap probes in rounds until the duration is over. */
  watch?: WatchSettings;
}

export interface WatchSettings {
  durationMs: number;
  /** Pause between rounds; default 1 s. */
  intervalMs?: number;
  /** Default: a real timer. */
  sleep?: (ms: number) => Promise<void>;
  onRound?: (round: WatchRound, index: number, endsAt: number) => void;
  /** Ends the rounds early (the helpdesk pressed Stop); the report holds the rounds so far. */
  stop?: AbortSignal;
}

const WATCH_INTERVAL_MS = 1000;

export async function runCheck(options: CheckOptions): Promise<Report> {
  const { config, catalog } = options;
  const now = options.now ?? Date.now;
  const startedAt = now();
  const interlock = createInterlock({ enabled: config.lab, labNets: config.labNets });
  const base = { interlock, systemResolver: config.systemResolver, trustedCa: trustedCertificates() };
  const proxy = await discoverProxy({
    platform: config.platform,
    proxyVariables: config.proxyVariables,
    ctx: base,
    pacUrl: options.pacUrl,
  });
  const ctx: ProbeContext = { ...base, proxy, catalog, now };
  const full = buildPlan({
    catalog,
    proxy,
    platform: config.platform,
    home: config.home,
    folders: config.folders,
  });
  const plan = options.only ? selectPlan(full, options.only) : full;
  const run = await runSuite(plan, { ctx, onProgress: options.onProgress, signal: options.signal });
  const watched = options.watch
    ? await watchOf(
        options.watch,
        { at: startedAt, probes: run.probes },
        { plan: full, ctx, now, ...(options.signal ? { signal: options.signal } : {}) },
        catalog.endpoints,
      )
    : undefined;
  const partial = {
    probes: run.probes,
    endpoints: catalog.endpoints.map(({ host, port, purpose, required }) => ({
      host,
      port,
      purpose,
      required,
    })),
    environment: {
      proxy: { source: proxy.source, ...(proxy.url ? { url: proxy.url } : {}) },
      resolvers: config.systemResolver ? [config.systemResolver] : systemResolvers(),
    },
    publicResolvers: catalog.publicResolvers,
    ...(watched ? { watch: watched } : {}),
  };
  const { findings, verdict } = diagnose(partial);
  return {
    schema: 'reconnect.report/v1',
    agent: {
      version: AGENT_VERSION,
      os: osName(config.platform),
      osVersion: `${release()} ${safeOsVersion()}`.trim(),
      runtime: `node ${process.versions.node}`,
    },
    cloud: catalog.cloud,
    startedAt: new Date(startedAt).toISOString(),
    durationMs: watched ? Math.round(now() - startedAt) : run.durationMs,
    ...partial,
    findings,
    verdict,
  };
}

/** The watch's rounds after the first full run, summarised per endpoint. */
async function watchOf(
  settings: WatchSettings,
  first: WatchRound,
  deps: { plan: ReturnType<typeof buildPlan>; ctx: ProbeContext; now: () => number; signal?: AbortSignal },
  endpoints: Catalog['endpoints'],
) {
  const intervalMs = settings.intervalMs ?? WATCH_INTERVAL_MS;
  const cheap = watchPlan(deps.plan);
  const opened = deps.now();
  const endsAt = opened + settings.durationMs;
  const rounds = await watchRounds(
    {
      durationMs: settings.durationMs,
      intervalMs,
      now: deps.now,
      sleep: settings.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
      round: async (budgetMs) =>
        (await runSuite(cheap, { ctx: deps.ctx, budgetMs, signal: deps.signal })).probes,
      onRound: (round, index) => settings.onRound?.(round, index, endsAt),
      ...(deps.signal || settings.stop
        ? { signal: AbortSignal.any([deps.signal, settings.stop].filter((s) => s !== undefined)) }
        : {}),
    },
    first,
  );
  // Stopped early: the window was as long as it really lasted.
  const durationMs = settings.stop?.aborted ? Math.round(deps.now() - opened) : settings.durationMs;
  return summariseWatch(rounds, endpoints, intervalMs, durationMs, Math.round(opened - first.at));
}

function osName(platform: NodeJS.Platform): string {
  return platform === 'win32' ? 'windows' : platform === 'darwin' ? 'macos' : platform;
}

function safeOsVersion(): string {
  try {
    return osVersion();
  } catch {
    return '';
  }
}

/** The resolvers the OS is configured with, for the report. Reading them sends nothing. */
function systemResolvers(): string[] {
  return getServers();
}
