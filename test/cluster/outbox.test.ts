/**
 * The support outbox across replicas, on a real redis-server and fake timers: replica A adds a
 * message and stops before sending it, or dies holding its lease; replica B's outbox worker,
 * idle until then, finds both within its poll interval and delivers each once (the one whose
 * lease ran out marked as possibly sent). Without the poll, B would never look.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { silentLogger } from '../../bot/log.ts';
import { openRedisStore } from '../../bot/store/redis.ts';
import { connectRedis } from '../../bot/store/redis-client.ts';
import type { Store } from '../../bot/store/types.ts';
import { createOutbox, mayHaveArrived } from '../../bot/support/outbox.ts';
import { fakeTimers } from '../agents/fakes.ts';
import { type RedisServer, startRedis } from '../lab/redis.ts';

let redis: RedisServer | undefined;
const stores: Store[] = [];
after(async () => {
  for (const s of stores) await s.close();
  await redis?.stop();
});

async function twoReplicas(prefix: string, now: () => number, pollMs?: number) {
  redis ??= await startRedis();
  const open = async (name: string, poll?: number) => {
    const store = openRedisStore({
      client: await connectRedis({ url: redis!.url, name }),
      prefix,
      now,
      pollMs: poll,
    });
    stores.push(store);
    return store;
  };
  return { a: await open('replica-a'), b: await open('replica-b', pollMs) };
}

function workerOn(store: Store, timers: ReturnType<typeof fakeTimers>) {
  const delivered: { key: string; mayHaveArrived: boolean }[] = [];
  const outbox = createOutbox({
    store: store.outbox,
    deliverers: {
      post: async (m) => {
        delivered.push({ key: m.key, mayHaveArrived: mayHaveArrived(m) });
        return { id: `posted-${m.key}` };
      },
    },
    timers,
    log: silentLogger,
    random: () => 0.5,
    leaseMs: 60_000,
  });
  return { outbox, delivered };
}

test("B's worker delivers what A added and never sent, and what A held when it died", async () => {
  const timers = fakeTimers();
  const { a, b } = await twoReplicas('poll:', timers.now, 15_000);
  const onB = workerOn(b, timers);
  await onB.outbox.start();
  await onB.outbox.idle();

  // A claims one message and dies holding it; A stores another and stops before sending it.
  await a.outbox.add({ key: 'held-then-died', topic: 'post', payload: {} });
  const held = await a.outbox.claim({ limit: 1, leaseMs: 60_000 });
  assert.deepEqual(
    held.map((m) => m.key),
    ['held-then-died'],
  );
  await a.outbox.add({ key: 'added-then-stopped', topic: 'post', payload: {} });

  /** Fake time in poll-sized steps, each one's delivery finished before the next. */
  const poll = async (times: number) => {
    for (let i = 0; i < times; i++) {
      await timers.advance(15_000);
      await onB.outbox.idle();
    }
  };
  await poll(1);
  assert.deepEqual(
    onB.delivered,
    [{ key: 'added-then-stopped', mayHaveArrived: false }],
    'at the first poll',
  );
  await poll(3);
  assert.deepEqual(
    onB.delivered.at(-1),
    { key: 'held-then-died', mayHaveArrived: true },
    'once its lease ran out',
  );
  assert.equal(onB.delivered.length, 2, 'each once');
  assert.deepEqual((await a.outbox.list('delivered')).map((m) => m.key).sort(), [
    'added-then-stopped',
    'held-then-died',
  ]);
  await onB.outbox.stop();
});

test('without the poll, an idle worker does not look at what another replica added', async () => {
  const timers = fakeTimers();
  const { a, b } = await twoReplicas('nopoll:', timers.now);
  const onB = workerOn(b, timers);
  await onB.outbox.start();
  await onB.outbox.idle();
  await a.outbox.add({ key: 'm', topic: 'post', payload: {} });
  for (let i = 0; i < 20; i++) {
    await timers.advance(30_000);
    await onB.outbox.idle();
  }
  assert.deepEqual(onB.delivered, []);
  await onB.outbox.stop();
});
