/**
 * One contract, three stores: every behaviour the bot relies on is asserted against the memory
 * store, the SQLite store and the Redis store (a real redis-server) alike. SQLite additionally
 * must survive a close and reopen; Redis must give one winner across two clients.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { createMemoryStore } from '../../bot/store/memory.ts';
import { connectRedisStore } from '../../bot/store/redis.ts';
import { openSqliteStore } from '../../bot/store/sqlite.ts';
import type { Escalation, Store, VersionedDoc } from '../../bot/store/types.ts';
import { freePort } from '../lab/redis.ts';
import { redisFactory } from './redis-factory.ts';

interface Doc extends VersionedDoc {
  step: string;
}

/** A clock the test moves by hand. */
function manualClock(start = 1_700_000_000_000) {
  let t = start;
  return {
    now: () => t,
    advance: (ms: number): void => {
      t += ms;
    },
  };
}

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const redis = redisFactory();
after(() => redis.stop());

const factories: Record<string, (now: () => number) => Store<Doc> | Promise<Store<Doc>>> = {
  memory: (now) => createMemoryStore<Doc>({ now }),
  redis: (now) => redis.make<Doc>(now),
  sqlite: (now) => {
    const dir = mkdtempSync(join(tmpdir(), 'reconnect-store-'));
    dirs.push(dir);
    return openSqliteStore<Doc>({ dataDir: dir, now });
  },
};

