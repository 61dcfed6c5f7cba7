/**
 * The dashboard's history in the Store (issue 18, item 4): hourly tallies shared by every replica
 * and kept across restarts, so /admin shows the same figures whichever replica answers. A write
 * is one increment (or one duration) in its hour, cheap enough for the turn's hot path; hours
 * older than the retention are pruned by the writes themselves (SQLite, memory) or expire
 * (Redis), so the area stays bounded without a sweeper.
 */

/** One bucket per hour. */
export const BUCKET_MS = 60 * 60 * 1000;
/** Hours kept: the chart's week and a day of slack, so a late reader still finds its first hour. */
export const RETAIN_MS = 8 * 24 * BUCKET_MS;
/** Resolution durations kept per hour (the newest): a mass resolution stays bounded. */
export const MAX_DURATIONS_PER_HOUR = 1000;

/** What one hour holds. */
export interface HourTally {
  /** Epoch ms, the hour's start. */
  hour: number;
  /** Counts by name (the ledger names them: finding, verified step, failed step). */
  counts: Record<string, number>;
  /** Resolution durations recorded in the hour, in ms, oldest first. */
  durations: number[];
}

export interface HistoryStore {
  /** Adds one to `name` in the hour starting at `hour` (epoch ms, a multiple of BUCKET_MS). */
  count(hour: number, name: string): Promise<void>;
  /** Records a resolution that took `ms` in the hour starting at `hour`. */
  duration(hour: number, ms: number): Promise<void>;
  /** The hours from `from` to `to` (hour starts, both included) that hold anything, oldest first. */
  read(from: number, to: number): Promise<HourTally[]>;
}

/** The hour `at` falls in. */
export const hourOf = (at: number): number => Math.floor(at / BUCKET_MS) * BUCKET_MS;
