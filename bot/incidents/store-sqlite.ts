/**
 * Incident groups in SQLite. The tables are created here with IF NOT EXISTS (as
 * bot/store/sqlite-support.ts does), so a database from an earlier build gains them on open.
 * A save is one immediate transaction: the version check, the key's holder and the write, so
 * two processes sharing the file never both open a group for one key.
 */
import type { DatabaseSync } from 'node:sqlite';
import { transaction } from '../store/sqlite-schema.ts';
import type { IncidentDoc, IncidentMember, IncidentStore } from './types.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS incidents (
  id TEXT PRIMARY KEY,
  key TEXT NOT NULL,
  state TEXT NOT NULL,
  opened_at INTEGER,
  version INTEGER NOT NULL,
  data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS incidents_key ON incidents (key, state);
CREATE TABLE IF NOT EXISTS incident_members (
  session_id TEXT PRIMARY KEY,
  incident_id TEXT NOT NULL,
  joined_at INTEGER NOT NULL,
  data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS incident_members_incident ON incident_members (incident_id, joined_at);
`;

type Row = { data: string } | undefined;

export function createSqliteIncidents(db: DatabaseSync): IncidentStore {
  db.exec(SCHEMA);
  const q = {
    holder: db.prepare(
      "SELECT id, data FROM incidents WHERE key = ? AND state != 'resolved' ORDER BY rowid DESC LIMIT 1",
    ),
    get: db.prepare('SELECT data, version FROM incidents WHERE id = ?'),
    insert: db.prepare(
      'INSERT INTO incidents (id, key, state, opened_at, version, data) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    update: db.prepare('UPDATE incidents SET state = ?, opened_at = ?, version = ?, data = ? WHERE id = ?'),
    // An expired candidate stops holding its key once a new group takes it over.
    retire: db.prepare("UPDATE incidents SET state = 'expired' WHERE id = ? AND state = 'candidate'"),
    member: db.prepare('SELECT data FROM incident_members WHERE session_id = ?'),
    putMember: db.prepare(
      'INSERT INTO incident_members (session_id, incident_id, joined_at, data) VALUES (?, ?, ?, ?) ' +
        'ON CONFLICT(session_id) DO UPDATE SET incident_id = excluded.incident_id, joined_at = excluded.joined_at, data = excluded.data',
    ),
    removeMember: db.prepare('DELETE FROM incident_members WHERE session_id = ? AND incident_id = ?'),
    members: db.prepare('SELECT data FROM incident_members WHERE incident_id = ? ORDER BY joined_at, rowid'),
    list: db.prepare(
      "SELECT data FROM incidents WHERE state IN ('open', 'taken', 'resolved') ORDER BY opened_at DESC LIMIT ?",
    ),
  };
  const doc = (row: Row): IncidentDoc | undefined =>
    row ? (JSON.parse(row.data) as IncidentDoc) : undefined;

  return {
    async current(key) {
      return doc(q.holder.get(key) as Row);
    },
    async get(id) {
      return doc(q.get.get(id) as Row);
    },
    async save(next, expectedVersion, replaces) {
      return transaction(db, () => {
        const stored = q.get.get(next.id) as { version: number } | undefined;
        if ((stored?.version ?? 0) !== expectedVersion) return false;
        const version = expectedVersion + 1;
        const data = JSON.stringify({ ...next, version });
        if (expectedVersion === 0) {
          const holder = q.holder.get(next.key) as { id: string } | undefined;
          if (holder && holder.id !== replaces) return false;
          if (holder) q.retire.run(holder.id);
          q.insert.run(next.id, next.key, next.state, next.openedAt ?? null, version, data);
        } else q.update.run(next.state, next.openedAt ?? null, version, data, next.id);
        return true;
      });
    },
    async member(sessionId) {
      const row = q.member.get(sessionId) as Row;
      return row ? (JSON.parse(row.data) as IncidentMember) : undefined;
    },
    async putMember(m) {
      q.putMember.run(m.sessionId, m.incidentId, m.joinedAt, JSON.stringify(m));
    },
    async removeMember(sessionId, incidentId) {
      q.removeMember.run(sessionId, incidentId);
    },
    async members(incidentId) {
      return (q.members.all(incidentId) as { data: string }[]).map(
        (r) => JSON.parse(r.data) as IncidentMember,
      );
    },
    async list(limit = 100) {
      return (q.list.all(limit) as { data: string }[]).map((r) => JSON.parse(r.data) as IncidentDoc);
    },
  };
}
