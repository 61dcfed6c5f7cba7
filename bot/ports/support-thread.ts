/**
 * The contract between the support relay (bot/support) and the channels that carry its case
 * threads (bot/channels/slack, bot/channels/teams), kept here so that neither imports the other:
 * where a case goes (a support target), what is posted (platform-neutral, already redacted), the
 * transport a channel implements to post it, and the error every transport failure is thrown as,
 * so the support outbox can tell "wait and retry" from "give up".
 */
import type { EscalationView } from '../../cards/views.ts';

export type SupportPlatform = 'slack' | 'teams';

/** A support channel cases are posted to (configured, or registered by a command). */
export interface SupportTarget {
  platform: SupportPlatform;
  /** Slack channel id (C…, G…) or Teams channel conversation id (19:…@thread.tacv2). */
  channelId: string;
  /** Teams: the conversation reference of the channel (serviceUrl, tenant, bot). */
  ref?: Record<string, unknown>;
}

/** One message for a support thread. Built redacted; transports only lay it out. */
export type ThreadMessage =
  | { kind: 'card'; view: EscalationView }
  | { kind: 'text'; text: string }
  /** Monospace text: the case summary, the report JSON (one part of it when it is long). */
  | { kind: 'code'; title: string; body: string };

/**
 * Posts to support threads on one platform. Every failure is thrown as a DeliveryError (below) so the outbox can tell "wait and retry" from "give up".
 */
export interface SupportTransport {
  /** Posts a new thread's first message; returns its id (Slack ts, Teams activity id). */
  startThread(target: SupportTarget, message: ThreadMessage, key: string): Promise<string>;
  reply(target: SupportTarget, threadId: string, message: ThreadMessage, key: string): Promise<string>;
  update(target: SupportTarget, threadId: string, messageId: string, message: ThreadMessage): Promise<void>;
  /**
   * The id of a message posted earlier with `key` (in the thread, or among the channel's latest
   * messages when `threadId` is undefined), so a retry after an ambiguous failure does not post
   * it twice. Optional: platforms without message metadata cannot look.
   */
  find?(target: SupportTarget, threadId: string | undefined, key: string): Promise<string | undefined>;
}

/** The failure of one delivery attempt, as transports throw it. */
export class DeliveryError extends Error {
  readonly code = 'delivery_failed';
  /** HTTP status, when there was a response; 0 for a network failure. */
  readonly status: number;
  /** From a 429's Retry-After (ms). */
  readonly retryAfterMs?: number;
  /** The message may have arrived although the call failed (a 5xx, a dropped connection). */
  readonly ambiguous: boolean;
  /** Retrying cannot help (bad request, no access, unknown channel). */
  readonly permanent: boolean;
  constructor(
    message: string,
    init: { status: number; retryAfterMs?: number; ambiguous?: boolean; permanent?: boolean },
  ) {
    super(message);
    this.status = init.status;
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
    this.ambiguous = init.ambiguous ?? false;
    this.permanent = init.permanent ?? false;
  }
}

/** Statuses worth another try after a backoff. */
export const TRANSIENT: ReadonlySet<number> = new Set([0, 408, 412, 500, 502, 503, 504]);

/** Reads Retry-After: seconds, or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/**
 * A DeliveryError for an HTTP answer. 5xx and 0 are ambiguous (the server may have acted);
 * 429 and 412 are not (refused before acting).
 */
export function httpFailure(
  what: string,
  status: number,
  retryAfter: string | null | undefined,
  nowMs: number,
): DeliveryError {
  if (status === 429)
    return new DeliveryError(`${what}: rate limited (429)`, {
      status,
      retryAfterMs: parseRetryAfter(retryAfter, nowMs) ?? 1000,
    });
  return new DeliveryError(`${what}: HTTP ${status}`, {
    status,
    ambiguous: status >= 500,
    permanent: !TRANSIENT.has(status),
  });
}
