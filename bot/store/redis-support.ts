/**
 * The outbox and the support channel registry in Redis (issue 8). A message is a hash of its
 * fields (JSON fields kept as the text they were given, never decoded in Lua), listed in
 * insertion order by `ob:all` and per status by `ob:st:<status>`. `claim` is one script: it
 * walks the pending set oldest first and stamps each due, unleased message whose predecessor
 * is settled with a lease, so two replicas never hold the same message.
 */
import type { Redis } from 'ioredis';
import type { RunScript } from './redis-scripts.ts';
import type {
  ClaimedOutboxMessage,
  OutboxMessage,
  OutboxStore,
  SupportChannel,
  SupportChannelStore,
} from './types.ts';

/** Shared by claim and nextDue: `due` of message K, or nil when it waits for its predecessor. */
const DUE = `
local function due(K)
  local h = redis.call('HMGET', K, 'next', 'lease', 'after')
  local at = tonumber(h[1])
  if h[2] and tonumber(h[2]) > at then at = tonumber(h[2]) end
  if h[3] and h[3] ~= '' then
    local st = redis.call('HGET', P .. 'ob:' .. h[3], 'status')
    if st == 'pending' or st == 'parked' then return nil, h[2] end
  end
  return at, h[2]
end
`;

export const SUPPORT_SCRIPTS: Record<string, string> = {
  /** key, topic, payload, after, next, now → 1 added, 0 exists. */
  obAdd: `
local K = P .. 'ob:' .. ARGV[2]
if redis.call('EXISTS', K) == 1 then return 0 end
local seq = redis.call('INCR', P .. 'ob:seq')
redis.call('HSET', K, 'topic', ARGV[3], 'payload', ARGV[4], 'after', ARGV[5], 'status', 'pending',
  'attempts', 0, 'tries', 0, 'next', ARGV[6], 'created', ARGV[7], 'updated', ARGV[7], 'seq', seq)
redis.call('ZADD', P .. 'ob:all', seq, ARGV[2])
redis.call('ZADD', P .. 'ob:st:pending', seq, ARGV[2])
return 1`,
  /** now, limit, leaseUntil → {{key, had a lease ('1'/'0'), fields…}…}. */
  obClaim: `${DUE}
local now, limit = tonumber(ARGV[2]), tonumber(ARGV[3])
local out = {}
for _, k in ipairs(redis.call('ZRANGE', P .. 'ob:st:pending', 0, -1)) do
  if #out >= limit then break end
  local K = P .. 'ob:' .. k
  local at, lease = due(K)
  if at and at <= now then
    redis.call('HINCRBY', K, 'attempts', 1)
    redis.call('HINCRBY', K, 'tries', 1)
    redis.call('HSET', K, 'lease', ARGV[4], 'updated', ARGV[2])
    out[#out + 1] = {k, lease and '1' or '0', redis.call('HGETALL', K)}
  end
end
return out`,
  /** key, status, now, next, error, result ('' keeps the field) → 1 settled, 0 unknown key. */
  obSettle: `
local K = P .. 'ob:' .. ARGV[2]
local h = redis.call('HMGET', K, 'status', 'seq')
if not h[1] then return 0 end
redis.call('ZREM', P .. 'ob:st:' .. h[1], ARGV[2])
redis.call('ZADD', P .. 'ob:st:' .. ARGV[3], h[2], ARGV[2])
redis.call('HDEL', K, 'lease')
redis.call('HSET', K, 'status', ARGV[3], 'updated', ARGV[4])
if ARGV[5] ~= '' then redis.call('HSET', K, 'next', ARGV[5]) end
if ARGV[6] ~= '' then redis.call('HSET', K, 'err', ARGV[6]) end
if ARGV[7] ~= '' then redis.call('HSET', K, 'result', ARGV[7]) end
return 1`,
  /** now → how many parked messages became pending. */
  obResume: `
local ids = redis.call('ZRANGE', P .. 'ob:st:parked', 0, -1, 'WITHSCORES')
for i = 1, #ids, 2 do
  redis.call('ZADD', P .. 'ob:st:pending', ids[i + 1], ids[i])
  redis.call('HSET', P .. 'ob:' .. ids[i], 'status', 'pending', 'tries', 0, 'updated', ARGV[2])
end
redis.call('DEL', P .. 'ob:st:parked')
return #ids / 2`,
  /** → the earliest due time of a claimable pending message, or nil. */
  obNextDue: `${DUE}
local best = false
for _, k in ipairs(redis.call('ZRANGE', P .. 'ob:st:pending', 0, -1)) do
  local at = due(P .. 'ob:' .. k)
  if at and (not best or at < best) then best = at end
end
return best`,
  /** status ('' all) → {{key, fields…}…} in insertion order. */
  obList: `
local z = ARGV[2] == '' and 'ob:all' or ('ob:st:' .. ARGV[2])
local out = {}
for _, k in ipairs(redis.call('ZRANGE', P .. z, 0, -1)) do out[#out + 1] = {k, redis.call('HGETALL', P .. 'ob:' .. k)} end
return out`,
  /** id, json → stores `seq|json` so registrations at the same instant keep their order. */
  chPut: `
local seq = redis.call('INCR', P .. 'sch:seq')
redis.call('HSET', P .. 'sch', ARGV[2], seq .. '|' .. ARGV[3])
return seq`,
};

