/**
 * The pairing limiter's token buckets in Redis, so every replica draws from the same buckets:
 * the bound the guess-chance test computes (bot/agents/pairing.ts) holds for the whole
 * deployment, not per replica. Same arithmetic as bot/agents/rate-limit.ts, in one Lua script
 * per take or refund; the clock is the caller's. A bucket key expires once it would have
 * refilled anyway, so abandoned sources cost nothing.
 */
import type { Redis } from 'ioredis';
import type { Limiter, LimiterSpec } from '../agents/rate-limit.ts';
import { guarded } from '../store/redis-client.ts';

const SCRIPT = `
local now, take = tonumber(ARGV[3]), ARGV[4] == 'take'
local function bucket(K, cap, rate, ttl)
  local h = redis.call('HMGET', K, 't', 'at')
  local t = tonumber(h[1]) or cap
  local at = tonumber(h[2]) or now
  return {K = K, cap = cap, ttl = ttl, t = math.min(cap, t + math.max(0, now - at) / 1000 * rate)}
end
local function put(b)
  redis.call('HSET', b.K, 't', b.t, 'at', now)
  redis.call('PEXPIRE', b.K, b.ttl)
end
local s = bucket(ARGV[1] .. 'rl:s:' .. ARGV[2], tonumber(ARGV[5]), tonumber(ARGV[6]), ARGV[9])
local o = bucket(ARGV[1] .. 'rl:all', tonumber(ARGV[7]), tonumber(ARGV[8]), ARGV[10])
local ok = 1
if take then
  if s.t < 1 or o.t < 1 then ok = 0 else s.t = s.t - 1; o.t = o.t - 1 end
else
  s.t = math.min(s.cap, s.t + 1); o.t = math.min(o.cap, o.t + 1)
end
put(s); put(o)
return ok`;

/** Milliseconds an empty bucket takes to refill (then its key may go). */
const refillMs = (b: { capacity: number; refillPerSec: number }) =>
  b.refillPerSec > 0 ? Math.ceil((b.capacity / b.refillPerSec) * 1000) + 1000 : 24 * 60 * 60 * 1000;

export function createRedisLimiter(options: {
  client: Redis;
  prefix: string;
  spec: LimiterSpec;
  now?: () => number;
}): Limiter {
  const { client, prefix, spec } = options;
  const now = options.now ?? Date.now;
  if (!('rc_limiter' in client)) client.defineCommand('rc_limiter', { numberOfKeys: 0, lua: SCRIPT });
  const run = (client as unknown as Record<string, (...a: (string | number)[]) => Promise<number>>)
    .rc_limiter;
  const call = (source: string, mode: 'take' | 'refund') =>
    guarded(client, () =>
      run.call(
        client,
        prefix,
        source,
        now(),
        mode,
        spec.perSource.capacity,
        spec.perSource.refillPerSec,
        spec.overall.capacity,
        spec.overall.refillPerSec,
        refillMs(spec.perSource),
        refillMs(spec.overall),
      ),
    );
  return {
    take: async (source) => (await call(source, 'take')) === 1,
    refund: async (source) => void (await call(source, 'refund')),
  };
}
