/**
 * The Direct Line activity log plus its live subscribers (WebSocket streams). Writes for one
 * conversation run one at a time: store first, then a push to every subscriber, so streams
 * see activities in watermark order. Subscribing takes the same lock, so no activity falls
 * between a subscriber's catch-up read and its registration.
 *
 * The hub also stamps each appended activity's `timestamp`, strictly increasing per
 * conversation (at least 1 ms apart): Web Chat orders its transcript by timestamp, so two
 * activities in the same millisecond could swap places, and a card updated in place (which
 * keeps its timestamp) could jump below the message that followed it.
 */
import type { DirectLineStore, StoredActivity } from '../../store/types.ts';
import type { History } from './history.ts';
import { createSerial } from './serial.ts';
import { DirectLineError } from './types.ts';

/** Direct Line's ActivitySet; the watermark is a string on the wire. */
export interface ActivitySet {
  activities: StoredActivity[];
  watermark: string;
}

/** Receives ActivitySets as JSON text: serialized once, whatever the number of subscribers. */
export type Subscriber = (setText: string) => void;

/**
 * Live delivery across replicas (bot/cluster/dl-feed.ts): when given, the hub tells it about
 * every write instead of pushing to its own subscribers, and it serves subscriptions, reading
 * from the store whatever any replica wrote.
 */
export interface ActivityFeed {
  written(conversationId: string): void;
  subscribe(
    conversationId: string,
    watermark: number | undefined,
    subscriber: Subscriber,
  ): Promise<() => void>;
}

export interface ActivityHub {
  /** Stamps the timestamp, stores the new activity, pushes it, and returns it as stored. */
  append<T extends StoredActivity>(conversationId: string, activity: T): Promise<T>;
  /** Replaces the activity with the same id (keeping its position) and pushes it again; 404 when unknown. */
  replace(conversationId: string, activity: StoredActivity): Promise<void>;
  /**
   * Sends the activities after `watermark` (when there are any), then every later write.
   * Returns the unsubscribe function.
   */
  subscribe(
    conversationId: string,
    watermark: number | undefined,
    subscriber: Subscriber,
  ): Promise<() => void>;
  /** Resolves once every queued write has finished. */
  idle(): Promise<void>;
}

/** How many conversations' last timestamps are kept; older ones are re-read from the store. */
const REMEMBERED = 10_000;

export function createActivityHub(
  store: DirectLineStore,
  history: History,
  now: () => number,
  feed?: ActivityFeed,
): ActivityHub {
  const writes = createSerial();
  const live = new Map<string, Set<Subscriber>>();
  const lastStamp = new Map<string, number>();

  /** The next timestamp of a conversation: now, or 1 ms after its latest activity if that is later. */
  const nextStamp = async (conversationId: string): Promise<string> => {
    // With replicas another process may have written since: ask the history, which reads the
    // store's changes since its cached watermark, not this process' last stamp.
    let last = feed ? undefined : lastStamp.get(conversationId);
    last ??= await history.lastTimestamp(conversationId);
    const stamp = Math.max(now(), last + 1);
    lastStamp.delete(conversationId);
    lastStamp.set(conversationId, stamp);
    if (lastStamp.size > REMEMBERED) lastStamp.delete(lastStamp.keys().next().value!);
    return new Date(stamp).toISOString();
  };

  const push = (conversationId: string, activity: StoredActivity, watermark: number): void => {
    if (feed) {
      feed.written(conversationId);
      return;
    }
    const subscribers = live.get(conversationId);
    if (subscribers === undefined) return;
    const text = JSON.stringify({ activities: [activity], watermark: String(watermark) });
    for (const subscriber of subscribers) subscriber(text);
  };

  return {
    append: <T extends StoredActivity>(conversationId: string, activity: T) =>
      writes.run(conversationId, async (): Promise<T> => {
        const stamped = { ...activity, timestamp: await nextStamp(conversationId) };
        const watermark = await store.append(conversationId, stamped);
        await history.noteWrite(conversationId, stamped, watermark);
        push(conversationId, stamped, watermark);
        return stamped;
      }),
    replace: (conversationId, activity) =>
      writes.run(conversationId, async () => {
        const watermark = await store.replace(conversationId, activity);
        if (watermark === undefined) {
          throw new DirectLineError(404, 'NotFound', `activity ${activity.id} does not exist`);
        }
        await history.noteWrite(conversationId, activity, watermark);
        push(conversationId, activity, watermark);
      }),
    subscribe: (conversationId, watermark, subscriber) =>
      feed?.subscribe(conversationId, watermark, subscriber) ??
      writes.run(conversationId, async () => {
        const set = await history.read(conversationId, watermark);
        if (set.count > 0) subscriber(set.text);
        let own = live.get(conversationId);
        if (own === undefined) {
          own = new Set();
          live.set(conversationId, own);
        }
        const subscribers = own;
        subscribers.add(subscriber);
        return () => {
          subscribers.delete(subscriber);
          if (subscribers.size === 0 && live.get(conversationId) === subscribers) live.delete(conversationId);
        };
      }),
    idle: () => writes.idle(),
  };
}
