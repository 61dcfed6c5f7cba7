/**
 * Every refusal by a limit of bot/limits.ts, counted (issue 16): the module that enforces a limit
 * calls `limitHit(name)`, and the metrics (bot/metrics.ts, `reconnect_limit_hits_total{limit}`)
 * hear it through a Node diagnostics channel, so the enforcing modules (the HTTP guard, the body
 * reader, the Direct Line channel and streams, the agent gateway, the outbox) need no metrics
 * object passed down to them. The channel is per process: a process running two bots (tests)
 * counts each hit in both.
 */
import { channel, subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { Limits } from './limits.ts';

/** A limit's name as bot/limits.ts's Limits names it. */
export type LimitName = keyof Limits;

const NAME = 'reconnect:limit-hit';
const hits = channel(NAME);

/** Records that `limit` refused something. */
export function limitHit(limit: LimitName): void {
  if (hits.hasSubscribers) hits.publish({ limit });
}

/** Calls `fn` for every hit in this process; returns the unsubscribe. */
export function onLimitHit(fn: (limit: LimitName) => void): () => void {
  const listener = (message: unknown) => fn((message as { limit: LimitName }).limit);
  subscribe(NAME, listener);
  return () => void unsubscribe(NAME, listener);
}
