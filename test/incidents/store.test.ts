/**
 * The correlation rule over every Store that keeps incidents (memory, SQLite, a real Redis):
 * below the threshold a group is a candidate, at it the group opens, later cases join it, a
 * repeated report counts once, a candidate's cases leave the window, a resolved incident makes
 * the next case start afresh. And two store instances sharing one database (two replicas on one
 * Redis, two processes on one SQLite file) correlating twenty cases at once end with ONE group
 * that counts all twenty and opened once.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Correlation, correlate } from '../../bot/incidents/correlate.ts';
import type { Fingerprint } from '../../bot/incidents/fingerprint.ts';
import type { IncidentSettings, IncidentStore } from '../../bot/incidents/types.ts';
import { createMemoryStore } from '../../bot/store/memory.ts';
import { connectRedisStore } from '../../bot/store/redis.ts';
import { openSqliteStore } from '../../bot/store/sqlite.ts';
import type { Store } from '../../bot/store/types.ts';
import { type RedisServer, startRedis } from '../lab/redis.ts';

const SETTINGS: IncidentSettings = { threshold: 3, windowMs: 30 * 60_000 };
const T0 = Date.parse('2026-12-01T09:00:00.000Z');
const fp = (key = 'k-proxy-407'): Fingerprint => ({
  key,
  cause: 'proxy.auth_required',
  headline: 'The proxy asks for a sign-in (HTTP 407)',
  facts: { proxy: 'proxy.corp.example:3128' },
  cloud: 'commercial',
  egress: '203.0.113.0/24',
  evidence: ['https:login.microsoftonline.com:443'],
});
let ids = 0;
const newId = () => `inc-${++ids}`;
const join_ = (store: IncidentStore, sessionId: string, at: number, key?: string): Promise<Correlation> =>
  correlate(store, { sessionId, label: sessionId, at, fingerprint: fp(key) }, SETTINGS, newId);

const dir = mkdtempSync(join(tmpdir(), 'reconnect-incident-store-'));
let redis: RedisServer;
const opened: Store[] = [];
before(async () => {
  redis = await startRedis();
});
after(async () => {
  for (const s of opened) await s.close();
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
});

let n = 0;
/** Two handles on one shared backing store (the memory store has only one). */
const backends: Record<string, () => Promise<[Store, Store]>> = {
  memory: async () => {
    const s = createMemoryStore();
    return [s, s];
  },
  sqlite: async () => {
    const d = join(dir, `db-${++n}`);
    const a = openSqliteStore({ dataDir: d });
    const b = openSqliteStore({ dataDir: d });
    opened.push(a, b);
    return [a, b];
  },
  redis: async () => {
    const prefix = `t${++n}:`;
    const a = await connectRedisStore({ url: redis.url, prefix });
    const b = await connectRedisStore({ url: redis.url, prefix });
    opened.push(a, b);
    return [a, b];
  },
};

for (const [name, make] of Object.entries(backends)) {
  describe(`incidents in the ${name} store`, () => {
    test('candidate below the threshold, opened at it, joined after; a repeat counts once', async () => {
      const [store] = await make();
      const s = store.incidents;
      assert.equal((await join_(s, 'a', T0)).kind, 'candidate');
      assert.equal((await join_(s, 'b', T0 + 60_000)).kind, 'candidate');
      assert.equal((await join_(s, 'a', T0 + 90_000)).kind, 'already', 'the same case again');
      assert.equal(
        (await join_(s, 'other', T0 + 90_000, 'k-other')).kind,
        'candidate',
        'another fingerprint',
      );
      const third = await join_(s, 'c', T0 + 120_000);
      assert.equal(third.kind, 'opened');
      assert.equal(third.doc.members, 3);
      assert.equal(third.doc.openedAt, T0 + 120_000);
      assert.deepEqual(
        third.doc.candidates.map((c) => c.sessionId),
        ['a', 'b', 'c'],
      );
      const fourth = await join_(s, 'd', T0 + 3 * 60 * 60_000);
      assert.equal(fourth.kind, 'joined', 'an open incident takes late cases too');
      assert.equal(fourth.doc.id, third.doc.id);
      assert.equal(fourth.doc.members, 4);
      assert.equal((await join_(s, 'd', T0 + 3 * 60 * 60_000 + 1)).kind, 'already');
      assert.deepEqual(
        (await s.members(third.doc.id)).map((m) => m.sessionId),
        ['a', 'b', 'c', 'd'],
      );
      const listed = await s.list();
      assert.deepEqual(
        listed.map((d) => d.id),
        [third.doc.id],
        'candidates are not listed as incidents',
      );
    });

    test('cases outside the window drop out of a candidate', async () => {
      const [store] = await make();
      const s = store.incidents;
      await join_(s, 'early', T0);
      const late = await join_(s, 'late-1', T0 + SETTINGS.windowMs + 1);
      assert.equal(late.kind, 'candidate');
      assert.deepEqual(
        late.doc.candidates.map((c) => c.sessionId),
        ['late-1'],
      );
      assert.equal(await s.member('early'), undefined, 'its member record went with it');
      assert.equal((await join_(s, 'late-2', T0 + SETTINGS.windowMs + 2)).kind, 'candidate');
      assert.equal((await join_(s, 'late-3', T0 + SETTINGS.windowMs + 3)).kind, 'opened');
    });

    test('after a resolve, the next matching case starts a new group', async () => {
      const [store] = await make();
      const s = store.incidents;
      for (const id of ['a', 'b']) await join_(s, id, T0);
      const open = await join_(s, 'c', T0);
      assert.ok(await s.save({ ...open.doc, state: 'resolved', resolvedAt: T0 + 1 }, open.doc.version));
      assert.equal(await s.current(open.doc.key), undefined);
      const next = await join_(s, 'e', T0 + 2);
      assert.equal(next.kind, 'candidate');
      assert.notEqual(next.doc.id, open.doc.id);
      assert.equal((await s.get(open.doc.id))?.state, 'resolved');
    });

    test('a stale save is refused', async () => {
      const [store] = await make();
      const s = store.incidents;
      const first = await join_(s, 'a', T0);
      assert.equal(await s.save({ ...first.doc, headline: 'stale' }, first.doc.version - 1), false);
      assert.equal((await s.get(first.doc.id))?.headline, fp().headline);
    });

    test('two handles on one database, twenty cases at once: one group, all counted, opened once', async () => {
      const [a, b] = await make();
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => join_((i % 2 ? a : b).incidents, `case-${i}`, T0 + i)),
      );
      assert.equal(results.filter((r) => r.kind === 'opened').length, 1);
      assert.equal(new Set(results.filter((r) => r.kind !== 'candidate').map((r) => r.doc.id)).size, 1);
      const [incident] = await a.incidents.list();
      assert.equal(incident.members, 20);
      assert.equal((await b.incidents.members(incident.id)).length, 20);
    });
  });
}
