/**
 * Delivery that loses nothing (issue 8): every outbound support message is written to the
 * Store's outbox first, then delivered by a worker that honours 429 Retry-After, backs off with
 * jitter on passing failures, stops after a few tries and leaves the message parked in the store
 * for the next start. The outbox key is the message's idempotency key: adding it twice keeps one
 * message, and a delivered key is never sent again. When an attempt may have landed although it
 * failed (a 502, a dropped connection, a worker that died mid-send), the deliverer is told, so it
 * can look for the message before posting it again.
 *
 * Time comes from injected timers: tests move a fake clock instead of sleeping.
 */
import type { Timers } from '../../probes/timers.ts';
import { limitHit } from '../limit-hits.ts';
import type { Logger } from '../log.ts';
import type { ClaimedOutboxMessage, OutboxMessage, OutboxStore } from '../store/types.ts';
import { asDeliveryError, DEFAULT_RETRY, decide, type RetryPolicy } from './retry.ts';

/** Sends one message; resolves with what to remember (e.g. the posted message's id). Throws on failure. */
export type Deliverer = (message: ClaimedOutboxMessage) => Promise<Record<string, unknown> | undefined>;

export interface OutboxOptions {
  store: OutboxStore;
  deliverers: Record<string, Deliverer>;
  timers: Timers;
  log: Logger;
  /** In [0, 1), for the backoff's jitter; default Math.random. */
  random?: () => number;
  policy?: Partial<RetryPolicy>;
  /** How long a worker holds a claimed message (default 2 min: longer than any single call). */
  leaseMs?: number;
  /** Messages that may wait (pending and parked) before a new one is refused (OutboxFullError). */
  maxMessages?: number;
  /** Told when a message is given up for good or parked (for the audit log). */
  onGiveUp?: (message: OutboxMessage, outcome: 'parked' | 'dead', error: string) => Promise<void>;
}

export interface Outbox {
  /** Stores the message (a known key is kept as is) and starts delivering. Resolves once stored. */
  add(message: Parameters<OutboxStore['add']>[0]): Promise<boolean>;
  /** Parked messages (from an earlier run) are tried again, and delivery starts. */
  start(): Promise<void>;
  /** Tries parked messages again now (e.g. a transport that was missing is there now); no-op when stopped. */
  resume(): Promise<void>;
  /** No more attempts from this process; what is not delivered stays in the store. */
  stop(): Promise<void>;
  /** Resolves when no delivery is running or being scheduled (tests, shutdown). */
  idle(): Promise<void>;
}

const BATCH = 10;

/** A new message refused because the outbox holds `maxMessages` already (LIMIT_OUTBOX_MESSAGES). */
export class OutboxFullError extends Error {
  readonly code = 'outbox_full';
  override name = 'OutboxFullError';
}

/** True when a retry must first check whether the earlier attempt arrived after all. */
export function mayHaveArrived(message: ClaimedOutboxMessage): boolean {
  return message.recovered || message.lastError?.ambiguous === true;
}

export function createOutbox(options: OutboxOptions): Outbox {
  const { store, deliverers, timers, log } = options;
  const policy: RetryPolicy = { ...DEFAULT_RETRY, ...options.policy };
  const random = options.random ?? Math.random;
  const leaseMs = options.leaseMs ?? 120_000;
  let stopped = true;
  let running: Promise<void> | undefined;
  let again = false;
  let timer: unknown;
  const busy = new Set<Promise<unknown>>();
  /** Messages still to go out: what LIMIT_OUTBOX_MESSAGES bounds. */
  const waiting = async () => (await store.list('pending')).length + (await store.list('parked')).length;
  const track = <T>(p: Promise<T>): Promise<T> => {
    busy.add(p);
    void p.finally(() => busy.delete(p)).catch(() => undefined);
    return p;
  };

  async function attempt(message: ClaimedOutboxMessage): Promise<void> {
    const deliver = deliverers[message.topic];
    if (!deliver) {
      const error = `no deliverer for outbox topic "${message.topic}" (known: ${Object.keys(deliverers).join(', ')})`;
      await store.settle(message.key, { status: 'dead', error: { message: error } });
      log.error('support: outbox message dropped', { key: message.key, error });
      return;
    }
    try {
      const result = await deliver(message);
      await store.settle(message.key, { status: 'delivered', ...(result ? { result } : {}) });
    } catch (thrown) {
      const e = asDeliveryError(thrown);
      const error = { message: e.message, status: e.status, ambiguous: e.ambiguous };
      const next = decide(e, message.tries, policy, random);
      if (next.retry) {
        await store.settle(message.key, {
          status: 'pending',
          nextAttemptAt: timers.now() + next.delayMs,
          error,
        });
        return;
      }
      const outcome = next.park ? 'parked' : 'dead';
      await store.settle(message.key, { status: outcome, error });
      log.warn(`support: outbox message ${outcome}`, {
        key: message.key,
        tries: message.tries,
        error: e.message,
      });
      await options.onGiveUp?.(message, outcome, e.message);
    }
  }

  async function drain(): Promise<void> {
    for (;;) {
      if (stopped) return;
      const batch = await store.claim({ limit: BATCH, leaseMs });
      if (batch.length === 0) return;
      // One at a time, in order: a thread's messages arrive as they were written.
      for (const message of batch) await attempt(message);
    }
  }

  async function schedule(): Promise<void> {
    if (stopped) return;
    const due = await store.nextDue();
    if (timer !== undefined) timers.clearTimeout(timer);
    timer = undefined;
    if (due === undefined || stopped) return;
    timer = timers.setTimeout(
      () => {
        timer = undefined;
        kick();
      },
      Math.max(0, due - timers.now()),
    );
  }

  function kick(): void {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = track(
      (async () => {
        do {
          again = false;
          await drain();
        } while (again && !stopped);
      })()
        .catch((error: unknown) => log.error('support: outbox delivery failed', { error }))
        .finally(() => {
          running = undefined;
          // A kick that came after the loop's last check would otherwise wait for the timer.
          if (again && !stopped) kick();
          else
            void track(
              schedule().catch((error: unknown) => log.error('support: outbox timer failed', { error })),
            );
        }),
    );
  }

  return {
    async add(message) {
      const max = options.maxMessages;
      if (max !== undefined && (await waiting()) >= max && (await store.get(message.key)) === undefined) {
        limitHit('outboxMessages');
        log.error('support: the outbox is full; a new message is refused', { key: message.key, max });
        throw new OutboxFullError(
          `the support outbox holds ${max} undelivered messages (LIMIT_OUTBOX_MESSAGES); Slack or Teams is not taking them`,
        );
      }
      const added = await store.add(message);
      kick();
      return added;
    },
    async start() {
      stopped = false;
      const resumed = await store.resume();
      if (resumed > 0) log.info('support: resuming parked outbox messages', { count: resumed });
      kick();
    },
    async resume() {
      if (stopped) return;
      await store.resume();
      kick();
    },
    async stop() {
      stopped = true;
      if (timer !== undefined) timers.clearTimeout(timer);
      timer = undefined;
      await this.idle();
    },
    async idle() {
      while (busy.size > 0) await Promise.allSettled([...busy]);
    },
  };
}
