/**
 * `check --watch DURATION`: a fault that comes and goes reads as healthy, or as a random
 * failure, in one snapshot. Watching repeats the cheap probes (system DNS, TCP, and the HTTPS
 * or WebSocket request each endpoint's purpose calls for) in rounds for the whole duration and
 * keeps, per endpoint, how often it failed, how long it took, and when it flipped.
 */
import type { Report } from './report.ts';
import type { PlannedProbe } from './runner.ts';
import type { ProbeResult } from './types.ts';

/** What one endpoint did over the watch. */
export interface WatchEndpoint {
  host: string;
  port: number;
  /** Rounds in which the endpoint's probes ran (a round the interlock refused does not count). */
  rounds: number;
  failed: number;
  /** failed / rounds, 0..1, rounded to 3 places. */
  failureRate: number;
  /** Latency of the endpoint's main probe over the rounds it passed, in ms. */
  latencyMs: { p50: number; p90: number; max: number } | null;
  /** When the outcome changed from one round to the next (ISO time, and what it became). */
  flaps: Array<{ at: string; to: 'pass' | 'fail' }>;
  /** The probe ids that make up a round for this endpoint (the evidence of a finding). */
  probeIds: string[];
}

export interface WatchSummary {
  durationMs: number;
  /** How long the full check before the watch took: the window opened then. */
  firstCheckMs: number;
  rounds: number;
  intervalMs: number;
  endpoints: WatchEndpoint[];
}

/** A round of the watch: when it started and what its probes returned. */
export interface WatchRound {
  at: number;
  probes: ProbeResult[];
}

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000 };
/** The longest watch: a day. Shorter than a second cannot hold two rounds. */
const MAX_WATCH_MS = 24 * 3_600_000;

/** `30s`, `5m`, `1h` → milliseconds; throws a message naming what is accepted. */
export function parseDuration(text: string): number {
  const match = /^(\d{1,5})(s|m|h)$/.exec(text.trim());
  const ms = match ? Number(match[1]) * UNITS[match[2]] : Number.NaN;
  if (!(ms >= 1000 && ms <= MAX_WATCH_MS)) {
    throw new Error(
      `--watch "${text}" is not a duration; expected a number and s, m or h (30s, 5m, 1h), from 1s to 24h`,
    );
  }
  return ms;
}

/** The cheap part of a plan that a watch repeats. */
export function watchPlan(plan: PlannedProbe[]): PlannedProbe[] {
  return plan.filter(
    (p) =>
      p.kind === 'tcp' ||
      p.kind === 'https' ||
      p.kind === 'websocket' ||
      (p.kind === 'dns' && p.target.endsWith('@system')),
  );
}

export interface WatchOptions {
  durationMs: number;
  /** Pause between rounds. */
  intervalMs: number;
  /** Runs one round within `budgetMs`. */
  round(budgetMs: number): Promise<ProbeResult[]>;
  now(): number;
  sleep(ms: number): Promise<void>;
  /** Called after every round (live progress). */
  onRound?(round: WatchRound, index: number): void;
  signal?: AbortSignal;
}

/**
 * Rounds until the duration is used up; a round never runs past the end. The window opens when
 * `first` (the full check) is done, so a slow first check never eats the watch.
 */
export async function watchRounds(options: WatchOptions, first?: WatchRound): Promise<WatchRound[]> {
  const end = options.now() + options.durationMs;
  const rounds: WatchRound[] = first ? [first] : [];
  // A round needs time for at least a connection and a request; less than that is not started.
  const minRoundMs = 500;
  while (!options.signal?.aborted) {
    if (rounds.length > 0) {
      const wait = Math.min(options.intervalMs, end - options.now());
      if (wait <= 0) break;
      await options.sleep(wait);
    }
    const at = options.now();
    if (end - at < minRoundMs) break;
    const round = { at, probes: await options.round(end - at) };
    rounds.push(round);
    options.onRound?.(round, rounds.length - 1);
  }
  return rounds;
}

/** Per endpoint over all rounds: failures, latency percentiles, flaps. */
export function summariseWatch(
  rounds: WatchRound[],
  endpoints: Report['endpoints'],
  intervalMs: number,
  durationMs: number,
  firstCheckMs: number,
): WatchSummary {
  return {
    durationMs,
    firstCheckMs,
    rounds: rounds.length,
    intervalMs,
    endpoints: endpoints.map((e) => endpointSummary(e, rounds)),
  };
}

function endpointSummary(e: Report['endpoints'][number], rounds: WatchRound[]): WatchEndpoint {
  const key = `${e.host}:${e.port}`;
  const main = `${e.purpose === 'websocket' ? 'websocket' : 'https'}:${key}`;
  const ids = [`dns:${e.host}@system`, `tcp:${key}`, main];
  let counted = 0;
  let failed = 0;
  const latencies: number[] = [];
  const flaps: WatchEndpoint['flaps'] = [];
  let last: 'pass' | 'fail' | undefined;
  for (const round of rounds) {
    const mine = round.probes.filter((p) => ids.includes(p.id));
    const ran = mine.filter((p) => p.status !== 'error' && p.status !== 'skipped');
    if (ran.length === 0) continue;
    counted++;
    const outcome = ran.some((p) => p.status === 'fail') ? 'fail' : 'pass';
    if (outcome === 'fail') failed++;
    else {
      const m = ran.find((p) => p.id === main);
      if (m) latencies.push(m.durationMs);
    }
    if (last !== undefined && outcome !== last)
      flaps.push({ at: new Date(round.at).toISOString(), to: outcome });
    last = outcome;
  }
  return {
    host: e.host,
    port: e.port,
    rounds: counted,
    failed,
    failureRate: counted === 0 ? 0 : Math.round((failed / counted) * 1000) / 1000,
    latencyMs: latencies.length === 0 ? null : percentiles(latencies),
    flaps,
    probeIds: ids,
  };
}

function percentiles(values: number[]): { p50: number; p90: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  return { p50: at(0.5), p90: at(0.9), max: sorted[sorted.length - 1] };
}
