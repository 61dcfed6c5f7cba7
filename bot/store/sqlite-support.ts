/**
 * The outbox and the support channel registry in SQLite (issue 8). The tables are created here
 * with IF NOT EXISTS, so a database made by an earlier build gains them on open without a
 * schema version bump (fold them into sqlite-schema.ts at its next migration).
 *
 * `claim` is one transaction: select what is due, then stamp each row with a lease, so two
 * processes sharing the file never hold the same message.
 */
import type { DatabaseSync } from 'node:sqlite';
import { transaction } from './sqlite-schema.ts';
import type {
  ClaimedOutboxMessage,
  OutboxMessage,
  OutboxStore,
  SupportChannel,
  SupportChannelStore,
} from './types.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  key TEXT NOT NULL UNIQUE,
  topic TEXT NOT NULL,
  payload TEXT NOT NULL,
  after_key TEXT,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  tries INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  lease_until INTEGER,
  last_error TEXT,
  result TEXT
);
CREATE INDEX IF NOT EXISTS outbox_status ON outbox (status, next_attempt_at);
CREATE TABLE IF NOT EXISTS support_channels (
  id TEXT PRIMARY KEY,
  registered_at INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  data TEXT NOT NULL
);
`;

type Row = Record<string, unknown>;

/** Pending rows whose predecessor is settled or unknown. */
const CLAIMABLE = `status = 'pending' AND (after_key IS NULL OR NOT EXISTS (
  SELECT 1 FROM outbox p WHERE p.key = outbox.after_key AND p.status IN ('pending', 'parked')))`;
const DUE_AT = 'MAX(next_attempt_at, COALESCE(lease_until, 0))';

function fromRow(row: Row): OutboxMessage {
  const json = <T>(v: unknown): T | undefined => (v === null ? undefined : (JSON.parse(String(v)) as T));
  const lastError = json<OutboxMessage['lastError']>(row.last_error);
  const result = json<Record<string, unknown>>(row.result);
  return {
    key: String(row.key),
    topic: String(row.topic),
    payload: JSON.parse(String(row.payload)),
    ...(row.after_key === null ? {} : { after: String(row.after_key) }),
    status: String(row.status) as OutboxMessage['status'],
    attempts: Number(row.attempts),
    tries: Number(row.tries),
    nextAttemptAt: Number(row.next_attempt_at),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    ...(row.lease_until === null ? {} : { leaseUntil: Number(row.lease_until) }),
    ...(lastError === undefined ? {} : { lastError }),
    ...(result === undefined ? {} : { result }),
  };
}

/** Creates the tables when missing and returns both collections over `db`. */
export function createSqliteSupport(
  db: DatabaseSync,
  now: () => number,
): { outbox: OutboxStore; supportChannels: SupportChannelStore } {
  transaction(db, () => db.exec(SCHEMA));
  const q = {
    add: db.prepare(
      `INSERT INTO outbox (key, topic, payload, after_key, status, attempts, tries, next_attempt_at, created_at, updated_at)
       VALUES (?, ?, ?, ?, 'pending', 0, 0, ?, ?, ?) ON CONFLICT(key) DO NOTHING`,
    ),
    get: db.prepare('SELECT * FROM outbox WHERE key = ?'),
    due: db.prepare(`SELECT * FROM outbox WHERE ${CLAIMABLE} AND ${DUE_AT} <= ? ORDER BY seq LIMIT ?`),
    lease: db.prepare(
      'UPDATE outbox SET attempts = attempts + 1, tries = tries + 1, lease_until = ?, updated_at = ? WHERE key = ?',
    ),
    settle: db.prepare(
      `UPDATE outbox SET status = ?, lease_until = NULL, updated_at = ?,
         next_attempt_at = COALESCE(?, next_attempt_at), last_error = COALESCE(?, last_error), result = COALESCE(?, result)
       WHERE key = ?`,
    ),
    resume: db.prepare(
      "UPDATE outbox SET status = 'pending', tries = 0, updated_at = ? WHERE status = 'parked'",
    ),
    nextDue: db.prepare(`SELECT MIN(${DUE_AT}) AS due FROM outbox WHERE ${CLAIMABLE}`),
    all: db.prepare('SELECT * FROM outbox ORDER BY seq'),
    byStatus: db.prepare('SELECT * FROM outbox WHERE status = ? ORDER BY seq'),
    channelPut: db.prepare(
      `INSERT INTO support_channels (id, registered_at, seq, data)
       VALUES (?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM support_channels), ?)
       ON CONFLICT(id) DO UPDATE SET registered_at = excluded.registered_at, seq = excluded.seq, data = excluded.data`,
    ),
    channelList: db.prepare('SELECT data FROM support_channels ORDER BY registered_at DESC, seq DESC'),
    channelRemove: db.prepare('DELETE FROM support_channels WHERE id = ?'),
  };

  const outbox: OutboxStore = {
    async add({ key, topic, payload, after, notBefore }) {
      const t = now();
      const { changes } = transaction(db, () =>
        q.add.run(key, topic, JSON.stringify(payload), after ?? null, notBefore ?? t, t, t),
      );
      return changes === 1;
    },
    async get(key) {
      const row = q.get.get(key) as Row | undefined;
      return row === undefined ? undefined : fromRow(row);
    },
    async claim({ limit, leaseMs }) {
      const t = now();
      return transaction(db, () =>
        (q.due.all(t, limit) as Row[]).map((row): ClaimedOutboxMessage => {
          q.lease.run(t + leaseMs, t, String(row.key));
          const m = fromRow(row);
          return {
            ...m,
            attempts: m.attempts + 1,
            tries: m.tries + 1,
            leaseUntil: t + leaseMs,
            updatedAt: t,
            recovered: m.leaseUntil !== undefined,
          };
        }),
      );
    },
    async settle(key, outcome) {
      const { changes } = transaction(db, () =>
        q.settle.run(
          outcome.status,
          now(),
          outcome.status === 'pending' ? outcome.nextAttemptAt : null,
          outcome.status === 'delivered' ? null : JSON.stringify(outcome.error),
          outcome.status === 'delivered' && outcome.result !== undefined
            ? JSON.stringify(outcome.result)
            : null,
          key,
        ),
      );
      if (changes !== 1) throw new Error(`outbox message ${key} does not exist`);
    },
    async resume() {
      return Number(transaction(db, () => q.resume.run(now())).changes);
    },
    async nextDue() {
      const row = q.nextDue.get() as Row | undefined;
      return row?.due === null || row?.due === undefined ? undefined : Number(row.due);
    },
    async list(status) {
      const rows = (status === undefined ? q.all.all() : q.byStatus.all(status)) as Row[];
      return rows.map(fromRow);
    },
  };

  const supportChannels: SupportChannelStore = {
    async put(channel: SupportChannel) {
      transaction(db, () => q.channelPut.run(channel.id, channel.registeredAt, JSON.stringify(channel)));
    },
    async list() {
      return (q.channelList.all() as Row[]).map((row) => JSON.parse(String(row.data)) as SupportChannel);
    },
    async remove(id) {
      transaction(db, () => q.channelRemove.run(id));
    },
  };

  return { outbox, supportChannels };
}