for (const [name, make] of Object.entries(factories)) {
  describe(`Store contract: ${name}`, () => {
    test('create assigns version 1 and refuses a second create of the same id', async () => {
      const store = await make(Date.now);
      const created = await store.sessions.create({
        id: 's1',
        version: 7,
        conversationKey: 'c1',
        step: 'intake',
      });
      assert.deepEqual(created, {
        ok: true,
        doc: { id: 's1', version: 1, conversationKey: 'c1', step: 'intake' },
      });
      const again = await store.sessions.create({
        id: 's1',
        version: 1,
        conversationKey: 'c1',
        step: 'other',
      });
      assert.equal(again.ok, false);
      assert.equal(!again.ok && again.current?.step, 'intake');
      await store.close();
    });

    test('compare-and-set: a stale version conflicts and leaves the stored document alone', async () => {
      const store = await make(Date.now);
      await store.sessions.create({ id: 's1', version: 0, conversationKey: 'c1', step: 'intake' });
      const first = await store.sessions.save(
        { id: 's1', version: 1, conversationKey: 'c1', step: 'dns' },
        1,
      );
      assert.equal(first.ok && first.doc.version, 2);
      // A second writer that also read version 1 loses.
      const second = await store.sessions.save(
        { id: 's1', version: 1, conversationKey: 'c1', step: 'proxy' },
        1,
      );
      assert.equal(second.ok, false);
      assert.deepEqual(!second.ok && second.current, {
        id: 's1',
        version: 2,
        conversationKey: 'c1',
        step: 'dns',
      });
      assert.equal((await store.sessions.get('s1'))?.step, 'dns');
      const missing = await store.sessions.save(
        { id: 'nope', version: 1, conversationKey: 'c1', step: 'x' },
        1,
      );
      assert.deepEqual(missing, { ok: false, reason: 'conflict', current: undefined });
      await store.close();
    });

    test('concurrent saves from the same version: exactly one wins', async () => {
      const store = await make(Date.now);
      await store.sessions.create({ id: 's1', version: 0, conversationKey: 'c1', step: 'intake' });
      const results = await Promise.all(
        ['a', 'b', 'c', 'd'].map((step) =>
          store.sessions.save({ id: 's1', version: 1, conversationKey: 'c1', step }, 1),
        ),
      );
      assert.equal(results.filter((r) => r.ok).length, 1);
      await store.close();
    });

    test('findByConversation returns the newest session of that conversation', async () => {
      const store = await make(Date.now);
      await store.sessions.create({ id: 'old', version: 0, conversationKey: 'c1', step: 'resolved' });
      await store.sessions.create({ id: 'other', version: 0, conversationKey: 'c2', step: 'intake' });
      await store.sessions.create({ id: 'new', version: 0, conversationKey: 'c1', step: 'intake' });
      await store.sessions.save({ id: 'old', version: 1, conversationKey: 'c1', step: 'closed' }, 1);
      assert.equal((await store.sessions.findByConversation('c1'))?.id, 'new');
      assert.equal(await store.sessions.findByConversation('c3'), undefined);
      await store.close();
    });

    test('findByIdSuffix: sessions whose id ends in the letters and digits given, any case', async () => {
      const store = await make(Date.now);
      const ids = [
        '3f2a9c1e-7b4d-4e8a-9c3d-0a1b2c7f3a2c',
        '00000000-0000-4000-8000-0000007f3a2c',
        '11111111-1111-4111-8111-111111abcdef',
      ];
      for (const id of ids)
        await store.sessions.create({ id, version: 0, conversationKey: `c-${id}`, step: 'intake' });
      const found = await store.sessions.findByIdSuffix('7F3A2C');
      assert.deepEqual(found.map((d) => d.id).sort(), [ids[0], ids[1]].sort());
      assert.deepEqual(
        (await store.sessions.findByIdSuffix('abcdef')).map((d) => d.id),
        [ids[2]],
      );
      assert.deepEqual(await store.sessions.findByIdSuffix('999999'), []);
      assert.deepEqual(await store.sessions.findByIdSuffix(''), [], 'an empty suffix matches nothing');
      await store.close();
    });

    test('dedupe: concurrent calls with one key report "new" exactly once; the key expires after its TTL', async () => {
      const clock = manualClock();
      const store = await make(clock.now);
      const results = await Promise.all(Array.from({ length: 8 }, () => store.dedupe.seen('act-1', 1000)));
      assert.deepEqual(
        results.filter((seen) => !seen),
        [false],
      );
      assert.equal(await store.dedupe.seen('act-2', 1000), false);
      clock.advance(999);
      assert.equal(await store.dedupe.seen('act-1', 1000), true);
      clock.advance(1);
      assert.equal(await store.dedupe.seen('act-1', 1000), false);
      assert.equal(await store.dedupe.seen('act-1', 1000), true);
      await store.close();
    });

    test('pairing: a code redeems once, concurrent redeems yield one winner, unknown codes are unknown', async () => {
      const store = await make(Date.now);
      const put = await store.pairing.put({
        code: 'ABCD-EFGH',
        sessionId: 's1',
        ttlMs: 60_000,
        data: { cloud: 'x' },
      });
      await assert.rejects(
        store.pairing.put({ code: 'ABCD-EFGH', sessionId: 's2', ttlMs: 1 }),
        /already exists/,
      );
      const results = await Promise.all([1, 2, 3].map(() => store.pairing.redeem('ABCD-EFGH')));
      const winners = results.filter((r) => r.ok);
      assert.equal(winners.length, 1);
      assert.deepEqual(winners[0], { ok: true, pairing: put });
      assert.deepEqual(await store.pairing.redeem('ABCD-EFGH'), { ok: false, reason: 'redeemed' });
      assert.deepEqual(await store.pairing.redeem('ZZZZ-ZZZZ'), { ok: false, reason: 'unknown' });
      await store.close();
    });

    test('pairing: a code expires at its TTL (injected clock) and an expired code stays unusable', async () => {
      const clock = manualClock();
      const store = await make(clock.now);
      await store.pairing.put({ code: 'EXP1', sessionId: 's1', ttlMs: 10 * 60_000 });
      await store.pairing.put({ code: 'EXP2', sessionId: 's1', ttlMs: 10 * 60_000 });
      clock.advance(10 * 60_000 - 1);
      assert.equal((await store.pairing.redeem('EXP1')).ok, true);
      clock.advance(1);
      assert.deepEqual(await store.pairing.redeem('EXP2'), { ok: false, reason: 'expired' });
      assert.deepEqual(await store.pairing.redeem('EXP2'), { ok: false, reason: 'expired' });
      await store.close();
    });

    test('pairing: peek answers what redeem would, and never uses the code up', async () => {
      const clock = manualClock();
      const store = await make(clock.now);
      const put = await store.pairing.put({ code: 'PEEK1', sessionId: 's1', ttlMs: 60_000, data: { a: 1 } });
      await store.pairing.put({ code: 'PEEK2', sessionId: 's1', ttlMs: 60_000 });
      for (let i = 0; i < 3; i++)
        assert.deepEqual(await store.pairing.peek('PEEK1'), { ok: true, pairing: put });
      assert.deepEqual(await store.pairing.peek('NOPE'), { ok: false, reason: 'unknown' });
      assert.deepEqual(await store.pairing.redeem('PEEK1'), { ok: true, pairing: put });
      assert.deepEqual(await store.pairing.peek('PEEK1'), { ok: false, reason: 'redeemed' });
      clock.advance(60_000);
      assert.deepEqual(await store.pairing.peek('PEEK2'), { ok: false, reason: 'expired' });
      await store.close();
    });

    test('counters count per fixed window', async () => {
      const clock = manualClock(60_000 * 1000);
      const store = await make(clock.now);
      assert.equal(await store.counters.hit('ip:1', 60_000), 1);
      assert.equal(await store.counters.hit('ip:1', 60_000), 2);
      assert.equal(await store.counters.hit('ip:2', 60_000), 1);
      clock.advance(60_000);
      assert.equal(await store.counters.hit('ip:1', 60_000), 1);
      await store.close();
    });

    test('agents: put replaces, listBySession filters, remove deletes', async () => {
      const store = await make(Date.now);
      await store.agents.put({
        agentId: 'a1',
        sessionId: 's1',
        online: true,
        lastSeenAt: 1,
        replicaId: 'r1',
      });
      await store.agents.put({ agentId: 'a2', sessionId: 's2', online: true, lastSeenAt: 1 });
      await store.agents.put({ agentId: 'a1', sessionId: 's1', online: false, lastSeenAt: 2 });
      assert.deepEqual(await store.agents.get('a1'), {
        agentId: 'a1',
        sessionId: 's1',
        online: false,
        lastSeenAt: 2,
      });
      assert.deepEqual(
        (await store.agents.listBySession('s1')).map((a) => a.agentId),
        ['a1'],
      );
      await store.agents.remove('a1');
      assert.equal(await store.agents.get('a1'), undefined);
      await store.close();
    });

    test('agents: update is an atomic read-modify-write; false skips the write', async () => {
      const store = await make(Date.now);
      assert.equal(await store.agents.update('none', () => true), undefined);
      await store.agents.put({ agentId: 'a1', sessionId: 's1', online: true, lastSeenAt: 0, data: { n: 0 } });
      // Twenty concurrent increments: each sees the others' writes, none is lost.
      await Promise.all(
        Array.from({ length: 20 }, () =>
          store.agents.update('a1', (p) => {
            p.data = { n: Number(p.data?.n) + 1 };
          }),
        ),
      );
      assert.deepEqual((await store.agents.get('a1'))?.data, { n: 20 });
      const skipped = await store.agents.update('a1', (p) => {
        p.data = { n: -1 };
        return false;
      });
      assert.deepEqual(skipped?.data, { n: -1 }, 'the caller sees its change');
      assert.deepEqual((await store.agents.get('a1'))?.data, { n: 20 }, 'but nothing was written');
      const moved = await store.agents.update('a1', (p) => {
        p.sessionId = 's2';
      });
      assert.equal(moved?.sessionId, 's2');
      assert.deepEqual((await store.agents.listBySession('s1')).length, 0);
      assert.deepEqual(
        (await store.agents.listBySession('s2')).map((a) => a.agentId),
        ['a1'],
      );
      await store.close();
    });

    test('escalations: versioned, listed by session and while not closed', async () => {
      const store = await make(Date.now);
      const base: Escalation = {
        id: 'e1',
        version: 0,
        conversationKey: 'c1',
        sessionId: 's1',
        status: 'open',
        createdAt: 1,
        updatedAt: 1,
      };
      await store.escalations.create(base);
      await store.escalations.create({ ...base, id: 'e2', sessionId: 's2' });
      const taken = await store.escalations.save({ ...base, version: 1, status: 'taken' }, 1);
      assert.equal(taken.ok, true);
      const lost = await store.escalations.save({ ...base, version: 1, status: 'taken' }, 1);
      assert.equal(lost.ok, false);
      await store.escalations.save({ ...base, id: 'e2', sessionId: 's2', status: 'closed' }, 1);
      assert.deepEqual(
        (await store.escalations.listOpen()).map((e) => [e.id, e.status, e.version]),
        [['e1', 'taken', 2]],
      );
      assert.deepEqual(
        (await store.escalations.listBySession('s2')).map((e) => e.status),
        ['closed'],
      );
      await store.close();
    });

    test('audit: append-only, listed per session in order with store-assigned time', async () => {
      const clock = manualClock();
      const store = await make(clock.now);
      await store.audit.append({ sessionId: 's1', kind: 'transition', actor: 'bot', data: { to: 'dns' } });
      clock.advance(5);
      await store.audit.append({ sessionId: 's2', kind: 'transition' });
      await store.audit.append({ sessionId: 's1', kind: 'card_action', actor: 'u1' });
      const list = await store.audit.list('s1');
      assert.deepEqual(
        list.map((e) => [e.kind, e.actor, e.at]),
        [
          ['transition', 'bot', clock.now() - 5],
          ['card_action', 'u1', clock.now()],
        ],
      );
      assert.ok(list[0].seq < list[1].seq);
      assert.deepEqual(list[0].data, { to: 'dns' });
      await store.close();
    });

    test('Direct Line: watermarks grow, a replace keeps the position and shows up after the old watermark', async () => {
      const store = await make(Date.now);
      await store.directline.createConversation({ id: 'dl1', data: { userId: 'u' } });
      await assert.rejects(store.directline.createConversation({ id: 'dl1' }), /already exists/);
      assert.equal((await store.directline.getConversation('dl1'))?.data?.userId, 'u');
      const w1 = await store.directline.append('dl1', { id: 'dl1|1', text: 'hello' });
      const w2 = await store.directline.append('dl1', { id: 'dl1|2', text: 'card v1' });
      const w3 = await store.directline.append('dl1', { id: 'dl1|3', text: 'after' });
      assert.ok(w1 < w2 && w2 < w3);
      await assert.rejects(store.directline.append('dl1', { id: 'dl1|1' }), /already exists/);
      const w4 = await store.directline.replace('dl1', { id: 'dl1|2', text: 'card v2' });
      assert.ok(w4 !== undefined && w4 > w3);
      assert.equal(await store.directline.replace('dl1', { id: 'dl1|9' }), undefined);
      assert.deepEqual(await store.directline.getActivity('dl1', 'dl1|2'), { id: 'dl1|2', text: 'card v2' });
      assert.equal(await store.directline.getActivity('dl1', 'dl1|9'), undefined);
      assert.equal(await store.directline.getActivity('nope', 'dl1|2'), undefined);

      const all = await store.directline.list('dl1');
      assert.deepEqual(
        all.activities.map((a) => a.text),
        ['hello', 'card v2', 'after'],
      );
      assert.equal(all.watermark, w4);
      const since = await store.directline.list('dl1', w3);
      assert.deepEqual(since, { activities: [{ id: 'dl1|2', text: 'card v2' }], watermark: w4 });
      assert.deepEqual(await store.directline.list('dl1', w4), { activities: [], watermark: w4 });
      await assert.rejects(store.directline.append('nope', { id: 'x' }), /does not exist/);
      await store.close();
    });

    test('a document handed out is a copy: mutating it does not change the store', async () => {
      const store = await make(Date.now);
      await store.sessions.create({ id: 's1', version: 0, conversationKey: 'c1', step: 'intake' });
      const doc = await store.sessions.get('s1');
      assert.ok(doc);
      doc.step = 'tampered';
      assert.equal((await store.sessions.get('s1'))?.step, 'intake');
      await store.checkWritable();
      await store.close();
      await assert.rejects(store.checkWritable());
    });
  });
}

