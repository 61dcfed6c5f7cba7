/**
 * SessionStore.commit, a turn's writes as one atomic step, against every store (memory, SQLite, Redis): the dedupe key,
 * the session and the audit entries land together or not at all. Plus the save that keeps its
 * conversation (SQLite leaves the indexed column alone then) and the one that moves it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { createMemoryStore } from '../../bot/store/memory.ts';
import { openSqliteStore } from '../../bot/store/sqlite.ts';
import type { Store, VersionedDoc } from '../../bot/store/types.ts';
import { redisFactory } from './redis-factory.ts';

interface Doc extends VersionedDoc {
  step: string;
}

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const sqliteDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'reconnect-commit-'));
  dirs.push(dir);
  return dir;
};

const redis = redisFactory();
after(() => redis.stop());

const factories: Record<string, () => Store<Doc> | Promise<Store<Doc>>> = {
  memory: () => createMemoryStore<Doc>(),
  sqlite: () => openSqliteStore<Doc>({ dataDir: sqliteDir() }),
  redis: () => redis.make<Doc>(),
};

const DAY = 24 * 60 * 60 * 1000;
const doc = (step: string, id = 's1'): Doc => ({ id, version: 0, conversationKey: 'c1', step });
const entry = (kind: string) => ({ sessionId: 's1', kind, actor: 'u1', data: { n: 1 } });

for (const [name, make] of Object.entries(factories)) {
  describe(`SessionStore.commit: ${name}`, () => {
    test('creates the session, claims the key and appends the audit entries in one step', async () => {
      const store = await make();
      const result = await store.sessions.commit({
        dedupe: { key: 'event:1', ttlMs: DAY },
        session: { doc: doc('intake'), expectedVersion: 0 },
        audit: [entry('transition'), entry('other')],
      });
      assert.deepEqual(result, {
        ok: true,
        doc: { id: 's1', version: 1, conversationKey: 'c1', step: 'intake' },
      });
      assert.equal((await store.sessions.findByConversation('c1'))?.step, 'intake');
      assert.deepEqual(
        (await store.audit.list('s1')).map((e) => [e.kind, e.actor, e.data]),
        [
          ['transition', 'u1', { n: 1 }],
          ['other', 'u1', { n: 1 }],
        ],
      );
      assert.equal(await store.dedupe.seen('event:1', DAY), true, 'the key is claimed');
      await store.close();
    });

    test('a live key refuses the whole commit: no session, no audit', async () => {
      const store = await make();
      assert.equal(await store.dedupe.seen('event:1', DAY), false);
      const result = await store.sessions.commit({
        dedupe: { key: 'event:1', ttlMs: DAY },
        session: { doc: doc('intake'), expectedVersion: 0 },
        audit: [entry('transition')],
      });
      assert.deepEqual(result, { ok: false, reason: 'duplicate' });
      assert.equal(await store.sessions.get('s1'), undefined);
      assert.deepEqual(await store.audit.list('s1'), []);
      await store.close();
    });

    test('a version conflict writes nothing and leaves the key for the retry', async () => {
      const store = await make();
      await store.sessions.create(doc('intake'));
      await store.sessions.save({ ...doc('dns'), version: 1 }, 1);
      const stale = await store.sessions.commit({
        dedupe: { key: 'event:2', ttlMs: DAY },
        session: { doc: { ...doc('proxy'), version: 2 }, expectedVersion: 1 },
        audit: [entry('transition')],
      });
      assert.equal(stale.ok, false);
      assert.equal(!stale.ok && stale.reason, 'conflict');
      assert.deepEqual(!stale.ok && stale.reason === 'conflict' && stale.current, {
        id: 's1',
        version: 2,
        conversationKey: 'c1',
        step: 'dns',
      });
      assert.deepEqual(await store.audit.list('s1'), []);
      // The retry on the fresh version claims the same key.
      const retry = await store.sessions.commit({
        dedupe: { key: 'event:2', ttlMs: DAY },
        session: { doc: { ...doc('proxy'), version: 3 }, expectedVersion: 2 },
      });
      assert.equal(retry.ok && retry.doc?.version, 3);
      assert.equal((await store.sessions.get('s1'))?.step, 'proxy');
      await store.close();
    });

    test('creating an id that exists conflicts; a key alone is claimed once', async () => {
      const store = await make();
      await store.sessions.create(doc('intake'));
      const again = await store.sessions.commit({ session: { doc: doc('other'), expectedVersion: 0 } });
      assert.equal(!again.ok && again.reason === 'conflict' && again.current?.step, 'intake');
      assert.deepEqual(await store.sessions.commit({ dedupe: { key: 'k', ttlMs: DAY } }), { ok: true });
      assert.deepEqual(await store.sessions.commit({ dedupe: { key: 'k', ttlMs: DAY } }), {
        ok: false,
        reason: 'duplicate',
      });
      await store.close();
    });

    test('concurrent commits of one key and one version: exactly one wins', async () => {
      const store = await make();
      const results = await Promise.all(
        ['a', 'b', 'c', 'd'].map((step, i) =>
          store.sessions.commit({
            dedupe: { key: 'event:same', ttlMs: DAY },
            session: { doc: doc(step, `s${i}`), expectedVersion: 0 },
            audit: [entry('transition')],
          }),
        ),
      );
      assert.equal(results.filter((r) => r.ok).length, 1);
      assert.equal(results.filter((r) => !r.ok && r.reason === 'duplicate').length, 3);
      assert.equal((await store.audit.list('s1')).length, 1);
      await store.close();
    });

    test('a save keeps or moves the conversation as the document says', async () => {
      const store = await make();
      await store.sessions.create(doc('intake'));
      const kept = await store.sessions.save({ ...doc('dns'), version: 1 }, 1);
      assert.equal(kept.ok && kept.doc.version, 2);
      assert.equal((await store.sessions.findByConversation('c1'))?.step, 'dns');
      const moved = await store.sessions.save({ ...doc('dns'), conversationKey: 'c2', version: 2 }, 2);
      assert.equal(moved.ok && moved.doc.version, 3);
      assert.equal(await store.sessions.findByConversation('c1'), undefined);
      assert.equal((await store.sessions.findByConversation('c2'))?.version, 3);
      const stale = await store.sessions.save({ ...doc('x'), conversationKey: 'c3', version: 2 }, 2);
      assert.equal(stale.ok, false, 'a stale version conflicts whether or not the key moves');
      assert.equal((await store.sessions.get('s1'))?.conversationKey, 'c2');
      await store.close();
    });
  });
}

test('SQLite: commits through two handles on one file give one winner for a key', async () => {
  const dir = sqliteDir();
  const a = openSqliteStore<Doc>({ dataDir: dir });
  const b = openSqliteStore<Doc>({ dataDir: dir });
  const write = (store: Store<Doc>, id: string) =>
    store.sessions.commit({
      dedupe: { key: 'event:x', ttlMs: DAY },
      session: { doc: doc('intake', id), expectedVersion: 0 },
    });
  const [first, second] = [await write(a, 'sa'), await write(b, 'sb')];
  assert.equal(first.ok, true);
  assert.deepEqual(second, { ok: false, reason: 'duplicate' });
  assert.equal(await a.sessions.get('sb'), undefined);
  await a.close();
  await b.close();
});
