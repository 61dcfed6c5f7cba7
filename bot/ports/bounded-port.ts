/**
 * A channel's replies, bounded (issue 16): every call the engine makes through a ChannelPort
 * (send, sendCard, update) is cut once its deadline passes, so a platform that never answers
 * holds up one conversation's delivery for at most the reply timeout (LIMIT_REPLY_TIMEOUT_MS),
 * never the turn forever. The cut is a thrown ReplyTimeoutError: bot/core/deliver.ts records it
 * as it records any failed effect (`delivery_failed` in the audit), and the turn goes on.
 *
 * Optionally retried: a 5xx, a dropped connection or a 429 is tried again by the support
 * outbox's policy (bot/support/retry.ts `decide`: a 429 waits its Retry-After, refused past the
 * policy's cap; other passing trouble backs off with jitter; a bounded number of tries), with an
 * injected sleep. The wait is this call's alone: other conversations' calls go on meanwhile. A
 * cut call is not retried: it may have landed, and the user has already waited the whole bound.
 * A send that failed ambiguously (a 5xx, a dropped connection: the platform may have posted)
 * and has a key is looked up with `landed` before it is tried again, so it is posted once.
 */
import type { ChannelPort, Session } from '../core/types.ts';
import { limitHit } from '../limit-hits.ts';
import { asDeliveryError, type DeliveryError, decide, type RetryPolicy } from '../support/retry.ts';

/** A reply the platform did not answer before its deadline. */
export class ReplyTimeoutError extends Error {
  readonly code = 'reply_timeout';
  constructor(what: string) {
    super(`${what}: no answer before the reply deadline (LIMIT_REPLY_TIMEOUT_MS)`);
    this.name = 'ReplyTimeoutError';
  }
}

/**
 * Retries of one reply: a turn's user is waiting, so fewer tries and a far shorter Retry-After
 * cap than the support outbox's (whose messages wait persisted, for minutes if need be).
 */
export const REPLY_RETRY: RetryPolicy = {
  maxTries: 4,
  baseDelayMs: 500,
  maxDelayMs: 4_000,
  maxRetryAfterMs: 30_000,
};

export interface ReplyRetry {
  policy: RetryPolicy;
  /** How a channel's thrown error reads (status, Retry-After, permanence); undefined: asDeliveryError's reading. */
  classify?: (error: unknown) => DeliveryError | undefined;
  /** Waits between tries. Default a timer; tests pass one that returns at once. */
  sleep?: (ms: number) => Promise<void>;
  /** In [0, 1), for the backoff's jitter. Default Math.random. */
  random?: () => number;
  /** The id of the message sent with `key` (ChannelPort.send's), if the platform has it. */
  landed?: (session: Session, key: string) => Promise<string | undefined>;
}

export interface BoundedPortOptions {
  /** A fresh signal for one try, aborted when that try has taken too long. */
  deadline: () => AbortSignal;
  /** Absent: no retries here (the channel's own client retries, as botbuilder's does in a turn). */
  retry?: ReplyRetry;
  /** Label for errors and logs, e.g. 'slack'. */
  name: string;
}

/** The deadline a port's tries get in production: the configured reply timeout. */
export const replyDeadline = (timeoutMs: number) => () => AbortSignal.timeout(timeoutMs);

/** `work`'s result, or a ReplyTimeoutError once `signal` aborts (the call itself is left behind). */
function within<T>(work: () => Promise<T>, signal: AbortSignal, what: string): Promise<T> {
  if (signal.aborted) return Promise.reject(new ReplyTimeoutError(what));
  return new Promise<T>((resolve, reject) => {
    const cut = () => {
      limitHit('replyTimeoutMs');
      reject(new ReplyTimeoutError(what));
    };
    signal.addEventListener('abort', cut, { once: true });
    work().then(
      (value) => {
        signal.removeEventListener('abort', cut);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', cut);
        reject(error);
      },
    );
  });
}

const timer = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** `port` with each call bounded by `deadline` and, with `retry`, retried within its policy. */
export function boundedPort(port: ChannelPort, options: BoundedPortOptions): ChannelPort {
  const retry = options.retry;
  const classify = (error: unknown) => retry?.classify?.(error) ?? asDeliveryError(error);
  const sleep = retry?.sleep ?? timer;
  const random = retry?.random ?? Math.random;

  /** `work`, tried within the policy; `landed` asks, before a retry after an ambiguous failure, whether it went through. */
  async function call<T>(
    what: string,
    work: () => Promise<T>,
    landed?: () => Promise<T | undefined>,
  ): Promise<T> {
    const label = `${options.name} ${what}`;
    for (let tries = 1; ; tries++) {
      try {
        return await within(work, options.deadline(), label);
      } catch (error) {
        if (!retry || error instanceof ReplyTimeoutError) throw error;
        const failure = classify(error);
        const next = decide(failure, tries, retry.policy, random);
        if (!next.retry) throw error;
        await sleep(next.delayMs);
        // A failed lookup is no answer: the next try posts (a double post beats a lost reply).
        const found = failure.ambiguous && landed ? await landed().catch(() => undefined) : undefined;
        if (found !== undefined) return found;
      }
    }
  }

  const sendCard = port.sendCard?.bind(port);
  const find = retry?.landed;
  return {
    send: (session, view, key) =>
      call(
        'send',
        () => port.send(session, view, key),
        find && key !== undefined ? () => find(session, key) : undefined,
      ),
    update: (session, activityId, view) => call('update', () => port.update(session, activityId, view)),
    ...(sendCard
      ? {
          sendCard: (session, card, notices, key) =>
            call('send', () => sendCard(session, card, notices, key)),
        }
      : {}),
  };
}
