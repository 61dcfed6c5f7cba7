/**
 * The dashboard's history area, one contract over the three stores (memory, SQLite, a real
 * redis-server): counts add up per hour and name, durations keep their order and the newest
 * MAX_DURATIONS_PER_HOUR of an hour, a read returns only the hours asked for, and hours past the
 * retention leave (pruned by a newer hour's write, or expiring in Redis). SQLite keeps it all
 * across a close and reopen; two Redis clients on one prefix (two replicas) add into one tally.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { BUCKET_MS, MAX_DURATIONS_PER_HOUR, RETAIN_MS } from '../../bot/dashboard/history-types.ts';
import { createMemoryStore } from '../../bot/store/memory.ts';
import { openRedisStore } from '../../bot/store/redis.ts';
import { connectRedis } from '../../bot/store/redis-client.ts';
import { openSqliteStore } from '../../bot/store/sqlite.ts';
import type { Store } from '../../bot/store/types.ts';
import { startRedis } from '../lab/redis.ts';
import { redisFactory } from './redis-factory.ts';

const H0 = Date.parse('2026-12-01T09:00:00.000Z');
const hour = (n: number) => H0 + n * BUCKET_MS;

const dir = mkdtempSync(join(tmpdir(), 'reconnect-history-'));
const redis = redisFactory();
after(async () => {
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
});
let n = 0;
const factories: Record<string, () => Store | Promise<Store>> = {
  memory: () => createMemoryStore(),
  sqlite: () => openSqliteStore({ dataDir: join(dir, `db-${++n}`) }),
  redis: () => redis.make(),
};

for (const [name, make] of Object.entries(factories)) {
  describe(`History contract: ${name}`, () => {
    test('counts add up per hour and name; a read returns the hours asked for, oldest first', async () => {
      const store = await make();
      const { history } = store;
      await Promise.all([
        history.count(hour(0), 'f:proxy.auth_required'),
        history.count(hour(0), 'f:proxy.auth_required'),
        history.count(hour(0), 'v:sign-in-to-proxy'),
        history.count(hour(2), 'f:proxy.auth_required'),
        history.count(hour(3), 'f:dns:odd id'),
      ]);
      await history.duration(hour(2), 90_000);
      await history.duration(hour(2), 30_000);
      assert.deepEqual(await history.read(hour(0), hour(2)), [
        { hour: hour(0), counts: { 'f:proxy.auth_required': 2, 'v:sign-in-to-proxy': 1 }, durations: [] },
        { hour: hour(2), counts: { 'f:proxy.auth_required': 1 }, durations: [90_000, 30_000] },
      ]);
      assert.deepEqual(await history.read(hour(3), hour(3)), [
        { hour: hour(3), counts: { 'f:dns:odd id': 1 }, durations: [] },
      ]);
      assert.deepEqual(await history.read(hour(4), hour(10)), []);
      await store.close();
    });

    test('an hour keeps its newest durations only', async () => {
      const store = await make();
      for (let i = 0; i < MAX_DURATIONS_PER_HOUR + 5; i++) await store.history.duration(hour(0), i);
      const [tally] = await store.history.read(hour(0), hour(0));
      assert.equal(tally?.durations.length, MAX_DURATIONS_PER_HOUR);
      assert.deepEqual([tally?.durations[0], tally?.durations.at(-1)], [5, MAX_DURATIONS_PER_HOUR + 4]);
      await store.close();
    });

    if (name === 'sqlite')
      test('a close and reopen keeps every hour', async () => {
        const dataDir = join(dir, `reopen-${++n}`);
        const first = openSqliteStore({ dataDir });
        await first.history.count(hour(0), 'f:tls.inspection');
        await first.history.duration(hour(0), 1234);
        await first.close();
        const second = openSqliteStore({ dataDir });
        assert.deepEqual(await second.history.read(hour(0), hour(0)), [
          { hour: hour(0), counts: { 'f:tls.inspection': 1 }, durations: [1234] },
        ]);
        await second.close();
      });

    if (name !== 'redis')
      test('a write in a newer hour prunes the hours past the retention', async () => {
        const store = await make();
        const { history } = store;
        await history.count(hour(0), 'f:a');
        await history.duration(hour(0), 1);
        await history.count(hour(1), 'f:a');
        const late = hour(1) + RETAIN_MS;
        await history.count(late, 'f:b');
        assert.deepEqual(
          (await history.read(hour(0), late)).map((t) => t.hour),
          [hour(1), late],
          'hour 0 is older than the retention from the newest hour; hour 1 is exactly at it',
        );
        await store.close();
      });
  });
}

describe('History on Redis', () => {
  test('two replicas on one Redis add into one tally; every hour key expires after the retention', async () => {
    const server = await startRedis();
    try {
      const prefix = 'hist-pair:';
      const open = async (name: string) =>
        openRedisStore({ client: await connectRedis({ url: server.url, name }), prefix });
      const [a, b] = [await open('replica-a'), await open('replica-b')];
      await Promise.all([
        a.history.count(hour(0), 'x:restart-wifi'),
        b.history.count(hour(0), 'x:restart-wifi'),
        b.history.count(hour(0), 'x:restart-wifi'),
      ]);
      await a.history.duration(hour(0), 42);
      assert.deepEqual(await b.history.read(hour(0), hour(0)), [
        { hour: hour(0), counts: { 'x:restart-wifi': 3 }, durations: [42] },
      ]);
      const raw = await connectRedis({ url: server.url, name: 'inspect' });
      for (const key of [`${prefix}hist:c:${hour(0)}`, `${prefix}hist:d:${hour(0)}`]) {
        const ttl = await raw.pttl(key);
        assert.ok(
          ttl > RETAIN_MS - 60_000 && ttl <= RETAIN_MS,
          `${key} expires after the retention (${ttl} ms)`,
        );
      }
      raw.disconnect();
      await a.close();
      await b.close();
    } finally {
      await server.stop();
    }
  });
});
