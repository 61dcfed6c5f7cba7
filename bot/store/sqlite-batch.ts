/**
 * Group commit for turn commits (SessionStore.commit). Every chat turn commits its dedupe key,
 * session and audit record, and each SQLite transaction costs a WAL append of every page it
 * touched, a round of file locks and the commit's bookkeeping, all on the event loop: the
 * largest part of a Teams turn in bench:turns after the connector call. Commits queued during one
 * turn of the event loop therefore run together under one BEGIN IMMEDIATE … COMMIT at
 * setImmediate, each inside its own savepoint, so a commit that is refused or fails rolls back
 * alone and the others stand; pages they share (the tables' newest leaves, the database header)
 * are written once.
 *
 * A commit's promise settles only after that COMMIT, so a caller gets exactly the durability it
 * had with a transaction of its own; the price is at most one event-loop turn of latency.
 */
import type { DatabaseSync } from 'node:sqlite';
import { sqliteFailure, transaction } from './sqlite-schema.ts';

export interface Batcher {
  /** Runs `op` (synchronous SQLite work) in the next group commit; settles after its COMMIT. */
  run<T>(op: () => T): Promise<T>;
  /** Commits whatever is queued now; close() calls it so no queued write is lost. */
  flush(): void;
}

interface Queued {
  op: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

export function createBatcher(db: DatabaseSync): Batcher {
  const savepoint = db.prepare('SAVEPOINT batched_write');
  const release = db.prepare('RELEASE batched_write');
  const rollbackTo = db.prepare('ROLLBACK TO batched_write');
  let queue: Queued[] = [];
  let scheduled: ReturnType<typeof setImmediate> | undefined;

  function flush(): void {
    if (scheduled) clearImmediate(scheduled);
    scheduled = undefined;
    const writes = queue;
    queue = [];
    if (writes.length === 0) return;
    const outcomes: Outcome[] = [];
    try {
      transaction(db, () => {
        for (const { op } of writes) {
          savepoint.run();
          try {
            outcomes.push({ ok: true, value: op() });
            release.run();
          } catch (error) {
            rollbackTo.run();
            release.run();
            outcomes.push({ ok: false, error: sqliteFailure(db, error) });
          }
        }
      });
    } catch (error) {
      // The transaction itself failed (busy past the timeout, disk full): nothing was written.
      for (const write of writes) write.reject(error);
      return;
    }
    writes.forEach((write, i) => {
      const outcome = outcomes[i];
      if (outcome.ok) write.resolve(outcome.value);
      else write.reject(outcome.error);
    });
  }

  return {
    run<T>(op: () => T): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({ op, resolve: resolve as (value: unknown) => void, reject });
        scheduled ??= setImmediate(flush);
      });
    },
    flush,
  };
}
