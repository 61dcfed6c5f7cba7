/**
 * The default Store: one SQLite file (node:sqlite, no native addon) under DATA_DIR, in WAL mode.
 * Every write runs in a transaction (turn commits queued in the same event-loop turn share one,
 * each in its own savepoint: sqlite-batch.ts); compare-and-set is `UPDATE … WHERE id = ? AND version = ?`
 * and single-use operations (dedupe, pairing redeem) are one conditional statement, so they stay
 * atomic even when two processes share the file.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { createSqliteHistory } from '../dashboard/history-sqlite.ts';
import { createSqliteIncidents } from '../incidents/store-sqlite.ts';
import { createBatcher } from './sqlite-batch.ts';
import { createSqliteDirectLine } from './sqlite-directline.ts';
import { prepareDatabase, sqliteAvailable, transaction } from './sqlite-schema.ts';
import { createSqliteSupport } from './sqlite-support.ts';
import type {
  AgentPresence,
  AuditEntry,
  AuditInput,
  Escalation,
  PairingCode,
  SaveResult,
  Store,
  StoreOptions,
  VersionedDoc,
} from './types.ts';
import { idEndsWith } from './types.ts';

export interface SqliteStoreOptions extends StoreOptions {
  /** Directory holding the database file; created when missing. */
  dataDir: string;
  /** File name inside dataDir; default `reconnect.db`. */
  fileName?: string;
  /** How long a write waits for another process's write lock; default 5000 ms. */
  busyTimeoutMs?: number;
}

type Row = Record<string, unknown>;

const parse = <T>(text: unknown): T => JSON.parse(String(text)) as T;
const optionalJson = (value: unknown): string | null => (value === undefined ? null : JSON.stringify(value));

const pairingOf = (code: string, row: Row): PairingCode => ({
  code,
  sessionId: String(row.session_id),
  expiresAt: Number(row.expires_at),
  ...(row.data === null ? {} : { data: parse<Record<string, unknown>>(row.data) }),
});

/**
 * A versioned JSON collection over one table (id, version, conversation_key, data, plus the
 * extra indexed columns the caller names). Sessions and escalations share it.
 */
function versionedTable<T extends VersionedDoc>(
  db: DatabaseSync,
  table: string,
  extra: Record<string, (doc: T) => string>,
) {
  const names = Object.keys(extra);
  const columns = ['id', 'version', 'conversation_key', 'data', ...names];
  const insert = db.prepare(
    `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')}) ON CONFLICT(id) DO NOTHING`,
  );
  const sets = names.map((n) => `, ${n} = ?`).join('');
  const update = db.prepare(
    `UPDATE ${table} SET version = ?, conversation_key = ?, data = ?${sets} WHERE id = ? AND version = ?`,
  );
  // The usual save keeps the conversation: leaving the column out of SET spares rewriting its
  // index (SQLite rewrites an index whose column is SET even to the same value), a third of a save.
  const updateSameKey = db.prepare(
    `UPDATE ${table} SET version = ?, data = ?${sets} WHERE id = ? AND version = ? AND conversation_key = ?`,
  );
  const select = db.prepare(`SELECT data FROM ${table} WHERE id = ?`);
  const get = (id: string): T | undefined => {
    const row = select.get(id) as Row | undefined;
    return row === undefined ? undefined : parse<T>(row.data);
  };
  const extras = (doc: T) => names.map((n) => extra[n](doc));
  /** Insert (expectedVersion 0) or compare-and-set, inside the caller's transaction; undefined on conflict. */
  const write = (doc: T, expectedVersion: number): T | undefined => {
    const stored = { ...doc, version: expectedVersion + 1 };
    const json = JSON.stringify(stored);
    if (expectedVersion === 0) {
      const { changes } = insert.run(doc.id, 1, doc.conversationKey, json, ...extras(doc));
      return changes === 1 ? stored : undefined;
    }
    const same = [stored.version, json, ...extras(doc), doc.id, expectedVersion, doc.conversationKey];
    if (updateSameKey.run(...same).changes === 1) return stored;
    const { changes } = update.run(
      stored.version,
      doc.conversationKey,
      json,
      ...extras(doc),
      doc.id,
      expectedVersion,
    );
    return changes === 1 ? stored : undefined;
  };
  const saveAlone = (doc: T, expectedVersion: number): SaveResult<T> => {
    const stored = transaction(db, () => write(doc, expectedVersion));
    return stored ? { ok: true, doc: stored } : { ok: false, reason: 'conflict', current: get(doc.id) };
  };
  return {
    get,
    write,
    create: (doc: T) => saveAlone(doc, 0),
    save: saveAlone,
  };
}