type Fields = Record<string, string>;

const pairs = (flat: string[]): Fields => {
  const h: Fields = {};
  for (let i = 0; i < flat.length; i += 2) h[flat[i]] = flat[i + 1];
  return h;
};

function fromFields(key: string, h: Fields): OutboxMessage {
  return {
    key,
    topic: h.topic,
    payload: JSON.parse(h.payload),
    ...(h.after ? { after: h.after } : {}),
    status: h.status as OutboxMessage['status'],
    attempts: Number(h.attempts),
    tries: Number(h.tries),
    nextAttemptAt: Number(h.next),
    createdAt: Number(h.created),
    updatedAt: Number(h.updated),
    ...(h.lease ? { leaseUntil: Number(h.lease) } : {}),
    ...(h.err ? { lastError: JSON.parse(h.err) } : {}),
    ...(h.result ? { result: JSON.parse(h.result) } : {}),
  };
}

export function createRedisSupport(deps: {
  client: Redis;
  run: RunScript;
  g: <T>(op: () => Promise<T>) => Promise<T>;
  now: () => number;
  key: (suffix: string) => string;
  pollMs?: number;
}): { outbox: OutboxStore; supportChannels: SupportChannelStore } {
  const { client, run, g, now, key, pollMs } = deps;
  const outbox: OutboxStore = {
    add: ({ key: k, topic, payload, after, notBefore }) =>
      g(async () => {
        const t = now();
        return (await run('obAdd', k, topic, JSON.stringify(payload), after ?? '', notBefore ?? t, t)) === 1;
      }),
    get: (k) =>
      g(async () => {
        const h = await client.hgetall(key(`ob:${k}`));
        return h.topic === undefined ? undefined : fromFields(k, h);
      }),
    claim: ({ limit, leaseMs }) =>
      g(async () => {
        const t = now();
        const rows = (await run('obClaim', t, limit, t + leaseMs)) as [string, string, string[]][];
        return rows.map(
          ([k, hadLease, flat]): ClaimedOutboxMessage => ({
            ...fromFields(k, pairs(flat)),
            recovered: hadLease === '1',
          }),
        );
      }),
    settle: (k, outcome) =>
      g(async () => {
        const ok = await run(
          'obSettle',
          k,
          outcome.status,
          now(),
          outcome.status === 'pending' ? outcome.nextAttemptAt : '',
          outcome.status === 'delivered' ? '' : JSON.stringify(outcome.error),
          outcome.status === 'delivered' && outcome.result !== undefined
            ? JSON.stringify(outcome.result)
            : '',
        );
        if (ok !== 1) throw new Error(`outbox message ${k} does not exist`);
      }),
    resume: () => g(async () => Number(await run('obResume', now()))),
    nextDue: () =>
      g(async () => {
        const due = await run('obNextDue');
        const next = due === null ? undefined : Number(due);
        if (pollMs === undefined) return next;
        // Replicas: look again within pollMs whatever this one knows (see RedisStoreOptions.pollMs).
        return Math.min(next ?? Number.POSITIVE_INFINITY, now() + pollMs);
      }),
    list: (status) =>
      g(async () =>
        ((await run('obList', status ?? '')) as [string, string[]][]).map(([k, flat]) =>
          fromFields(k, pairs(flat)),
        ),
      ),
  };

  const supportChannels: SupportChannelStore = {
    put: (channel) => g(async () => void (await run('chPut', channel.id, JSON.stringify(channel)))),
    list: () =>
      g(async () => {
        const rows = Object.values(await client.hgetall(key('sch'))).map((v) => {
          const bar = v.indexOf('|');
          return { seq: Number(v.slice(0, bar)), channel: JSON.parse(v.slice(bar + 1)) as SupportChannel };
        });
        rows.sort((a, b) => b.channel.registeredAt - a.channel.registeredAt || b.seq - a.seq);
        return rows.map((r) => r.channel);
      }),
    remove: (id) => g(async () => void (await client.hdel(key('sch'), id))),
  };
  return { outbox, supportChannels };
}
