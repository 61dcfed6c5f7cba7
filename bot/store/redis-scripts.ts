/**
 * The Redis store's Lua scripts. Each runs atomically inside Redis, which is what makes
 * compare-and-set, the one-step turn commit, single-use pairing codes and outbox leases hold
 * when several replicas share one Redis: a script checks everything first and writes only
 * when all checks pass, so a refused commit leaves nothing behind (Redis does not roll back a
 * script that fails halfway; none of these can fail after their first write).
 *
 * ARGV[1] is always the key prefix. Keys are built inside the scripts, so the store needs one
 * Redis primary (or Sentinel), not Redis Cluster. Times come from the store's injected clock
 * as ARGV, never from Redis' own clock, so tests move time by hand; the Redis key TTLs set here
 * only collect garbage well after the store's own expiry.
 *
 * Layout (P = prefix): `<T>:<id>` hash {v version, d JSON, n creation order, x:<field> indexed
 * value} for sessions (T = s) and escalations (T = e), with `<T>:ix:<field>:<value>` sorted sets
 * by creation order; `d:<key>` dedupe expiry; `p:<code>` pairing hash; `c:<key>:<window>`
 * counters; `au:<session>` audit list of `seq|JSON`; `a:<id>` agent hash {d, sid} and
 * `as:<session>` sets; `dl:`, `dla:`, `dlp:`, `dlr:` Direct Line (redis-directline.ts); `ob:`
 * outbox and `sch` support channels (redis-support.ts).
 */
import type { Redis } from 'ioredis';

const LIB = `
local P = ARGV[1]
local function vcheck(T, id, expected)
  local cur = redis.call('HGET', P .. T .. ':' .. id, 'v')
  if expected == 0 then return not cur end
  return cur and tonumber(cur) == expected
end
local function vwrite(T, id, expected, json, idx)
  local K = P .. T .. ':' .. id
  local n
  if expected == 0 then
    n = redis.call('INCR', P .. T .. ':seq')
    redis.call('HSET', K, 'v', 1, 'd', json, 'n', n)
  else
    n = redis.call('HGET', K, 'n')
    redis.call('HSET', K, 'v', expected + 1, 'd', json)
  end
  for i = 1, #idx, 3 do
    local f, value, member = idx[i], idx[i + 1], idx[i + 2]
    local old = redis.call('HGET', K, 'x:' .. f)
    if old and old ~= value then redis.call('ZREM', P .. T .. ':ix:' .. f .. ':' .. old, id) end
    if old ~= value then redis.call('HSET', K, 'x:' .. f, value) end
    local z = P .. T .. ':ix:' .. f .. ':' .. value
    if member == '1' then redis.call('ZADD', z, n, id) else redis.call('ZREM', z, id) end
  end
end
local function dedupeLive(key, now)
  local v = redis.call('GET', P .. 'd:' .. key)
  return v and tonumber(v) > now
end
local function audit(sid, json)
  local seq = redis.call('INCR', P .. 'au:seq')
  redis.call('RPUSH', P .. 'au:' .. sid, seq .. '|' .. json)
  return seq
end
local function args(from, to)
  local t = {}
  for i = from, to do t[#t + 1] = ARGV[i] end
  return t
end
`;

