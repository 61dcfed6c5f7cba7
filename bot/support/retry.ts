/**
 * When to try a failed post again, and how long to wait. A 429 says how long (Retry-After):
 * we wait exactly that. 412 (a conflicting update), 408, 500, 502, 503, 504 and network
 * failures are passing trouble: back off exponentially with jitter, so replicas retrying at
 * once do not collide again. Anything else (400, 401, 403, 404, a platform's
 * `channel_not_found`) will not get better by retrying: give up and keep the message.
 */

export { DeliveryError, httpFailure, parseRetryAfter } from '../ports/support-thread.ts';

import { DeliveryError, TRANSIENT } from '../ports/support-thread.ts';

/** Any thrown value as a DeliveryError: errors from other ports (Teams, Direct Line) included. */
export function asDeliveryError(error: unknown): DeliveryError {
  if (error instanceof DeliveryError) return error;
  const e = error as { statusCode?: unknown; status?: unknown; message?: unknown; retryAfter?: unknown };
  const status =
    typeof e?.statusCode === 'number' ? e.statusCode : typeof e?.status === 'number' ? e.status : 0;
  const message = typeof e?.message === 'string' ? e.message : String(error);
  if (status === 429) {
    const seconds = typeof e.retryAfter === 'number' ? e.retryAfter : 1;
    return new DeliveryError(message, { status, retryAfterMs: seconds * 1000 });
  }
  return new DeliveryError(message, {
    status,
    ambiguous: status === 0 || status >= 500,
    permanent: !TRANSIENT.has(status),
  });
}

export interface RetryPolicy {
  /** Attempts per round before the message is parked for the next start (default 4). */
  maxTries: number;
  /** First backoff (default 1 s), doubled per try up to `maxDelayMs` (default 60 s). */
  baseDelayMs: number;
  maxDelayMs: number;
  /** The longest Retry-After honoured as is (default 15 min); longer waits park the message. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  maxTries: 4,
  baseDelayMs: 1000,
  maxDelayMs: 60_000,
  maxRetryAfterMs: 15 * 60_000,
};

export type RetryDecision = { retry: true; delayMs: number } | { retry: false; park: boolean };

/**
 * What to do after try number `tries` (1-based) failed with `error`. `random` in [0, 1):
 * "equal jitter", half the backoff fixed and half random, so a retry never comes right away.
 */
export function decide(
  error: DeliveryError,
  tries: number,
  policy: RetryPolicy,
  random: () => number,
): RetryDecision {
  if (error.permanent) return { retry: false, park: false };
  if (tries >= policy.maxTries) return { retry: false, park: true };
  if (error.retryAfterMs !== undefined) {
    return error.retryAfterMs > policy.maxRetryAfterMs
      ? { retry: false, park: true }
      : { retry: true, delayMs: error.retryAfterMs };
  }
  const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (tries - 1));
  return { retry: true, delayMs: Math.round(backoff / 2 + (backoff / 2) * random()) };
}