/** Thrown inside a commit's transaction to roll it back with an answer for the caller. */
class Refused {
  readonly reason: 'duplicate' | 'conflict';
  constructor(reason: Refused['reason']) {
    this.reason = reason;
  }
}

/** Opens (creating when needed) the SQLite store at `<dataDir>/<fileName>`. */
export function openSqliteStore<S extends VersionedDoc = VersionedDoc>(
  options: SqliteStoreOptions,
): Store<S> {
  const now = options.now ?? Date.now;
  mkdirSync(options.dataDir, { recursive: true });
  const file = join(options.dataDir, options.fileName ?? 'reconnect.db');
  const db = new DatabaseSync(file);
  try {
    prepareDatabase(db, file, {
      now,
      ...(options.busyTimeoutMs === undefined ? {} : { busyTimeoutMs: options.busyTimeoutMs }),
    });
  } catch (error) {
    db.close();
    throw error;
  }

  const sessions = versionedTable<S>(db, 'sessions', {});
  const escalations = versionedTable<Escalation>(db, 'escalations', {
    session_id: (e) => e.sessionId,
    status: (e) => e.status,
  });
  // Turn commits (SessionStore.commit, one per chat turn) share transactions: sqlite-batch.ts.
  // Single saves stay immediate: the save that records where a card went follows the card
  // itself, and should land as soon after it as it can.
  const batch = createBatcher(db);
  const q = {
    sessionsLike: db.prepare('SELECT id, data FROM sessions WHERE id LIKE ? ORDER BY rowid DESC'),
    // A full scan, once at start: json_extract needs no column kept in step with the document.
    sessionsUndelivered: db.prepare(
      "SELECT data FROM sessions WHERE json_extract(data, '$.undelivered') IS NOT NULL ORDER BY rowid",
    ),
    sessionByConversation: db.prepare(
      'SELECT data FROM sessions WHERE conversation_key = ? ORDER BY rowid DESC LIMIT 1',
    ),
    // Records the key unless a live record exists: changes = 0 means "already seen".
    dedupe: db.prepare(
      'INSERT INTO dedupe (key, expires_at) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET expires_at = excluded.expires_at WHERE dedupe.expires_at <= ?',
    ),
    dedupePurge: db.prepare('DELETE FROM dedupe WHERE expires_at <= ?'),
    pairingInsert: db.prepare(
      'INSERT INTO pairing_codes (code, session_id, expires_at, data) VALUES (?, ?, ?, ?) ON CONFLICT(code) DO NOTHING',
    ),
    pairingRedeem: db.prepare(
      'UPDATE pairing_codes SET redeemed_at = ? WHERE code = ? AND redeemed_at IS NULL AND expires_at > ?',
    ),
    pairingSelect: db.prepare('SELECT * FROM pairing_codes WHERE code = ?'),
    counterHit: db.prepare(
      'INSERT INTO counters (key, window, count) VALUES (?, ?, 1) ON CONFLICT(key) DO UPDATE SET ' +
        'count = CASE WHEN counters.window = excluded.window THEN counters.count + 1 ELSE 1 END, window = excluded.window RETURNING count',
    ),
    agentPut: db.prepare(
      'INSERT INTO agents (agent_id, session_id, data) VALUES (?, ?, ?) ON CONFLICT(agent_id) DO UPDATE SET session_id = excluded.session_id, data = excluded.data',
    ),
    agentGet: db.prepare('SELECT data FROM agents WHERE agent_id = ?'),
    agentsBySession: db.prepare('SELECT data FROM agents WHERE session_id = ? ORDER BY agent_id'),
    agentRemove: db.prepare('DELETE FROM agents WHERE agent_id = ?'),
    escalationsBySession: db.prepare('SELECT data FROM escalations WHERE session_id = ? ORDER BY rowid'),
    escalationsOpen: db.prepare("SELECT data FROM escalations WHERE status != 'closed' ORDER BY rowid"),
    auditAppend: db.prepare(
      'INSERT INTO audit (session_id, at, kind, actor, data) VALUES (?, ?, ?, ?, ?) RETURNING seq',
    ),
    auditList: db.prepare('SELECT * FROM audit WHERE session_id = ? ORDER BY seq'),
    health: db.prepare(
      'INSERT INTO health (id, at) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET at = excluded.at',
    ),
  };
  const support = createSqliteSupport(db, now);
  const dataList = <T>(rows: unknown[]): T[] => rows.map((row) => parse<T>((row as Row).data));
  let dedupeWrites = 0;
  /** Records a dedupe key inside the caller's transaction; false when it is already live. */
  const claim = (key: string, ttlMs: number, t: number): boolean => {
    // Expired keys are dead weight; sweep them now and then rather than on every call.
    if (++dedupeWrites % 1000 === 0) q.dedupePurge.run(t);
    return q.dedupe.run(key, t + ttlMs, t).changes === 1;
  };
  const appendAudit = (entry: AuditInput, at: number): number => {
    const { sessionId, kind, actor, data } = entry;
    return Number((q.auditAppend.get(sessionId, at, kind, actor ?? null, optionalJson(data)) as Row).seq);
  };

  return {
    sessions: {
      async get(id) {
        return sessions.get(id);
      },
      async findByIdSuffix(suffix) {
        // Newest first; the id's tail is compared in SQL only roughly (dashes), then exactly here.
        const tail = `%${suffix.replace(/[^0-9a-z]/gi, '').slice(-1)}`;
        const rows = q.sessionsLike.all(tail) as Row[];
        return rows.filter((r) => idEndsWith(String(r.id), suffix)).map((r) => parse<S>(String(r.data)));
      },
      async listUndelivered() {
        return dataList<S>(q.sessionsUndelivered.all());
      },
      async findByConversation(key) {
        const row = q.sessionByConversation.get(key) as Row | undefined;
        return row === undefined ? undefined : parse<S>(row.data);
      },
      async create(doc) {
        return sessions.create(doc);
      },
      async save(doc, expectedVersion) {
        return sessions.save(doc, expectedVersion);
      },
      async commit({ dedupe, session, audit = [] }) {
        const t = now();
        try {
          return await batch.run(() => {
            if (dedupe && !claim(dedupe.key, dedupe.ttlMs, t)) throw new Refused('duplicate');
            const doc = session && sessions.write(session.doc, session.expectedVersion);
            if (session && !doc) throw new Refused('conflict');
            for (const entry of audit) appendAudit(entry, t);
            return doc ? { ok: true as const, doc } : { ok: true as const };
          });
        } catch (error) {
          if (!(error instanceof Refused)) throw error;
          if (error.reason === 'duplicate') return { ok: false, reason: 'duplicate' };
          return { ok: false, reason: 'conflict', current: session && sessions.get(session.doc.id) };
        }
      },
    },
    dedupe: {
      async seen(key, ttlMs) {
        const t = now();
        return !transaction(db, () => claim(key, ttlMs, t));
      },
    },
    pairing: {
      async put({ code, sessionId, ttlMs, data }) {
        const record: PairingCode = { code, sessionId, expiresAt: now() + ttlMs, ...(data ? { data } : {}) };
        const { changes } = transaction(db, () =>
          q.pairingInsert.run(code, sessionId, record.expiresAt, optionalJson(data)),
        );
        if (changes !== 1) throw new Error(`pairing code ${code} already exists`);
        return record;
      },
      async redeem(code) {
        const t = now();
        return transaction(db, () => {
          const row = q.pairingSelect.get(code) as Row | undefined;
          if (row === undefined) return { ok: false, reason: 'unknown' } as const;
          if (q.pairingRedeem.run(t, code, t).changes !== 1) {
            return { ok: false, reason: row.redeemed_at === null ? 'expired' : 'redeemed' } as const;
          }
          return { ok: true, pairing: pairingOf(code, row) } as const;
        });
      },
      async peek(code) {
        const row = q.pairingSelect.get(code) as Row | undefined;
        if (row === undefined) return { ok: false, reason: 'unknown' };
        if (row.redeemed_at !== null) return { ok: false, reason: 'redeemed' };
        if (Number(row.expires_at) <= now()) return { ok: false, reason: 'expired' };
        return { ok: true, pairing: pairingOf(code, row) };
      },
    },
    counters: {
      async hit(key, windowMs) {
        const row = transaction(db, () => q.counterHit.get(key, Math.floor(now() / windowMs))) as Row;
        return Number(row.count);
      },
    },
    agents: {
      async put(presence) {
        transaction(db, () => q.agentPut.run(presence.agentId, presence.sessionId, JSON.stringify(presence)));
      },
      async get(agentId) {
        const row = q.agentGet.get(agentId) as Row | undefined;
        return row === undefined ? undefined : parse<AgentPresence>(row.data);
      },
      async listBySession(sessionId) {
        return dataList<AgentPresence>(q.agentsBySession.all(sessionId));
      },
      async remove(agentId) {
        transaction(db, () => q.agentRemove.run(agentId));
      },
      async update(agentId, change) {
        // One IMMEDIATE transaction: no other process writes the row between the read and the write.
        return transaction(db, () => {
          const row = q.agentGet.get(agentId) as Row | undefined;
          if (row === undefined) return undefined;
          const presence = parse<AgentPresence>(row.data);
          if (change(presence) !== false)
            q.agentPut.run(presence.agentId, presence.sessionId, JSON.stringify(presence));
          return presence;
        });
      },
    },
    escalations: {
      async get(id) {
        return escalations.get(id);
      },
      async listBySession(sessionId) {
        return dataList<Escalation>(q.escalationsBySession.all(sessionId));
      },
      async listOpen() {
        return dataList<Escalation>(q.escalationsOpen.all());
      },
      async create(doc) {
        return escalations.create(doc);
      },
      async save(doc, expectedVersion) {
        return escalations.save(doc, expectedVersion);
      },
    },
    audit: {
      async append(entry) {
        const { sessionId, kind, actor, data } = entry;
        const at = now();
        return {
          seq: transaction(db, () => appendAudit(entry, at)),
          sessionId,
          at,
          kind,
          ...(actor === undefined ? {} : { actor }),
          ...(data === undefined ? {} : { data }),
        };
      },
      async list(sessionId) {
        return (q.auditList.all(sessionId) as Row[]).map(
          (row): AuditEntry => ({
            seq: Number(row.seq),
            sessionId: String(row.session_id),
            at: Number(row.at),
            kind: String(row.kind),
            ...(row.actor === null ? {} : { actor: String(row.actor) }),
            ...(row.data === null ? {} : { data: parse<Record<string, unknown>>(row.data) }),
          }),
        );
      },
    },
    directline: createSqliteDirectLine(db, now),
    outbox: support.outbox,
    supportChannels: support.supportChannels,
    incidents: createSqliteIncidents(db),
    history: createSqliteHistory(db, batch),
    async checkWritable() {
      transaction(db, () => q.health.run(now()));
    },
    // False for a second after a write failed busy or on a full disk: bot/cluster/unavailable.ts.
    available: () => sqliteAvailable(db),
    async close() {
      if (!db.isOpen) return;
      batch.flush();
      db.close();
    },
  };
}
