/**
 * Direct Line streams across replicas: the web chat's WebSocket may be held by replica A while
 * replica B runs the turn that answers it. Every write is announced on the bus (`dl.written`,
 * the conversation id only); each replica with a stream of that conversation reads what is new
 * from the store, from that stream's own cursor. Reads of one stream run one at a time and each
 * moves the cursor to the watermark the store reported with them, so a stream gets every
 * activity once and in order, whichever replica wrote it and in whatever order the
 * announcements arrive. After a bus reconnect every stream catches up (announcements may have
 * been missed meanwhile).
 */
import type { ActivityFeed, Subscriber } from '../channels/directline/hub.ts';
import type { Logger } from '../log.ts';
import type { DirectLineStore } from '../store/types.ts';
import type { Bus } from './bus.ts';

interface Stream {
  cursor: number | undefined;
  subscriber: Subscriber;
  queue: Promise<void>;
  closed: boolean;
}

export function createClusterFeed(options: { store: DirectLineStore; bus: Bus; log: Logger }): ActivityFeed {
  const { store, bus, log } = options;
  const streams = new Map<string, Set<Stream>>();

  const catchUp = (conversationId: string, stream: Stream): Promise<void> => {
    stream.queue = stream.queue
      .then(async () => {
        if (stream.closed) return;
        const set = await store.list(conversationId, stream.cursor);
        stream.cursor = set.watermark;
        if (set.activities.length > 0 && !stream.closed)
          stream.subscriber(JSON.stringify({ activities: set.activities, watermark: String(set.watermark) }));
      })
      .catch((error) => log.warn('Direct Line stream catch-up failed', { conversationId, error }));
    return stream.queue;
  };
  const wake = (conversationId: string) => {
    for (const stream of streams.get(conversationId) ?? []) void catchUp(conversationId, stream);
  };

  bus.on('dl.written', (m) => {
    if (m.from !== bus.replicaId) wake(String(m.conversationId));
  });
  bus.onReconnect(() => {
    for (const conversationId of streams.keys()) wake(conversationId);
  });

  return {
    written(conversationId) {
      wake(conversationId);
      void bus.broadcast({ type: 'dl.written', conversationId, from: bus.replicaId });
    },
    async subscribe(conversationId, watermark, subscriber) {
      const stream: Stream = { cursor: watermark, subscriber, queue: Promise.resolve(), closed: false };
      let set = streams.get(conversationId);
      if (set === undefined) {
        set = new Set();
        streams.set(conversationId, set);
      }
      const own = set;
      own.add(stream);
      await catchUp(conversationId, stream);
      return () => {
        stream.closed = true;
        own.delete(stream);
        if (own.size === 0 && streams.get(conversationId) === own) streams.delete(conversationId);
      };
    },
  };
}
