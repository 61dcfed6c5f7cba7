/**
 * The dashboard's history in memory (tests, the memory Store): one entry per hour, pruned when a
 * write opens a newer hour, as the SQLite store does.
 */
import { type HistoryStore, type HourTally, MAX_DURATIONS_PER_HOUR, RETAIN_MS } from './history-types.ts';

export function createMemoryHistory(): HistoryStore {
  const hours = new Map<number, HourTally>();
  let newest = -Infinity;
  const at = (hour: number): HourTally => {
    if (hour > newest) {
      newest = hour;
      for (const key of hours.keys()) if (key < hour - RETAIN_MS) hours.delete(key);
    }
    let tally = hours.get(hour);
    if (!tally) {
      tally = { hour, counts: {}, durations: [] };
      hours.set(hour, tally);
    }
    return tally;
  };
  return {
    async count(hour, name) {
      const { counts } = at(hour);
      counts[name] = (counts[name] ?? 0) + 1;
    },
    async duration(hour, ms) {
      const { durations } = at(hour);
      durations.push(ms);
      if (durations.length > MAX_DURATIONS_PER_HOUR)
        durations.splice(0, durations.length - MAX_DURATIONS_PER_HOUR);
    },
    async read(from, to) {
      return [...hours.values()]
        .filter((t) => t.hour >= from && t.hour <= to)
        .sort((a, b) => a.hour - b.hour)
        .map((t) => ({ hour: t.hour, counts: { ...t.counts }, durations: [...t.durations] }));
    },
  };
}
