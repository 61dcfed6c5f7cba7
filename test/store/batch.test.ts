/**
 * Group commit of turn commits in the SQLite store (bot/store/sqlite-batch.ts): commits made in
 * the same event-loop turn share one transaction, each one still stands or falls on its own, and
 * closing the store commits what is queued.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openSqliteStore } from '../../bot/store/sqlite.ts';
import type { VersionedDoc } from '../../bot/store/types.ts';

interface Doc extends VersionedDoc {
  step: string;
  n?: unknown;
}

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
const dataDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'reconnect-batch-'));
  dirs.push(dir);
  return dir;
};

const DAY = 24 * 60 * 60 * 1000;
const doc = (id: string, step = 'intake'): Doc => ({ id, version: 0, conversationKey: `c-${id}`, step });
/** A first turn's commit: claim the event, create the session, audit the transition. */
const firstTurn = (id: string, d: Doc = doc(id)) => ({
  dedupe: { key: `event:${id}`, ttlMs: DAY },
  session: { doc: d, expectedVersion: 0 },
  audit: [{ sessionId: id, kind: 'transition' }],
});

/** WAL frames written so far (the WAL is a 32-byte header, then 24-byte frame headers and pages). */
const walFrames = (dir: string) => (statSync(join(dir, 'reconnect.db-wal')).size - 32) / (24 + 4096);

test('commits of one event-loop turn share a transaction: far fewer WAL frames than one each', async () => {
  const alone = dataDir();
  const one = openSqliteStore<Doc>({ dataDir: alone });
  const before = walFrames(alone);
  for (let i = 0; i < 20; i++) await one.sessions.commit(firstTurn(`s${i}`));
  const separate = walFrames(alone) - before;
  await one.close();

  const together = dataDir();
  const batched = openSqliteStore<Doc>({ dataDir: together });
  const start = walFrames(together);
  const results = await Promise.all(
    Array.from({ length: 20 }, (_, i) => batched.sessions.create(doc(`s${i}`))),
  );
  assert.ok(results.every((r) => r.ok));
  const shared = walFrames(together) - start;
  assert.ok(shared * 2 < separate, `20 commits took ${shared} frames together, ${separate} one by one`);
  assert.equal((await batched.sessions.get('s19'))?.step, 'intake');
  await batched.close();
});

test('in one batch, a refused commit and a failing commit roll back alone; the others stand', async () => {
  const store = openSqliteStore<Doc>({ dataDir: dataDir() });
  assert.equal(await store.dedupe.seen('event:dup', DAY), false);
  const [first, duplicate, broken, second] = await Promise.allSettled([
    store.sessions.commit(firstTurn('a')),
    store.sessions.commit(firstTurn('dup')),
    // A BigInt cannot be serialised: this commit throws inside the batch, after claiming its key.
    store.sessions.commit(firstTurn('broken', { ...doc('broken'), n: 1n })),
    store.sessions.commit(firstTurn('b')),
  ]);
  assert.equal(first.status === 'fulfilled' && first.value.ok, true);
  assert.deepEqual(duplicate.status === 'fulfilled' && duplicate.value, { ok: false, reason: 'duplicate' });
  assert.ok(broken.status === 'rejected' && broken.reason instanceof TypeError);
  assert.equal(second.status === 'fulfilled' && second.value.ok, true);
  assert.equal((await store.sessions.get('a'))?.version, 1);
  assert.equal((await store.sessions.get('b'))?.version, 1);
  assert.equal(await store.sessions.get('dup'), undefined);
  assert.equal(await store.sessions.get('broken'), undefined);
  assert.deepEqual(
    (await store.audit.list('a')).map((e) => e.kind),
    ['transition'],
  );
  assert.deepEqual(await store.audit.list('dup'), []);
  assert.equal(await store.dedupe.seen('event:broken', DAY), false, 'the failed commit claimed nothing');
  await store.close();
});

test('close commits what is queued; a write after close fails instead of hanging', async () => {
  const dir = dataDir();
  const store = openSqliteStore<Doc>({ dataDir: dir });
  const queued = store.sessions.commit(firstTurn('late'));
  await store.close();
  assert.equal((await queued).ok, true);
  await assert.rejects(store.sessions.commit(firstTurn('after')), /not open/);
  const reopened = openSqliteStore<Doc>({ dataDir: dir });
  assert.equal((await reopened.sessions.get('late'))?.step, 'intake');
  await reopened.close();
});
