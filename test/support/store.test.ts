/**
 * The Store's outbox and support channel registry (issue 8), one contract for the memory and
 * the SQLite store; SQLite must also keep both across a close and reopen, and hand a message to
 * only one of two handles on the same file.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { createMemoryStore } from '../../bot/store/memory.ts';
import { openSqliteStore } from '../../bot/store/sqlite.ts';
import type { Store } from '../../bot/store/types.ts';
import { redisFactory } from '../store/redis-factory.ts';

function manualClock(start = 1_700_000_000_000) {
  let t = start;
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'reconnect-support-store-'));
  dirs.push(dir);
  return dir;
};

const redis = redisFactory();
after(() => redis.stop());

const factories: Record<string, (now: () => number) => Store | Promise<Store>> = {
  memory: (now) => createMemoryStore({ now }),
  sqlite: (now) => openSqliteStore({ dataDir: tempDir(), now }),
  redis: (now) => redis.make(now),
};

const error = { message: 'HTTP 502', status: 502, ambiguous: true };

for (const [name, make] of Object.entries(factories)) {
  describe(`outbox contract: ${name}`, () => {
    test('a key is added once; the first payload is kept', async () => {
      const clock = manualClock();
      const store = await make(clock.now);
      assert.equal(await store.outbox.add({ key: 'k1', topic: 't', payload: { n: 1 } }), true);
      assert.equal(await store.outbox.add({ key: 'k1', topic: 't', payload: { n: 2 } }), false);
      const m = await store.outbox.get('k1');
      assert.deepEqual(
        { payload: m?.payload, status: m?.status, attempts: m?.attempts, due: m?.nextAttemptAt },
        { payload: { n: 1 }, status: 'pending', attempts: 0, due: clock.now() },
      );
      assert.equal(await store.outbox.get('nope'), undefined);
      await store.close();
    });

    test('claim takes due messages oldest first, leases them, and never hands one out twice', async () => {
      const clock = manualClock();
      const store = await make(clock.now);
      await store.outbox.add({ key: 'a', topic: 't', payload: {} });
      await store.outbox.add({ key: 'later', topic: 't', payload: {}, notBefore: clock.now() + 5000 });
      await store.outbox.add({ key: 'b', topic: 't', payload: {} });
      const [first, second] = await Promise.all([
        store.outbox.claim({ limit: 10, leaseMs: 60_000 }),
        store.outbox.claim({ limit: 10, leaseMs: 60_000 }),
      ]);
      assert.deepEqual(
        [...first, ...second].map((m) => m.key),
        ['a', 'b'],
      );
      const claimed = [...first, ...second][0];
      assert.deepEqual(
        [claimed.attempts, claimed.tries, claimed.leaseUntil, claimed.recovered],
        [1, 1, clock.now() + 60_000, false],
      );
      assert.equal(
        await store.outbox.nextDue(),
        clock.now() + 5000,
        'the leased ones are due when their lease ends, after "later"',
      );
      clock.advance(5000);
      assert.deepEqual(
        (await store.outbox.claim({ limit: 10, leaseMs: 60_000 })).map((m) => m.key),
        ['later'],
      );
      await store.close();
    });

    test('settle: delivered keeps the result, pending reschedules, parked waits for resume, dead stays', async () => {
      const clock = manualClock();
      const store = await make(clock.now);
      for (const key of ['ok', 'retry', 'park', 'dead'])
        await store.outbox.add({ key, topic: 't', payload: {} });
      await store.outbox.claim({ limit: 10, leaseMs: 1000 });
      await store.outbox.settle('ok', { status: 'delivered', result: { id: 'ts-1' } });
      await store.outbox.settle('retry', { status: 'pending', nextAttemptAt: clock.now() + 7000, error });
      await store.outbox.settle('park', { status: 'parked', error });
      await store.outbox.settle('dead', { status: 'dead', error: { message: 'HTTP 404', status: 404 } });
      await assert.rejects(store.outbox.settle('missing', { status: 'delivered' }), /missing does not exist/);
      const ok = await store.outbox.get('ok');
      assert.deepEqual([ok?.status, ok?.result, ok?.leaseUntil], ['delivered', { id: 'ts-1' }, undefined]);
      assert.deepEqual((await store.outbox.get('retry'))?.lastError, error);
      assert.equal(await store.outbox.nextDue(), clock.now() + 7000);
      assert.deepEqual(
        (await store.outbox.list('parked')).map((m) => m.key),
        ['park'],
      );
      assert.equal(await store.outbox.resume(), 1);
      const resumed = await store.outbox.get('park');
      assert.deepEqual([resumed?.status, resumed?.tries, resumed?.attempts], ['pending', 0, 1]);
      assert.equal((await store.outbox.get('dead'))?.status, 'dead');
      assert.deepEqual(
        (await store.outbox.list()).map((m) => m.key),
        ['ok', 'retry', 'park', 'dead'],
      );
      await store.close();
    });

    test('`after` holds a message until its predecessor is delivered or dead; an unknown one holds nothing', async () => {
      const clock = manualClock();
      const store = await make(clock.now);
      await store.outbox.add({ key: 'root', topic: 't', payload: {} });
      await store.outbox.add({ key: 'reply', topic: 't', payload: {}, after: 'root' });
      await store.outbox.add({ key: 'orphan', topic: 't', payload: {}, after: 'never-added' });
      assert.deepEqual(
        (await store.outbox.claim({ limit: 10, leaseMs: 1000 })).map((m) => m.key),
        ['root', 'orphan'],
      );
      await store.outbox.settle('orphan', { status: 'delivered' });
      await store.outbox.settle('root', { status: 'parked', error });
      assert.equal(
        (await store.outbox.claim({ limit: 10, leaseMs: 1000 })).length,
        0,
        'parked still holds it',
      );
      assert.equal(await store.outbox.nextDue(), undefined);
      await store.outbox.resume();
      const [root] = await store.outbox.claim({ limit: 10, leaseMs: 1000 });
      assert.equal(root.key, 'root');
      await store.outbox.settle('root', { status: 'delivered' });
      assert.deepEqual(
        (await store.outbox.claim({ limit: 10, leaseMs: 1000 })).map((m) => m.key),
        ['reply'],
      );
      await store.close();
    });

    test('a lease that ran out is claimed again and marked recovered', async () => {
      const clock = manualClock();
      const store = await make(clock.now);
      await store.outbox.add({ key: 'k', topic: 't', payload: {} });
      await store.outbox.claim({ limit: 1, leaseMs: 1000 });
      clock.advance(999);
      assert.equal((await store.outbox.claim({ limit: 1, leaseMs: 1000 })).length, 0);
      clock.advance(1);
      const [again] = await store.outbox.claim({ limit: 1, leaseMs: 1000 });
      assert.deepEqual([again.key, again.recovered, again.attempts], ['k', true, 2]);
      await store.close();
    });

    test('support channels: put replaces by id, list is newest first, remove deletes', async () => {
      const store = await make(Date.now);
      await store.supportChannels.put({
        id: 'slack:C1',
        platform: 'slack',
        channelId: 'C1',
        registeredAt: 1,
      });
      await store.supportChannels.put({
        id: 'teams:19:a@thread.tacv2',
        platform: 'teams',
        channelId: '19:a@thread.tacv2',
        ref: { serviceUrl: 'https://smba.example/' },
        registeredAt: 2,
      });
      assert.deepEqual(
        (await store.supportChannels.list()).map((c) => c.id),
        ['teams:19:a@thread.tacv2', 'slack:C1'],
      );
      await store.supportChannels.put({
        id: 'slack:C1',
        platform: 'slack',
        channelId: 'C1',
        registeredAt: 3,
        registeredBy: 'U1',
      });
      const list = await store.supportChannels.list();
      assert.deepEqual(
        list.map((c) => [c.id, c.registeredBy]),
        [
          ['slack:C1', 'U1'],
          ['teams:19:a@thread.tacv2', undefined],
        ],
      );
      assert.deepEqual(list[1].ref, { serviceUrl: 'https://smba.example/' });
      await store.supportChannels.remove('slack:C1');
      assert.equal((await store.supportChannels.list()).length, 1);
      await store.close();
    });
  });
}

test('SQLite: the outbox and the support channels survive a reopen; two handles never share a claim', async () => {
  const dir = tempDir();
  const clock = manualClock();
  const first = openSqliteStore({ dataDir: dir, now: clock.now });
  await first.outbox.add({ key: 'k', topic: 't', payload: { text: 'hello' } });
  await first.supportChannels.put({ id: 'slack:C1', platform: 'slack', channelId: 'C1', registeredAt: 1 });
  await first.close();

  const a = openSqliteStore({ dataDir: dir, now: clock.now });
  const b = openSqliteStore({ dataDir: dir, now: clock.now });
  assert.deepEqual((await a.outbox.get('k'))?.payload, { text: 'hello' });
  assert.equal((await b.supportChannels.list())[0].channelId, 'C1');
  const claims = [
    await a.outbox.claim({ limit: 5, leaseMs: 1000 }),
    await b.outbox.claim({ limit: 5, leaseMs: 1000 }),
  ];
  assert.deepEqual(
    claims.map((c) => c.length),
    [1, 0],
  );
  await a.close();
  await b.close();
});
