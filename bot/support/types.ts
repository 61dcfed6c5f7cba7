/**
 * The shapes of issue 8's support relay: where cases go (a support target), what is posted to
 * a support thread (platform-neutral, already redacted), the transport that posts it on one
 * platform, and the case record kept with the escalation in the Store.
 */
import type { ProbeStatus } from '../../probes/types.ts';
import type { SupportTarget } from '../ports/support-thread.ts';
import type { Escalation } from '../store/types.ts';
import type { RedactionState } from './redact.ts';

export type {
  SupportPlatform,
  SupportTarget,
  SupportTransport,
  ThreadMessage,
} from '../ports/support-thread.ts';

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
