/**
 * The dashboard's history in SQLite. Tables are created here with IF NOT EXISTS (as
 * bot/incidents/store-sqlite.ts does), so a database from an earlier build gains them on open.
 * A write is one upsert (`n = n + 1`) or one insert, queued on the store's group commit
 * (bot/store/sqlite-batch.ts): on a turn's hot path it shares the turn commit's transaction
 * instead of paying for one of its own. The first write of a newer hour also prunes what fell
 * out of the retention, in the same batch.
 */
import type { DatabaseSync } from 'node:sqlite';
import type { Batcher } from '../store/sqlite-batch.ts';
import { type HistoryStore, type HourTally, MAX_DURATIONS_PER_HOUR, RETAIN_MS } from './history-types.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS dashboard_counts (
  hour INTEGER NOT NULL,
  name TEXT NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (hour, name)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS dashboard_durations (
  hour INTEGER NOT NULL,
  ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS dashboard_durations_hour ON dashboard_durations (hour);
`;

export function createSqliteHistory(db: DatabaseSync, batch: Batcher): HistoryStore {
  db.exec(SCHEMA);
  const q = {
    count: db.prepare(
      'INSERT INTO dashboard_counts (hour, name, n) VALUES (?, ?, 1) ' +
        'ON CONFLICT(hour, name) DO UPDATE SET n = n + 1',
    ),
    duration: db.prepare('INSERT INTO dashboard_durations (hour, ms) VALUES (?, ?)'),
    // The newest MAX_DURATIONS_PER_HOUR of the hour stay.
    trim: db.prepare(
      'DELETE FROM dashboard_durations WHERE hour = ? AND rowid <= ' +
        '(SELECT rowid FROM dashboard_durations WHERE hour = ? ORDER BY rowid DESC LIMIT 1 OFFSET ?)',
    ),
    pruneCounts: db.prepare('DELETE FROM dashboard_counts WHERE hour < ?'),
    pruneDurations: db.prepare('DELETE FROM dashboard_durations WHERE hour < ?'),
    counts: db.prepare('SELECT hour, name, n FROM dashboard_counts WHERE hour BETWEEN ? AND ?'),
    durations: db.prepare(
      'SELECT hour, ms FROM dashboard_durations WHERE hour BETWEEN ? AND ? ORDER BY hour, rowid',
    ),
  };
  // Per process: another process on the same file prunes for itself, which is harmless.
  let pruned = -Infinity;
  const prune = (hour: number): void => {
    if (hour <= pruned) return;
    pruned = hour;
    q.pruneCounts.run(hour - RETAIN_MS);
    q.pruneDurations.run(hour - RETAIN_MS);
  };

  return {
    async count(hour, name) {
      await batch.run(() => {
        prune(hour);
        q.count.run(hour, name);
      });
    },
    async duration(hour, ms) {
      await batch.run(() => {
        prune(hour);
        q.duration.run(hour, Math.round(ms));
        q.trim.run(hour, hour, MAX_DURATIONS_PER_HOUR);
      });
    },
    async read(from, to) {
      const hours = new Map<number, HourTally>();
      const at = (hour: number): HourTally => {
        let tally = hours.get(hour);
        if (!tally) {
          tally = { hour, counts: {}, durations: [] };
          hours.set(hour, tally);
        }
        return tally;
      };
      for (const row of q.counts.all(from, to) as { hour: number; name: string; n: number }[])
        at(Number(row.hour)).counts[row.name] = Number(row.n);
      for (const row of q.durations.all(from, to) as { hour: number; ms: number }[])
        at(Number(row.hour)).durations.push(Number(row.ms));
      return [...hours.values()].sort((a, b) => a.hour - b.hour);
    },
  };
}
