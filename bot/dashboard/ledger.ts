/**
 * What the dashboard charts over time: findings newly named per hour, playbook steps re-checked
 * (verified or failed) and how long resolved cases took, for the last week. Fed from the same
 * place as the Prometheus counters (the turn observer's metrics calls, so both count exactly the
 * same events) and from the engine's turn for resolutions. Kept in the Store's history area
 * (hourly tallies, history-types.ts), so every replica behind a load balancer shows the same
 * figures and a restart keeps them. A write is fired, not awaited: the turn never waits for the
 * dashboard, and a failed write costs one sample and a log line, never the turn.
 */
import type { TurnStep } from '../core/pipeline.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import { BUCKET_MS, type HistoryStore, hourOf } from './history-types.ts';
import type { Durations, FindingSeries, StepTally } from './types.ts';

export { BUCKET_MS } from './history-types.ts';
/** A week of hourly buckets. */
export const WINDOW_BUCKETS = 7 * 24;
/** Durations summarised at most (the newest). */
const MAX_DURATIONS = 1000;

/** The history's names for the ledger's three counts (the id follows the prefix verbatim). */
const FINDING = 'f:';
const VERIFIED = 'v:';
const FAILED = 'x:';

/** The window's figures. */
export interface LedgerView {
  findings: FindingSeries;
  steps: StepTally[];
  resolutions: Durations;
}

export interface Ledger {
  finding(id: string): void;
  step(stepId: string, status: 'verified' | 'failed'): void;
  resolved(durationMs: number): void;
  /** The last week from the Store (every replica's events), after this replica's own writes landed. */
  read(): Promise<LedgerView>;
  /** Settles once every write started so far has landed or failed (before the store closes). */
  idle(): Promise<void>;
}

export interface LedgerOptions {
  history: HistoryStore;
  /** Epoch ms: which hour an event lands in and where the window ends. */
  now: () => number;
  log: Pick<Logger, 'warn'>;
}

/** The `q` quantile (0..1) of sorted values, nearest rank. */
function quantile(sorted: number[], q: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** Median and 90th percentile of `values`. */
export function durationsOf(values: number[]): Durations {
  const sorted = [...values].sort((a, b) => a - b);
  const median = quantile(sorted, 0.5);
  const p90 = quantile(sorted, 0.9);
  return { count: sorted.length, ...(median === undefined ? {} : { medianMs: median, p90Ms: p90 }) };
}

export function createLedger({ history, now, log }: LedgerOptions): Ledger {
  const pending = new Set<Promise<void>>();
  const track = (what: string, write: Promise<void>): void => {
    const settled = write.catch((error: unknown) => {
      log.warn('dashboard history write failed', { what, error: String(error) });
    });
    pending.add(settled);
    void settled.finally(() => pending.delete(settled));
  };
  const idle = async () => {
    while (pending.size > 0) await Promise.all(pending);
  };

  return {
    finding(id) {
      track('finding', history.count(hourOf(now()), FINDING + id));
    },
    step(stepId, status) {
      track('step', history.count(hourOf(now()), (status === 'verified' ? VERIFIED : FAILED) + stepId));
    },
    resolved(ms) {
      track('resolution', history.duration(hourOf(now()), ms));
    },
    idle,
    async read() {
      await idle();
      const last = hourOf(now());
      const start = last - (WINDOW_BUCKETS - 1) * BUCKET_MS;
      const hours = await history.read(start, last);
      const series = new Map<string, number[]>();
      const steps = new Map<string, { verified: number; failed: number }>();
      const durations: number[] = [];
      for (const { hour, counts, durations: ms } of hours) {
        const index = (hour - start) / BUCKET_MS;
        durations.push(...ms);
        for (const [name, n] of Object.entries(counts)) {
          const prefix = name.slice(0, 2);
          const id = name.slice(2);
          if (prefix === FINDING) {
            const row = series.get(id) ?? new Array<number>(WINDOW_BUCKETS).fill(0);
            row[index] = (row[index] ?? 0) + n;
            series.set(id, row);
          } else if (prefix === VERIFIED || prefix === FAILED) {
            const tally = steps.get(id) ?? { verified: 0, failed: 0 };
            tally[prefix === VERIFIED ? 'verified' : 'failed'] += n;
            steps.set(id, tally);
          }
        }
      }
      return {
        findings: {
          start,
          bucketMs: BUCKET_MS,
          buckets: WINDOW_BUCKETS,
          series: [...series]
            .map(([id, counts]) => ({ id, counts }))
            .sort((a, b) => a.id.localeCompare(b.id)),
        },
        steps: [...steps].map(([stepId, t]) => ({ stepId, ...t })),
        resolutions: durationsOf(durations.slice(-MAX_DURATIONS)),
      };
    },
  };
}

/** `metrics` that also tells the ledger about findings and step re-checks (same events, same counting). */
export function recordingInto(ledger: Ledger, metrics: Metrics): Metrics {
  return {
    ...metrics,
    finding(id) {
      metrics.finding(id);
      ledger.finding(id);
    },
    step(stepId, status) {
      metrics.step(stepId, status);
      ledger.step(stepId, status);
    },
  };
}

/** The engine's step that records how long a case took, from its start to the turn that resolved it. */
export function resolutionStep(ledger: Ledger): TurnStep {
  return {
    async after(turn, result) {
      const session = result.session;
      if (session?.state !== 'resolved' || turn.session?.state === 'resolved') return;
      const ms = Date.parse(session.updatedAt) - Date.parse(session.createdAt);
      if (Number.isFinite(ms) && ms >= 0) ledger.resolved(ms);
    },
  };
}
