/**
 * The Direct Line activity log in SQLite. Each conversation row carries a counter; an append
 * or a replace takes the next value inside one transaction, which becomes the activity's
 * `revision` (and, on append, its fixed `position`). "Since watermark W" is `revision > W`
 * ordered by `position`.
 */
import type { DatabaseSync } from 'node:sqlite';
import { transaction } from './sqlite-schema.ts';
import type { DirectLineConversation, DirectLineStore, StoredActivity } from './types.ts';

type Row = Record<string, unknown>;

/** Builds the DirectLineStore over an open, prepared database. */
export function createSqliteDirectLine(db: DatabaseSync, now: () => number): DirectLineStore {
  const q = {
    create: db.prepare(
      'INSERT INTO dl_conversations (id, created_at, counter, data) VALUES (?, ?, 0, ?) ON CONFLICT(id) DO NOTHING',
    ),
    get: db.prepare('SELECT * FROM dl_conversations WHERE id = ?'),
    bump: db.prepare('UPDATE dl_conversations SET counter = counter + 1 WHERE id = ? RETURNING counter'),
    counter: db.prepare('SELECT counter FROM dl_conversations WHERE id = ?'),
    insert: db.prepare(
      'INSERT INTO dl_activities (conversation_id, activity_id, position, revision, data) VALUES (?, ?, ?, ?, ?)',
    ),
    activity: db.prepare('SELECT data FROM dl_activities WHERE conversation_id = ? AND activity_id = ?'),
    exists: db.prepare('SELECT 1 FROM dl_activities WHERE conversation_id = ? AND activity_id = ?'),
    replace: db.prepare(
      'UPDATE dl_activities SET revision = ?, data = ? WHERE conversation_id = ? AND activity_id = ?',
    ),
    since: db.prepare(
      'SELECT data, revision FROM dl_activities WHERE conversation_id = ? AND revision > ? ORDER BY position',
    ),
  };

  const bump = (conversationId: string): number => {
    const row = q.bump.get(conversationId) as Row | undefined;
    if (row === undefined) throw new Error(`Direct Line conversation ${conversationId} does not exist`);
    return Number(row.counter);
  };

  return {
    async createConversation({ id, data }) {
      const record: DirectLineConversation = { id, createdAt: now(), ...(data ? { data } : {}) };
      const { changes } = transaction(db, () =>
        q.create.run(id, record.createdAt, data === undefined ? null : JSON.stringify(data)),
      );
      if (changes !== 1) throw new Error(`Direct Line conversation ${id} already exists`);
      return record;
    },
    async getConversation(id) {
      const row = q.get.get(id) as Row | undefined;
      if (row === undefined) return undefined;
      return {
        id: String(row.id),
        createdAt: Number(row.created_at),
        ...(row.data === null ? {} : { data: JSON.parse(String(row.data)) as Record<string, unknown> }),
      };
    },
    async append(conversationId, activity) {
      return transaction(db, () => {
        if (q.exists.get(conversationId, activity.id) !== undefined) {
          throw new Error(`activity ${activity.id} already exists in conversation ${conversationId}`);
        }
        const counter = bump(conversationId);
        q.insert.run(conversationId, activity.id, counter, counter, JSON.stringify(activity));
        return counter;
      });
    },
    async replace(conversationId, activity) {
      return transaction(db, () => {
        if (q.exists.get(conversationId, activity.id) === undefined) return undefined;
        const counter = bump(conversationId);
        q.replace.run(counter, JSON.stringify(activity), conversationId, activity.id);
        return counter;
      });
    },
    async getActivity(conversationId, activityId) {
      const row = q.activity.get(conversationId, activityId) as Row | undefined;
      return row === undefined ? undefined : (JSON.parse(String(row.data)) as StoredActivity);
    },
    async list(conversationId, watermark) {
      const row = q.counter.get(conversationId) as Row | undefined;
      if (row === undefined) throw new Error(`Direct Line conversation ${conversationId} does not exist`);
      const rows = q.since.all(conversationId, watermark ?? 0) as Row[];
      // Another process may append between the two reads: never report a watermark below what we return.
      const latest = rows.reduce((max, r) => Math.max(max, Number(r.revision)), Number(row.counter));
      return { activities: rows.map((r) => JSON.parse(String(r.data)) as StoredActivity), watermark: latest };
    },
  };
}