test('SQLite: everything survives close and reopen', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'reconnect-store-'));
  dirs.push(dir);
  const clock = manualClock();
  const first = openSqliteStore<Doc>({ dataDir: dir, now: clock.now });
  await first.sessions.create({ id: 's1', version: 0, conversationKey: 'c1', step: 'intake' });
  await first.sessions.save({ id: 's1', version: 1, conversationKey: 'c1', step: 'dns' }, 1);
  await first.dedupe.seen('act-1', 60_000);
  await first.pairing.put({ code: 'P1', sessionId: 's1', ttlMs: 60_000 });
  await first.audit.append({ sessionId: 's1', kind: 'transition' });
  await first.directline.createConversation({ id: 'dl1' });
  await first.directline.append('dl1', { id: 'dl1|1', text: 'a' });
  await first.close();

  const second = openSqliteStore<Doc>({ dataDir: dir, now: clock.now });
  assert.deepEqual(await second.sessions.get('s1'), {
    id: 's1',
    version: 2,
    conversationKey: 'c1',
    step: 'dns',
  });
  assert.equal(await second.dedupe.seen('act-1', 60_000), true);
  assert.equal((await second.pairing.redeem('P1')).ok, true);
  assert.equal((await second.audit.list('s1')).length, 1);
  const w = await second.directline.append('dl1', { id: 'dl1|2', text: 'b' });
  assert.equal(w, 2, 'the watermark counter continues after a reopen');
  assert.deepEqual(
    (await second.directline.list('dl1')).activities.map((a) => a.text),
    ['a', 'b'],
  );
  await second.close();
});

