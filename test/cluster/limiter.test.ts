/**
 * The pairing limiter shared by replicas (bot/cluster/redis-limiter.ts) against a real
 * redis-server: two replicas' limiters, each on its own connection, draw from the same buckets,
 * so together they let through exactly what one in-process limiter would (the bound the
 * guess-chance test multiplies out), and a refund after a good redeem gives the token back to
 * both. The clock is injected.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createPairing } from '../../bot/agents/pairing.ts';
import { createLimiter, maxAttempts } from '../../bot/agents/rate-limit.ts';
import { createRedisLimiter } from '../../bot/cluster/redis-limiter.ts';
import { createMemoryStore } from '../../bot/store/memory.ts';
import { connectRedis } from '../../bot/store/redis-client.ts';
import { type RedisServer, startRedis } from '../lab/redis.ts';

let redis: RedisServer | undefined;
const clients: { quit(): Promise<unknown> }[] = [];
after(async () => {
  for (const c of clients) await c.quit();
  await redis?.stop();
});

function clock(start = 1_700_000_000_000) {
  let t = start;
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

async function replicas(spec: Parameters<typeof createLimiter>[0], now: () => number, prefix: string) {
  redis ??= await startRedis();
  const make = async (name: string) => {
    const client = await connectRedis({ url: redis!.url, name });
    clients.push(client);
    return createRedisLimiter({ client, prefix, spec, now });
  };
  return [await make('replica-a'), await make('replica-b')];
}

test('two replicas together let through exactly the computed maximum over a window', async () => {
  const c = clock();
  const spec = {
    perSource: { capacity: 1000, refillPerSec: 1000 },
    overall: { capacity: 7, refillPerSec: 0.5 },
  };
  const [a, b] = await replicas(spec, c.now, 'window:');
  const alone = createLimiter(spec, c.now);
  let allowed = 0;
  let allowedAlone = 0;
  for (let second = 0; second < 60; second++) {
    for (let i = 0; i < 10; i++) {
      if (await (i % 2 ? a : b).take(`ip${i}`)) allowed++;
      if (alone.take(`ip${i}`)) allowedAlone++;
    }
    c.advance(1000);
  }
  assert.equal(allowed, maxAttempts(spec.overall, 59_000));
  assert.equal(allowed, allowedAlone, 'two replicas, one budget: as one limiter');
});

test('one source is limited across replicas; a refund on either gives the token back', async () => {
  const c = clock();
  const spec = {
    perSource: { capacity: 5, refillPerSec: 1 / 60 },
    overall: { capacity: 30, refillPerSec: 2 },
  };
  const [a, b] = await replicas(spec, c.now, 'source:');
  const taken = [];
  for (let i = 0; i < 8; i++) taken.push(await (i % 2 ? a : b).take('10.1.1.1'));
  assert.deepEqual(taken, [true, true, true, true, true, false, false, false]);
  assert.equal(await a.take('10.2.2.2'), true, 'another source has its own bucket');
  await b.refund('10.1.1.1');
  assert.equal(await a.take('10.1.1.1'), true);
  assert.equal(await b.take('10.1.1.1'), false);
  c.advance(60_000);
  assert.equal(await b.take('10.1.1.1'), true, 'a minute refills one token');
});

test('pairing through the shared limiter: wrong codes sent to two replicas share one budget', async () => {
  const c = clock();
  const [a, b] = await replicas(
    { perSource: { capacity: 3, refillPerSec: 0 }, overall: { capacity: 100, refillPerSec: 0 } },
    c.now,
    'pairing:',
  );
  const store = createMemoryStore({ now: c.now });
  const onA = createPairing({ store, now: c.now, limiter: a });
  const onB = createPairing({ store, now: c.now, limiter: b });
  const reasons = [];
  for (let i = 0; i < 4; i++)
    reasons.push((await (i % 2 ? onA : onB).redeem('ZZZZZ-ZZZZZ', '10.9.9.9')) as { reason?: string });
  assert.deepEqual(
    reasons.map((r) => r.reason),
    ['invalid_code', 'invalid_code', 'invalid_code', 'rate_limited'],
  );
});
