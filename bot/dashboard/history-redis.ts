/**
 * The dashboard's history in Redis, shared by every replica: per hour, a hash of counts
 * (`hist:c:<hour>`, HINCRBY) and a list of resolution durations (`hist:d:<hour>`, RPUSH then
 * LTRIM to the newest MAX_DURATIONS_PER_HOUR). Each write is one script call, so the key gets its
 * TTL in the same step as its first increment and no hour outlives the retention by more than
 * the time since its last write. A read fetches the window's hours in one pipeline.
 */
import type { Redis } from 'ioredis';
import { defineScripts } from '../store/redis-scripts.ts';
import {
  BUCKET_MS,
  type HistoryStore,
  type HourTally,
  MAX_DURATIONS_PER_HOUR,
  RETAIN_MS,
} from './history-types.ts';

const SCRIPTS: Record<string, string> = {
  /** hour, name, ttl ms → the name's count in that hour, plus one. */
  histCount: `
local K = P .. 'hist:c:' .. ARGV[2]
redis.call('HINCRBY', K, ARGV[3], 1)
redis.call('PEXPIRE', K, ARGV[4])
return 1`,
  /** hour, ms, keep, ttl ms → the duration appended; the hour keeps its newest `keep`. */
  histDuration: `
local K = P .. 'hist:d:' .. ARGV[2]
redis.call('RPUSH', K, ARGV[3])
redis.call('LTRIM', K, -tonumber(ARGV[4]), -1)
redis.call('PEXPIRE', K, ARGV[5])
return 1`,
};

export interface RedisHistoryOptions {
  client: Redis;
  prefix: string;
  /** The Redis store's guard: a connection failure becomes StoreUnavailableError. */
  g: <T>(op: () => Promise<T>) => Promise<T>;
}

export function createRedisHistory({ client, prefix, g }: RedisHistoryOptions): HistoryStore {
  const run = defineScripts(client, prefix, SCRIPTS);
  return {
    async count(hour, name) {
      await g(() => run('histCount', hour, name, RETAIN_MS));
    },
    async duration(hour, ms) {
      await g(() => run('histDuration', hour, Math.round(ms), MAX_DURATIONS_PER_HOUR, RETAIN_MS));
    },
    async read(from, to) {
      const hours: number[] = [];
      for (let hour = from; hour <= to; hour += BUCKET_MS) hours.push(hour);
      const replies = await g(async () => {
        const pipe = client.pipeline();
        for (const hour of hours) {
          pipe.hgetall(`${prefix}hist:c:${hour}`);
          pipe.lrange(`${prefix}hist:d:${hour}`, 0, -1);
        }
        const out = (await pipe.exec()) ?? [];
        for (const [error] of out) if (error) throw error;
        return out;
      });
      const tallies: HourTally[] = [];
      hours.forEach((hour, i) => {
        const counts = replies[2 * i]?.[1];
        const durations = replies[2 * i + 1]?.[1];
        const c = (counts ?? {}) as Record<string, string>;
        const d = (durations ?? []) as string[];
        if (Object.keys(c).length === 0 && d.length === 0) return;
        tallies.push({
          hour,
          counts: Object.fromEntries(Object.entries(c).map(([name, n]) => [name, Number(n)])),
          durations: d.map(Number),
        });
      });
      return tallies;
    },
  };
}
