/**
 * The Direct Line activity log in Redis. A conversation is a hash {c created, ctr counter,
 * data}; its activities are a hash (id → JSON) with two sorted sets: position (fixed at
 * append) and revision (the counter value of the last append or replace). "Since watermark W"
 * is the revision set above W ordered by position, read in one script so the watermark it
 * reports covers exactly what it returns, whichever replica wrote last.
 */
import type { RunScript } from './redis-scripts.ts';
import type { DirectLineStore, StoredActivity } from './types.ts';

export const DIRECTLINE_SCRIPTS: Record<string, string> = {
  /** id, createdAt, data → 1 created, 0 exists. */
  dlCreate: `
local K = P .. 'dl:' .. ARGV[2]
if redis.call('EXISTS', K) == 1 then return 0 end
redis.call('HSET', K, 'c', ARGV[3], 'ctr', 0, 'data', ARGV[4])
return 1`,
  /** id, activity id, json, mode ('append' | 'replace') → watermark; -1 no conversation, -2 taken, 0 unknown activity. */
  dlWrite: `
local id, aid = ARGV[2], ARGV[3]
if redis.call('EXISTS', P .. 'dl:' .. id) == 0 then return -1 end
local exists = redis.call('HEXISTS', P .. 'dla:' .. id, aid) == 1
if ARGV[5] == 'append' and exists then return -2 end
if ARGV[5] == 'replace' and not exists then return 0 end
local ctr = redis.call('HINCRBY', P .. 'dl:' .. id, 'ctr', 1)
redis.call('HSET', P .. 'dla:' .. id, aid, ARGV[4])
redis.call('ZADD', P .. 'dlr:' .. id, ctr, aid)
if ARGV[5] == 'append' then redis.call('ZADD', P .. 'dlp:' .. id, ctr, aid) end
return ctr`,
  /** id, watermark → false (no conversation) or {counter, json…} in position order. */
  dlList: `
local id = ARGV[2]
local ctr = redis.call('HGET', P .. 'dl:' .. id, 'ctr')
if not ctr then return false end
local ids = redis.call('ZRANGEBYSCORE', P .. 'dlr:' .. id, '(' .. ARGV[3], '+inf')
local pos = {}
for _, aid in ipairs(ids) do pos[aid] = tonumber(redis.call('ZSCORE', P .. 'dlp:' .. id, aid)) end
table.sort(ids, function(a, b) return pos[a] < pos[b] end)
local out = {ctr}
for _, aid in ipairs(ids) do out[#out + 1] = redis.call('HGET', P .. 'dla:' .. id, aid) end
return out`,
};

export function createRedisDirectLine(deps: {
  run: RunScript;
  g: <T>(op: () => Promise<T>) => Promise<T>;
  now: () => number;
}): DirectLineStore {
  const { run, g, now } = deps;
  const missing = (id: string) => new Error(`Direct Line conversation ${id} does not exist`);
  return {
    createConversation: ({ id, data }) =>
      g(async () => {
        const record = { id, createdAt: now(), ...(data ? { data } : {}) };
        const ok = await run(
          'dlCreate',
          id,
          record.createdAt,
          data === undefined ? '' : JSON.stringify(data),
        );
        if (ok !== 1) throw new Error(`Direct Line conversation ${id} already exists`);
        return record;
      }),
    getConversation: (id) =>
      g(async () => {
        const [c, data] = (await run('hmget', `dl:${id}`, 'c', 'data')) as (string | null)[];
        if (c === null) return undefined;
        return {
          id,
          createdAt: Number(c),
          ...(data ? { data: JSON.parse(data) as Record<string, unknown> } : {}),
        };
      }),
    append: (conversationId, activity) =>
      g(async () => {
        const w = Number(
          await run('dlWrite', conversationId, activity.id, JSON.stringify(activity), 'append'),
        );
        if (w === -1) throw missing(conversationId);
        if (w === -2)
          throw new Error(`activity ${activity.id} already exists in conversation ${conversationId}`);
        return w;
      }),
    replace: (conversationId, activity) =>
      g(async () => {
        const w = Number(
          await run('dlWrite', conversationId, activity.id, JSON.stringify(activity), 'replace'),
        );
        if (w === -1) throw missing(conversationId);
        return w === 0 ? undefined : w;
      }),
    getActivity: (conversationId, activityId) =>
      g(async () => {
        const [json] = (await run('hmget', `dla:${conversationId}`, activityId)) as (string | null)[];
        return json === null ? undefined : (JSON.parse(json) as StoredActivity);
      }),
    list: (conversationId, watermark) =>
      g(async () => {
        const out = (await run('dlList', conversationId, watermark ?? 0)) as (string | number)[] | null;
        if (out === null) throw missing(conversationId);
        const [counter, ...rows] = out;
        return {
          activities: rows.map((r) => JSON.parse(String(r)) as StoredActivity),
          watermark: Number(counter),
        };
      }),
  };
}
