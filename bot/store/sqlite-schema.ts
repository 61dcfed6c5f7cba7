/**
 * The SQLite schema and the transaction helper. Kept apart from the store so the schema can be
 * read at a glance; `user_version` records the schema version for later migrations.
 */
import type { DatabaseSync } from 'node:sqlite';

/** Bump when a migration is added below. */
export const SCHEMA_VERSION = 1;

const SCHEMA_V1 = `
CREATE TABLE IF NOT EXISTS sessions (
  id TEXT PRIMARY KEY,
  version INTEGER NOT NULL,
  conversation_key TEXT NOT NULL,
  data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_conversation ON sessions (conversation_key);
CREATE TABLE IF NOT EXISTS escalations (
  id TEXT PRIMARY KEY,
  version INTEGER NOT NULL,
  conversation_key TEXT NOT NULL,
  session_id TEXT NOT NULL,
  status TEXT NOT NULL,
  data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS escalations_session ON escalations (session_id);
CREATE INDEX IF NOT EXISTS escalations_status ON escalations (status);
CREATE TABLE IF NOT EXISTS dedupe (
  key TEXT PRIMARY KEY,
  expires_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS pairing_codes (
  code TEXT PRIMARY KEY,
  session_id TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  redeemed_at INTEGER,
  data TEXT
);
CREATE TABLE IF NOT EXISTS counters (
  key TEXT PRIMARY KEY,
  window INTEGER NOT NULL,
  count INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS agents (
  agent_id TEXT PRIMARY KEY,
  session_id TEXT NOT NULL,
  data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS agents_session ON agents (session_id);
CREATE TABLE IF NOT EXISTS audit (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  session_id TEXT NOT NULL,
  at INTEGER NOT NULL,
  kind TEXT NOT NULL,
  actor TEXT,
  data TEXT
);
CREATE INDEX IF NOT EXISTS audit_session ON audit (session_id, seq);
CREATE TABLE IF NOT EXISTS dl_conversations (
  id TEXT PRIMARY KEY,
  created_at INTEGER NOT NULL,
  counter INTEGER NOT NULL,
  data TEXT
);
CREATE TABLE IF NOT EXISTS dl_activities (
  conversation_id TEXT NOT NULL,
  activity_id TEXT NOT NULL,
  position INTEGER NOT NULL,
  revision INTEGER NOT NULL,
  data TEXT NOT NULL,
  PRIMARY KEY (conversation_id, activity_id)
);
CREATE INDEX IF NOT EXISTS dl_activities_revision ON dl_activities (conversation_id, revision);
CREATE TABLE IF NOT EXISTS health (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  at INTEGER NOT NULL
);
`;

/**
 * Runs `fn` inside `BEGIN IMMEDIATE … COMMIT`. IMMEDIATE takes the write lock up front, so two
 * processes sharing the file serialise instead of failing at commit with SQLITE_BUSY.
 */
export function transaction<T>(db: DatabaseSync, fn: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = fn();
    db.exec('COMMIT');
    return result;
  } catch (error) {
    db.exec('ROLLBACK');
    throw error;
  }
}

/** Sets the pragmas and creates (or checks) the schema. Throws when the file is from a newer build. */
export function prepareDatabase(db: DatabaseSync, file: string): void {
  db.exec('PRAGMA journal_mode = WAL');
  // WAL makes NORMAL durable across process crashes (only a power loss can drop the last commits).
  db.exec('PRAGMA synchronous = NORMAL');
  db.exec('PRAGMA busy_timeout = 5000');
  db.exec('PRAGMA foreign_keys = ON');
  const row = db.prepare('PRAGMA user_version').get() as { user_version: number };
  if (row.user_version > SCHEMA_VERSION) {
    throw new Error(
      `${file} has schema version ${row.user_version}, but this build knows versions up to ${SCHEMA_VERSION}: ` +
        'run a newer Reconnect or point DATA_DIR at another directory',
    );
  }
  transaction(db, () => {
    db.exec(SCHEMA_V1);
    db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
  });
}
