/**
 * Each conversation's Direct Line history, kept serialized (issue 16, defect 6). Every stream
 * catch-up and every history read used to read the whole history from the store, parse it and
 * serialize it again: one user posting four 900 KB messages, then opening 60 streams and 60
 * history reads at once, stalled the event loop long enough that /healthz missed a 2 s deadline
 * twice. Here each activity is serialized once, when it first reaches this process; a read asks
 * the store only for what changed since the cached watermark (an indexed, usually empty query),
 * so other processes' writes are seen too.
 *
 * What a read returns is every activity that may have changed after the reader's watermark: an
 * activity's cached revision is exact for this process's own writes and an upper bound for the
 * rest (the watermark at which this process first saw it in its present form), so a reader
 * with an old watermark may get an activity it already has. Direct Line clients
 * upsert by activity id (that is how an updated card replaces itself), so that is harmless,
 * while missing one would not be.
 *
 * The cache is bounded by total bytes across conversations (least recently read dropped first);
 * the size of each conversation is what bot/limits.ts's conversationBytes bounds.
 */
import type { DirectLineStore, StoredActivity } from '../../store/types.ts';
import { createSerial } from './serial.ts';

interface Entry {
  id: string;
  json: string;
  /** Upper bound of the activity's revision. */
  rev: number;
  timestamp: number;
}

interface Cached {
  watermark: number;
  entries: Entry[];
  index: Map<string, number>;
  bytes: number;
  /** The whole history's ActivitySet text at `watermark`, made on first need. */
  full?: string;
}

export interface HistoryRead {
  /** The ActivitySet as JSON text. */
  text: string;
  watermark: number;
  count: number;
}

export interface History {
  /** The activities after `since` (a superset, see above) as ActivitySet text, and the watermark. */
  read(conversationId: string, since?: number): Promise<HistoryRead>;
  /** Serialized bytes of the conversation's activities. */
  bytes(conversationId: string): Promise<number>;
  /** The latest timestamp among the conversation's activities (epoch ms; 0 when none). */
  lastTimestamp(conversationId: string): Promise<number>;
  /**
   * A write this process made, with its exact revision: applied when it directly follows the
   * cached state (no other process wrote between), so readers of this process get exact deltas.
   */
  noteWrite(conversationId: string, activity: StoredActivity, revision: number): Promise<void>;
}

const entryOf = (activity: StoredActivity, rev: number): Entry => ({
  id: String(activity.id),
  json: JSON.stringify(activity),
  rev,
  timestamp: Date.parse(String(activity.timestamp)) || 0,
});

export function createHistory(store: DirectLineStore, options: { maxCachedBytes?: number } = {}): History {
  const maxCachedBytes = options.maxCachedBytes ?? 64 * 1024 * 1024;
  const cache = new Map<string, Cached>();
  let cachedBytes = 0;
  // Refreshes of one conversation run one at a time, so a delta is applied to the state it follows.
  const refreshes = createSerial();

  const evict = (keep: string): void => {
    for (const [id, c] of cache) {
      if (cachedBytes <= maxCachedBytes) break;
      if (id === keep) continue;
      cache.delete(id);
      cachedBytes -= c.bytes;
    }
  };

  const apply = (c: Cached, activities: StoredActivity[], watermark: number): void => {
    for (const activity of activities) {
      const entry = entryOf(activity, watermark);
      const at = c.index.get(entry.id);
      if (at === undefined) {
        c.index.set(entry.id, c.entries.length);
        c.entries.push(entry);
        c.bytes += entry.json.length;
        cachedBytes += entry.json.length;
      } else {
        const delta = entry.json.length - c.entries[at]!.json.length;
        c.entries[at] = entry;
        c.bytes += delta;
        cachedBytes += delta;
      }
    }
    if (activities.length > 0 || watermark !== c.watermark) delete c.full;
    c.watermark = watermark;
  };

  /** The conversation's cache, brought up to date with the store. */
  const fresh = (conversationId: string): Promise<Cached> =>
    refreshes.run(conversationId, async () => {
      let c = cache.get(conversationId);
      if (c === undefined) {
        const set = await store.list(conversationId);
        c = { watermark: 0, entries: [], index: new Map(), bytes: 0 };
        apply(c, set.activities, set.watermark);
      } else {
        const set = await store.list(conversationId, c.watermark);
        apply(c, set.activities, set.watermark);
        cache.delete(conversationId);
      }
      // Most recently used last, so eviction takes the oldest first.
      cache.set(conversationId, c);
      evict(conversationId);
      return c;
    });

  const text = (entries: Entry[], watermark: number): string =>
    `{"activities":[${entries.map((e) => e.json).join(',')}],"watermark":"${watermark}"}`;

  return {
    async read(conversationId, since) {
      const c = await fresh(conversationId);
      if (since === undefined || since <= 0) {
        c.full ??= text(c.entries, c.watermark);
        return { text: c.full, watermark: c.watermark, count: c.entries.length };
      }
      const changed = c.entries.filter((e) => e.rev > since);
      return { text: text(changed, c.watermark), watermark: c.watermark, count: changed.length };
    },
    bytes: async (conversationId) => (await fresh(conversationId)).bytes,
    lastTimestamp: async (conversationId) =>
      (await fresh(conversationId)).entries.reduce((max, e) => Math.max(max, e.timestamp), 0),
    noteWrite: (conversationId, activity, revision) =>
      refreshes.run(conversationId, async () => {
        const c = cache.get(conversationId);
        if (c !== undefined && c.watermark === revision - 1) apply(c, [activity], revision);
      }),
  };
}