const SCRIPTS = {
  /** key suffix, fields… → HMGET under the prefix. */
  hmget: `return redis.call('HMGET', P .. ARGV[2], unpack(args(3, #ARGV)))`,
  /** T, id, expected, json, index triples… → 1 written, 0 conflict. */
  vsave: `
local T, id, expected = ARGV[2], ARGV[3], tonumber(ARGV[4])
if not vcheck(T, id, expected) then return 0 end
vwrite(T, id, expected, ARGV[5], args(6, #ARGV))
return 1`,
  /** now, dedupe key ('' none), expiresAt, pttl, session id ('' none), expected, json, conversation key, audit (sid, json)… */
  commit: `
local now, dkey, sid = tonumber(ARGV[2]), ARGV[3], ARGV[6]
local expected = tonumber(ARGV[7])
if dkey ~= '' and dedupeLive(dkey, now) then return 'duplicate' end
if sid ~= '' and not vcheck('s', sid, expected) then return 'conflict' end
if dkey ~= '' then redis.call('SET', P .. 'd:' .. dkey, ARGV[4], 'PX', ARGV[5]) end
if sid ~= '' then vwrite('s', sid, expected, ARGV[8], {'ck', ARGV[9], '1'}) end
for i = 10, #ARGV, 2 do audit(ARGV[i], ARGV[i + 1]) end
return 'ok'`,
  /** key, now, expiresAt, pttl → 1 already live, 0 recorded now. */
  dedupe: `
if dedupeLive(ARGV[2], tonumber(ARGV[3])) then return 1 end
redis.call('SET', P .. 'd:' .. ARGV[2], ARGV[4], 'PX', ARGV[5])
return 0`,
  /** index key suffix → the newest document's JSON in it, or nil. */
  newest: `
local ids = redis.call('ZREVRANGE', P .. ARGV[2], 0, 0)
if #ids == 0 then return false end
return redis.call('HGET', P .. ARGV[3] .. ':' .. ids[1], 'd')`,
  /** index key suffix, T → the JSON of every document in it, oldest first. */
  zdocs: `
local out = {}
for _, id in ipairs(redis.call('ZRANGE', P .. ARGV[2], 0, -1)) do
  out[#out + 1] = redis.call('HGET', P .. ARGV[3] .. ':' .. id, 'd')
end
return out`,
  /** code, session id, expiresAt, data ('' none), pttl → 1 stored, 0 exists. */
  pairingPut: `
local K = P .. 'p:' .. ARGV[2]
if redis.call('EXISTS', K) == 1 then return 0 end
redis.call('HSET', K, 'sid', ARGV[3], 'exp', ARGV[4], 'data', ARGV[5])
redis.call('PEXPIRE', K, ARGV[6])
return 1`,
  /** code, now → {reason} or {'ok', sid, expiresAt, data}. */
  pairingRedeem: `
local K = P .. 'p:' .. ARGV[2]
local h = redis.call('HMGET', K, 'sid', 'exp', 'data', 'red')
if not h[1] then return {'unknown'} end
if h[4] then return {'redeemed'} end
if tonumber(h[2]) <= tonumber(ARGV[3]) then return {'expired'} end
redis.call('HSET', K, 'red', ARGV[3])
return {'ok', h[1], h[2], h[3]}`,
  /** code, now → like pairingRedeem, but marks nothing: the /go page checks a code without using it up. */
  pairingPeek: `
local K = P .. 'p:' .. ARGV[2]
local h = redis.call('HMGET', K, 'sid', 'exp', 'data', 'red')
if not h[1] then return {'unknown'} end
if h[4] then return {'redeemed'} end
if tonumber(h[2]) <= tonumber(ARGV[3]) then return {'expired'} end
return {'ok', h[1], h[2], h[3]}`,
  /** key, window, pttl → the count in the window. */
  hit: `
local K = P .. 'c:' .. ARGV[2] .. ':' .. ARGV[3]
local n = redis.call('INCR', K)
if n == 1 then redis.call('PEXPIRE', K, ARGV[4]) end
return n`,
  /** session id, json → seq. */
  audit: `return audit(ARGV[2], ARGV[3])`,
  /** agent id, session id, json, expected json ('*' any) → 1 written, 0 changed meanwhile. */
  agentPut: `
local K = P .. 'a:' .. ARGV[2]
local h = redis.call('HMGET', K, 'd', 'sid')
if ARGV[5] ~= '*' and h[1] ~= ARGV[5] then return 0 end
if h[2] and h[2] ~= ARGV[3] then redis.call('SREM', P .. 'as:' .. h[2], ARGV[2]) end
redis.call('HSET', K, 'd', ARGV[4], 'sid', ARGV[3])
redis.call('SADD', P .. 'as:' .. ARGV[3], ARGV[2])
return 1`,
  /** agent id → removes it and its session membership. */
  agentRemove: `
local K = P .. 'a:' .. ARGV[2]
local sid = redis.call('HGET', K, 'sid')
if sid then redis.call('SREM', P .. 'as:' .. sid, ARGV[2]) end
return redis.call('DEL', K)`,
  /** session id → agents' JSON, by agent id. */
  agentList: `
local ids = redis.call('SMEMBERS', P .. 'as:' .. ARGV[2])
table.sort(ids)
local out = {}
for _, id in ipairs(ids) do
  local d = redis.call('HGET', P .. 'a:' .. id, 'd')
  if d then out[#out + 1] = d end
end
return out`,
} as const;

export type ScriptName = keyof typeof SCRIPTS;
export type RunScript = (name: ScriptName | string, ...args: (string | number)[]) => Promise<unknown>;

/**
 * Registers the scripts (and `more`, from the store's other modules) on the client and returns
 * the function that runs one with the prefix as ARGV[1].
 */
export function defineScripts(client: Redis, prefix: string, more: Record<string, string> = {}): RunScript {
  for (const [name, body] of Object.entries({ ...SCRIPTS, ...more })) {
    if (!(`rc_${name}` in client)) client.defineCommand(`rc_${name}`, { numberOfKeys: 0, lua: LIB + body });
  }
  const commands = client as unknown as Record<string, (...a: (string | number)[]) => Promise<unknown>>;
  return (name, ...args) => commands[`rc_${name}`](prefix, ...args);
}
