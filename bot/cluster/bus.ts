/**
 * The replicas' message bus: Redis pub/sub on two connections of its own (a subscribed
 * connection can do nothing else). It carries only pokes — "agent X has queued jobs", "close
 * agent X", "conversation C has new activities" — never state: whatever a poke refers to is
 * already in the Store, so a poke lost while Redis restarts costs latency, not data (streams
 * catch up from the store when the bus reconnects: `onReconnect`).
 */
import type { Redis } from 'ioredis';
import type { Logger } from '../log.ts';
import { connectRedis } from '../store/redis-client.ts';

export type BusHandler = (message: BusMessage) => void;

/** Every message names its `type`; handlers register per type. */
export interface BusMessage {
  type: string;
  [field: string]: unknown;
}

export interface Bus {
  readonly replicaId: string;
  /** Sends to one replica (its own inbox); a failure is logged, never thrown (see above). */
  toReplica(replicaId: string, message: BusMessage): Promise<void>;
  /** Sends to every replica, this one included. */
  broadcast(message: BusMessage): Promise<void>;
  /** Handles messages of `type` (from the inbox and broadcasts). Synchronous: nothing can be missed. */
  on(type: string, handler: BusHandler): void;
  /** Runs after the subscribed connection came back from a drop (messages may have been missed). */
  onReconnect(fn: () => void): void;
  close(): Promise<void>;
}

export interface BusOptions {
  url: string;
  /** Key prefix, shared with the store; topics live under it. */
  prefix: string;
  replicaId: string;
  log: Logger;
}

export async function openBus(options: BusOptions): Promise<Bus> {
  const { prefix, replicaId, log } = options;
  const pub: Redis = await connectRedis({ url: options.url, name: `${replicaId}:bus-pub` });
  const sub: Redis = await connectRedis({ url: options.url, name: `${replicaId}:bus-sub` });
  const handlers = new Map<string, BusHandler[]>();
  const reconnects: (() => void)[] = [];
  let dropped = false;
  sub.on('close', () => {
    dropped = true;
  });
  sub.on('ready', () => {
    if (!dropped) return;
    dropped = false;
    for (const fn of reconnects) fn();
  });
  for (const client of [pub, sub]) client.on('error', () => undefined);
  sub.on('message', (channel: string, text: string) => {
    let message: BusMessage;
    try {
      message = JSON.parse(text) as BusMessage;
    } catch {
      return log.warn('bus message is not JSON; ignored', { channel });
    }
    for (const handler of handlers.get(String(message.type)) ?? []) {
      try {
        handler(message);
      } catch (error) {
        log.error('bus handler failed', { type: message.type, error });
      }
    }
  });
  const inbox = (id: string) => `${prefix}replica:${id}`;
  const everyone = `${prefix}all`;
  // Subscribed before the bus is handed out, so no replica can address this one too early.
  await sub.subscribe(inbox(replicaId), everyone);
  const publish = async (channel: string, message: BusMessage) => {
    try {
      await pub.publish(channel, JSON.stringify(message));
    } catch (error) {
      log.warn('bus publish failed (Redis unreachable?)', { type: message.type, error });
    }
  };
  return {
    replicaId,
    toReplica: (id, message) => publish(inbox(id), message),
    broadcast: (message) => publish(everyone, message),
    on(type, handler) {
      handlers.set(type, [...(handlers.get(type) ?? []), handler]);
    },
    onReconnect: (fn) => void reconnects.push(fn),
    async close() {
      for (const client of [sub, pub]) await client.quit().catch(() => client.disconnect());
    },
  };
}
