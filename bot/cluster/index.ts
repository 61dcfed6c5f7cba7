/**
 * Scale-out in one call: with REDIS_URL the composition root opens the Redis store, the bus,
 * the shared pairing limiter and the Direct Line feed here, and hands them to the gateway,
 * the pairing and the web chat channel. Nothing else in the bot knows about replicas.
 */

import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { REDEEM_LIMITS } from '../agents/pairing.ts';
import type { Limiter } from '../agents/rate-limit.ts';
import type { ActivityFeed } from '../channels/directline/hub.ts';
import type { Session } from '../core/types.ts';
import type { Logger } from '../log.ts';
import { openRedisStore } from '../store/redis.ts';
import { connectRedis } from '../store/redis-client.ts';
import type { Store } from '../store/types.ts';
import { type Bus, openBus } from './bus.ts';
import { createClusterFeed } from './dl-feed.ts';
import { createRedisLimiter } from './redis-limiter.ts';

export interface Cluster {
  /** This process' name on the bus and in agent records: host, pid and a random tag. */
  replicaId: string;
  store: Store<Session>;
  bus: Bus;
  limiter: Limiter;
  feed: ActivityFeed;
  /** Closes the bus and the store's connection. */
  close(): Promise<void>;
}

export interface ClusterOptions {
  url: string;
  log: Logger;
  /** Key prefix of the deployment in Redis; default `reconnect:`. */
  prefix?: string;
  replicaId?: string;
  /** Time until the first connection must succeed; default 5 s. */
  startTimeoutMs?: number;
}

/** Connects (failing with a message naming REDIS_URL when Redis cannot be reached). */
export async function openCluster(options: ClusterOptions): Promise<Cluster> {
  const prefix = options.prefix ?? 'reconnect:';
  const replicaId = options.replicaId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const client = await connectRedis({
    url: options.url,
    name: `${replicaId}:store`,
    startTimeoutMs: options.startTimeoutMs,
  });
  // Each replica's outbox worker looks at the shared outbox at least every 15 s.
  const store = openRedisStore<Session>({ client, prefix, pollMs: 15_000 });
  let bus: Bus;
  try {
    bus = await openBus({ url: options.url, prefix, replicaId, log: options.log });
  } catch (error) {
    await store.close();
    throw error;
  }
  return {
    replicaId,
    store,
    bus,
    limiter: createRedisLimiter({ client, prefix, spec: REDEEM_LIMITS }),
    feed: createClusterFeed({ store: store.directline, bus, log: options.log }),
    async close() {
      await bus.close();
      await store.close();
    },
  };
}
