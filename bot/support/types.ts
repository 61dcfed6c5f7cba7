/**
 * The shapes of issue 8's support relay: where cases go (a support target), what is posted to
 * a support thread (platform-neutral, already redacted), the transport that posts it on one
 * platform, and the case record kept with the escalation in the Store.
 */
import type { EscalationView } from '../../cards/views.ts';
import type { ProbeStatus } from '../../probes/types.ts';
import type { Escalation } from '../store/types.ts';
import type { RedactionState } from './redact.ts';

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
 * Posts to support threads on one platform. Every failure is thrown as a DeliveryError (see
 * retry.ts) so the outbox can tell "wait and retry" from "give up".
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

/** A support person as the thread saw them. */
export interface SupportPerson {
  id: string;
  name: string;
}

/** A support re-run waiting for its results: what the checks said before. */
export interface PendingRerun {
  by: SupportPerson;
  /** ISO 8601. */
  at: string;
  /** Probe id → status before the re-run (raw ids: the record is never posted; the diff is redacted). */
  baseline: Record<string, ProbeStatus>;
  /** Finding ids before the re-run. */
  findings: string[];
}

/** What the store keeps with an escalation (Escalation.data): never posted as such. */
export interface CaseData {
  caseRef: string;
  /** The user's conversation (the session's), for relays. */
  sessionId: string;
  /** 1 for the first escalation; +1 when a closed case is escalated again. */
  round: number;
  /** Where the case was posted: the platform, the channel (checked on every support action), the thread. */
  support?: SupportTarget & { threadId?: string };
  takenBy?: SupportPerson;
  closedBy?: string;
  rerun?: PendingRerun;
  redaction: RedactionState;
  /** The last outbox key of each stream, so the next message waits for it (order in the thread and the chat). */
  tails: { thread?: string; user?: string };
  /** Support people seen in the thread (id → display name), for relayed replies. */
  people: Record<string, string>;
}

/** An escalation whose data is a CaseData. */
export type CaseRecord = Escalation & { data: CaseData };
