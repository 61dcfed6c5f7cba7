/**
 * The SQLite schema and the transaction helper. Kept apart from the store so the schema can be
 * read at a glance; `user_version` records the schema version for later migrations.
 */
import type { DatabaseSync } from 'node:sqlite';
import { StoreUnavailableError } from './errors.ts';

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
 * SQLite's result codes for "cannot write right now" (the primary code, the low byte of an
 * extended one): BUSY and LOCKED (another process holds the write lock past busy_timeout), IOERR
 * and FULL (the disk is full or failing). They pass once the other writer or the disk recovers,
 * so the HTTP layer answers 503 with Retry-After, never 500 (bot/cluster/unavailable.ts).
 */
const PASSING = new Set([5, 6, 10, 13]);

/** `error` as StoreUnavailableError when it is one of the passing SQLite failures; else itself. */
export function sqliteUnavailable(error: unknown): unknown {
  const code = (error as { errcode?: unknown } | null)?.errcode;
  if (typeof code !== 'number' || !PASSING.has(code & 0xff)) return error;
  const text = (error as { errstr?: unknown }).errstr;
  return new StoreUnavailableError(`SQLite cannot write: ${String(text ?? code)}`, { cause: error });
}

/** When each database last failed with a passing error (sqliteUnavailable); absent once a write succeeds. */
const failures = new WeakMap<DatabaseSync, number>();
/** Each database's clock (the store's `now`), so the failure window follows injected time. */
const clocks = new WeakMap<DatabaseSync, () => number>();

/** Maps `error` (sqliteUnavailable) and, when it is a passing failure, records it against `db`. */
export function sqliteFailure(db: DatabaseSync, error: unknown): unknown {
  const mapped = sqliteUnavailable(error);
  if (mapped !== error) failures.set(db, (clocks.get(db) ?? Date.now)());
  return mapped;
}

/**
 * False for `windowMs` after a write to `db` failed with a passing error, until a write succeeds:
 * meanwhile requests answer 503 at once instead of each waiting out busy_timeout on the event loop.
 */
export function sqliteAvailable(db: DatabaseSync, windowMs = 1000): boolean {
  const failedAt = failures.get(db);
  return failedAt === undefined || (clocks.get(db) ?? Date.now)() - failedAt >= windowMs;
}

/**
 * Runs `fn` inside `BEGIN IMMEDIATE … COMMIT`. IMMEDIATE takes the write lock up front, so two
 * processes sharing the file serialise instead of failing at commit with SQLITE_BUSY. A passing
 * failure (busy past the timeout, disk full) rolls back and throws StoreUnavailableError.
 */
export function transaction<T>(db: DatabaseSync, fn: () => T): T {
  try {
    db.exec('BEGIN IMMEDIATE');
    let result: T;
    try {
      result = fn();
      db.exec('COMMIT');
    } catch (error) {
      // A failed COMMIT may already have ended the transaction (SQLite rolls back on some errors).
      if (db.isTransaction) db.exec('ROLLBACK');
      throw error;
    }
    failures.delete(db);
    return result;
  } catch (error) {
    throw sqliteFailure(db, error);
  }
}

/**
 * Sets the pragmas and creates (or checks) the schema. Throws when the file is from a newer build.
 * `busyTimeoutMs`: how long a write waits for another process's lock (on the event loop: node:sqlite
 * is synchronous) before it fails as unavailable; `now`: the clock of the failure window.
 */
export function prepareDatabase(
  db: DatabaseSync,
  file: string,
  options: { busyTimeoutMs?: number; now?: () => number } = {},
): void {
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
  if (options.now) clocks.set(db, options.now);
  db.exec('PRAGMA journal_mode = WAL');
  // WAL makes NORMAL durable across process crashes (only a power loss can drop the last commits).
  db.exec('PRAGMA synchronous = NORMAL');
  db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
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
