/**
 * What the dashboard charts over time: findings newly named per hour, playbook steps re-checked
 * (verified or failed) and how long resolved cases took, for the last week. Fed from the same
 * place as the Prometheus counters (the turn observer's metrics calls, so both count exactly the
 * same events) and from the engine's turn for resolutions. Kept in this process, bounded (one
 * bucket per hour, a capped list of durations): with several replicas each one's dashboard shows
 * the turns it handled, as its /metrics does; open cases, incidents and agents come from the Store.
 */
import type { TurnStep } from '../core/pipeline.ts';
import type { Metrics } from '../metrics.ts';
import type { Durations, FindingSeries, StepTally } from './types.ts';

export const BUCKET_MS = 60 * 60 * 1000;
/** A week of hourly buckets. */
export const WINDOW_BUCKETS = 7 * 24;
/** Durations kept (the newest). */
const MAX_DURATIONS = 1000;

interface Bucket {
  findings: Map<string, number>;
  steps: Map<string, { verified: number; failed: number }>;
}

export interface Ledger {
  finding(id: string): void;
  step(stepId: string, status: 'verified' | 'failed'): void;
  resolved(durationMs: number): void;
  findings(): FindingSeries;
  steps(): StepTally[];
  resolutions(): Durations;
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

export function createLedger(now: () => number): Ledger {
  const buckets = new Map<number, Bucket>();
  const durations: { at: number; ms: number }[] = [];
  const firstBucket = () => Math.floor(now() / BUCKET_MS) * BUCKET_MS - (WINDOW_BUCKETS - 1) * BUCKET_MS;

  const current = (): Bucket => {
    const start = Math.floor(now() / BUCKET_MS) * BUCKET_MS;
    let bucket = buckets.get(start);
    if (!bucket) {
      bucket = { findings: new Map(), steps: new Map() };
      buckets.set(start, bucket);
      const oldest = firstBucket();
      for (const key of buckets.keys()) if (key < oldest) buckets.delete(key);
    }
    return bucket;
  };
  const live = () => [...buckets.entries()].filter(([start]) => start >= firstBucket());

  return {
    finding(id) {
      const bucket = current();
      bucket.findings.set(id, (bucket.findings.get(id) ?? 0) + 1);
    },
    step(stepId, status) {
      const bucket = current();
      const tally = bucket.steps.get(stepId) ?? { verified: 0, failed: 0 };
      tally[status] += 1;
      bucket.steps.set(stepId, tally);
    },
    resolved(ms) {
      durations.push({ at: now(), ms });
      if (durations.length > MAX_DURATIONS) durations.splice(0, durations.length - MAX_DURATIONS);
    },
    findings() {
      const start = firstBucket();
      const series = new Map<string, number[]>();
      for (const [at, bucket] of live()) {
        const index = (at - start) / BUCKET_MS;
        for (const [id, n] of bucket.findings) {
          const counts = series.get(id) ?? new Array<number>(WINDOW_BUCKETS).fill(0);
          counts[index] = (counts[index] ?? 0) + n;
          series.set(id, counts);
        }
      }
      return {
        start,
        bucketMs: BUCKET_MS,
        buckets: WINDOW_BUCKETS,
        series: [...series].map(([id, counts]) => ({ id, counts })).sort((a, b) => a.id.localeCompare(b.id)),
      };
    },
    steps() {
      const totals = new Map<string, { verified: number; failed: number }>();
      for (const [, bucket] of live())
        for (const [stepId, t] of bucket.steps) {
          const sum = totals.get(stepId) ?? { verified: 0, failed: 0 };
          totals.set(stepId, { verified: sum.verified + t.verified, failed: sum.failed + t.failed });
        }
      return [...totals].map(([stepId, t]) => ({ stepId, ...t }));
    },
    resolutions() {
      const since = firstBucket();
      return durationsOf(durations.filter((d) => d.at >= since).map((d) => d.ms));
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
