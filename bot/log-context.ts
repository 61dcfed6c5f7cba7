/**
 * The correlation ids of whatever is running now (a turn, the case it moves, an agent job),
 * carried by AsyncLocalStorage so every log line written on the way carries them without any
 * call site passing them along. The composition root opens a context per turn (bot/observe/turn.ts);
 * a case id found later in the turn (when the session loads) is added to the same context.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** Ids only: never user names, hosts, tokens or message text. */
export interface LogContext {
  /** The event being handled (its delivery id: activity id, Slack action ts, `agent-job:<id>`). */
  turnId?: string;
  /** The session (case) id. */
  caseId?: string;
  /** The agent job the event belongs to. */
  jobId?: string;
}

const storage = new AsyncLocalStorage<LogContext>();

/** Runs `fn` with `fields` added to the current context (inner ids win). */
export function withLogContext<T>(fields: LogContext, fn: () => T): T {
  return storage.run({ ...storage.getStore(), ...fields }, fn);
}

/** The current context, or undefined outside any. */
export function currentLogContext(): LogContext | undefined {
  return storage.getStore();
}

/** Adds ids to the current context in place (later lines of the same turn carry them). */
export function addToLogContext(fields: LogContext): void {
  const store = storage.getStore();
  if (store) Object.assign(store, fields);
}