test('SQLite: two handles on one file still give a single winner for CAS, dedupe and redeem', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'reconnect-store-'));
  dirs.push(dir);
  const a = openSqliteStore<Doc>({ dataDir: dir });
  const b = openSqliteStore<Doc>({ dataDir: dir });
  await a.sessions.create({ id: 's1', version: 0, conversationKey: 'c1', step: 'intake' });
  const saves = [
    await a.sessions.save({ id: 's1', version: 1, conversationKey: 'c1', step: 'a' }, 1),
    await b.sessions.save({ id: 's1', version: 1, conversationKey: 'c1', step: 'b' }, 1),
  ];
  assert.deepEqual(
    saves.map((r) => r.ok),
    [true, false],
  );
  assert.deepEqual([await a.dedupe.seen('k', 60_000), await b.dedupe.seen('k', 60_000)], [false, true]);
  await a.pairing.put({ code: 'P', sessionId: 's1', ttlMs: 60_000 });
  assert.deepEqual([(await b.pairing.redeem('P')).ok, (await a.pairing.redeem('P')).ok], [true, false]);
  await a.close();
  await b.close();
});

test('Redis: two clients on one Redis give a single winner for CAS, dedupe, redeem, agent updates and outbox claims', async () => {
  // Same prefix, two connections: what two replicas see.
  const [x, y] = await redis.pair<Doc>();
  await x.sessions.create({ id: 's1', version: 0, conversationKey: 'c1', step: 'intake' });
  const saves = await Promise.all([
    x.sessions.save({ id: 's1', version: 1, conversationKey: 'c1', step: 'a' }, 1),
    y.sessions.save({ id: 's1', version: 1, conversationKey: 'c1', step: 'b' }, 1),
  ]);
  assert.equal(saves.filter((r) => r.ok).length, 1);
  const seen = await Promise.all([x.dedupe.seen('k', 60_000), y.dedupe.seen('k', 60_000)]);
  assert.deepEqual(seen.sort(), [false, true]);
  await x.pairing.put({ code: 'P', sessionId: 's1', ttlMs: 60_000 });
  const redeemed = await Promise.all([x.pairing.redeem('P'), y.pairing.redeem('P')]);
  assert.equal(redeemed.filter((r) => r.ok).length, 1);
  await x.agents.put({ agentId: 'a', sessionId: 's1', online: true, lastSeenAt: 0, data: { n: 0 } });
  const bump = (s: Store<Doc>) =>
    s.agents.update('a', (p) => {
      p.data = { n: Number(p.data?.n) + 1 };
    });
  await Promise.all(Array.from({ length: 10 }, (_, i) => bump(i % 2 ? x : y)));
  assert.deepEqual((await y.agents.get('a'))?.data, { n: 10 });
  // The outbox: two replicas' workers claiming at once never hold one message both.
  for (let i = 0; i < 12; i++) await x.outbox.add({ key: `m${i}`, topic: 't', payload: { i } });
  const claims = await Promise.all(
    Array.from({ length: 6 }, (_, i) => (i % 2 ? x : y).outbox.claim({ limit: 3, leaseMs: 60_000 })),
  );
  const keys = claims.flat().map((m) => m.key);
  assert.equal(keys.length, 12, 'every message claimed');
  assert.equal(new Set(keys).size, 12, 'none twice');
  for (const s of [x, y]) await s.close();
});

test('Redis: an unreachable REDIS_URL fails the start with the URL and what was tried', async () => {
  const port = await freePort();
  await assert.rejects(
    connectRedisStore({ url: `redis://user:hunter2@127.0.0.1:${port}`, startTimeoutMs: 300 }),
    (error: Error) => {
      assert.equal(error.name, 'StoreUnavailableError');
      assert.match(error.message, new RegExp(`REDIS_URL=redis://user:\\*\\*\\*@127\\.0\\.0\\.1:${port}`));
      assert.match(error.message, /ECONNREFUSED/);
      assert.doesNotMatch(error.message, /hunter2/);
      return true;
    },
  );
});
