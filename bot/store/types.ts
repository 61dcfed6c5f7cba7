/**
 * The Store: everything the bot must remember to finish a conversation, behind one small
 * interface so SQLite (default), memory (unit tests) and later Redis (scale-out) are
 * interchangeable. No replica may keep conversation state in process: whatever a later turn
 * needs goes through here.
 *
 * Concurrency model (Agents-for-js storage style, with versions instead of eTags): documents
 * that several turns may move at once (sessions, escalations) carry a `version`; `save` is a
 * compare-and-set that succeeds only when the stored version is the one the caller read, and
 * the store, not the caller, assigns the next version. Everything else is either append-only
 * (audit, Direct Line activities) or a single atomic operation (dedupe, pairing redeem).
 *
 * Times are epoch milliseconds from the store's injected clock (`StoreOptions.now`), so tests
 * drive expiry without sleeping.
 */
import type { HistoryStore } from '../dashboard/history-types.ts';
import type { IncidentStore } from '../incidents/types.ts';

/** The columns the store needs from a session; the rest of the document is opaque JSON. */
export interface VersionedDoc {
  id: string;
  /** Assigned by the store: 1 on create, +1 on every successful save. */
  version: number;
  /** The channel's conversation (e.g. `teams:<conversation id>`, `webchat:<id>`). Not unique. */
  conversationKey: string;
}

/** Outcome of a create or compare-and-set save. */
export type SaveResult<T> =
  | { ok: true; doc: T }
  /** `current` is the stored document (undefined when it does not exist) so the caller can retry. */
  | { ok: false; reason: 'conflict'; current: T | undefined };

/** True when `id` without its non-alphanumeric characters ends with `suffix`, ignoring case. */
export function idEndsWith(id: string, suffix: string): boolean {
  const bare = suffix.replace(/[^0-9a-z]/gi, '');
  return (
    bare !== '' &&
    id
      .replace(/[^0-9a-z]/gi, '')
      .toUpperCase()
      .endsWith(bare.toUpperCase())
  );
}

/** Versioned JSON documents (sessions). */
export interface SessionStore<T extends VersionedDoc> {
  get(id: string): Promise<T | undefined>;
  /** The most recently created document for this conversation, if any. */
  findByConversation(conversationKey: string): Promise<T | undefined>;
  /**
   * Documents whose id, without its non-alphanumeric characters, ends with `suffix` (any case):
   * the lookup behind the case number people are shown and type back (bot/core caseRef, made
   * from the id's last six letters and digits), newest first where the store can tell. Several
   * may match: the caller picks the one that is the asker's own. A scan, not an index: people
   * type case numbers rarely.
   */
  findByIdSuffix(suffix: string): Promise<T[]>;
  /** Inserts with version 1 (the given `version` is ignored); conflict when the id exists. */
  create(doc: T): Promise<SaveResult<T>>;
  /**
   * Stores `doc` only if the stored version equals `expectedVersion`; the saved document gets
   * version `expectedVersion + 1`. Conflict when the version moved or the id does not exist.
   * The conversation key is stored as given (a document may move between conversations).
   */
  save(doc: T, expectedVersion: number): Promise<SaveResult<T>>;
  /**
   * One turn's writes as one atomic step (one transaction in SQLite): claim the dedupe key (as
   * DedupeStore.seen), create or compare-and-set the session (as create/save), append the audit
   * entries. All or nothing: `duplicate` when the key is live, `conflict` as save/create say;
   * either way nothing is written, so a retry after a conflict can still claim the key.
   */
  commit(write: TurnCommit<T>): Promise<CommitResult<T>>;
  /**
   * Optional: the documents that carry an `undelivered` field (a turn outbox a crash left behind,
   * Session.undelivered), for the engine to finish at start. Stores shared by replicas leave it
   * out: another replica may be delivering them right now.
   */
  listUndelivered?(): Promise<T[]>;
}

/** What SessionStore.commit writes; every part is optional. */
export interface TurnCommit<T extends VersionedDoc> {
  dedupe?: { key: string; ttlMs: number };
  /** `expectedVersion` 0 creates the document (version 1); otherwise a compare-and-set. */
  session?: { doc: T; expectedVersion: number };
  audit?: AuditInput[];
}

export type CommitResult<T> =
  /** `doc`: the session as stored, when the commit wrote one. */
  | { ok: true; doc?: T }
  | { ok: false; reason: 'duplicate' }
  | { ok: false; reason: 'conflict'; current: T | undefined };

/** Idempotency keys (activity ids, card action ids): a retry or a double click acts once. */
export interface DedupeStore {
  /**
   * Atomically records `key` for `ttlMs`. Returns true when the key was already recorded and
   * not yet expired (the caller should skip the work), false when this call recorded it.
   */
  seen(key: string, ttlMs: number): Promise<boolean>;
}

/** A pairing code waiting for an agent (issue 6). `code` is the normalised code text. */
export interface PairingCode {
  code: string;
  sessionId: string;
  /** Epoch ms after which the code no longer redeems. */
  expiresAt: number;
  /** Opaque extra data (who asked, which cloud). */
  data?: Record<string, unknown>;
}

export type RedeemResult =
  | { ok: true; pairing: PairingCode }
  | { ok: false; reason: 'unknown' | 'expired' | 'redeemed' };

export interface PairingStore {
  /** Stores a code living `ttlMs` from now. Throws when the code already exists (codes are random). */
  put(input: {
    code: string;
    sessionId: string;
    ttlMs: number;
    data?: Record<string, unknown>;
  }): Promise<PairingCode>;
  /** Redeems once, atomically: of two concurrent redeems exactly one gets `ok: true`. */
  redeem(code: string): Promise<RedeemResult>;
  /** What redeem would answer now, without using the code up (the /go page checks a typed code). */
  peek(code: string): Promise<RedeemResult>;
}

/** Fixed-window counters, e.g. failed pairing redeems per client (rate limiting across replicas). */
export interface CounterStore {
  /** Adds one to `key` in the current window of `windowMs` and returns the count in that window. */
  hit(key: string, windowMs: number): Promise<number>;
}

/** Where a paired agent is connected (which replica, since when), so any replica can reach it. */
export interface AgentPresence {
  agentId: string;
  sessionId: string;
  /** The replica holding the agent's WebSocket, or undefined when offline. */
  replicaId?: string;
  online: boolean;
  lastSeenAt: number;
  data?: Record<string, unknown>;
}

export interface AgentStore {
  /** Inserts or replaces the presence record of `agentId`. */
  put(presence: AgentPresence): Promise<void>;
  get(agentId: string): Promise<AgentPresence | undefined>;
  listBySession(sessionId: string): Promise<AgentPresence[]>;
  remove(agentId: string): Promise<void>;
  /**
   * Reads, changes and writes one agent's record atomically across processes and replicas (no
   * other write of it lands in between). `change` edits the record in place and returns false
   * to skip the write. Resolves to the record after it, or undefined when there is none.
   */
  update(
    agentId: string,
    change: (presence: AgentPresence) => boolean | undefined,
  ): Promise<AgentPresence | undefined>;
}

/** A case handed to support; versioned like sessions (two engineers may "take" it at once). */
export interface Escalation extends VersionedDoc {
  sessionId: string;
  status: 'open' | 'taken' | 'closed';
  createdAt: number;
  updatedAt: number;
  data?: Record<string, unknown>;
}

export interface EscalationStore {
  get(id: string): Promise<Escalation | undefined>;
  listBySession(sessionId: string): Promise<Escalation[]>;
  listOpen(): Promise<Escalation[]>;
  create(doc: Escalation): Promise<SaveResult<Escalation>>;
  save(doc: Escalation, expectedVersion: number): Promise<SaveResult<Escalation>>;
}

/** One audit entry; `seq` and `at` are assigned by the store. */
export interface AuditEntry {
  seq: number;
  sessionId: string;
  at: number;
  /** What happened, e.g. `transition`, `card_action`, `agent_paired`. */
  kind: string;
  /** Who did it (user id, `bot`, `agent:<id>`, support engineer id). */
  actor?: string;
  data?: Record<string, unknown>;
}

/** An audit entry to append (the store assigns `seq` and `at`). */
export interface AuditInput {
  sessionId: string;
  kind: string;
  actor?: string;
  data?: Record<string, unknown>;
}

export interface AuditStore {
  append(entry: AuditInput): Promise<AuditEntry>;
  /** Entries of one session, oldest first. */
  list(sessionId: string): Promise<AuditEntry[]>;
}

/** A Direct Line conversation of the self-hosted web chat. */
export interface DirectLineConversation {
  id: string;
  createdAt: number;
  /** Opaque channel data (the user id the token was minted for, …). */
  data?: Record<string, unknown>;
}

/** A Bot Framework activity as JSON; only `id` matters to the store. */
export interface StoredActivity {
  id: string;
  [field: string]: unknown;
}

/**
 * The Direct Line activity log. Each conversation has one counter; every append and every
 * replace takes its next value, so "activities since watermark W" includes both new activities
 * and activities replaced after W (in-place card updates reach polling clients too), while the
 * list keeps each activity at its original position.
 */
export interface DirectLineStore {
  /** Creates the conversation; throws when the id exists. */
  createConversation(conversation: {
    id: string;
    data?: Record<string, unknown>;
  }): Promise<DirectLineConversation>;
  getConversation(id: string): Promise<DirectLineConversation | undefined>;
  /** Appends and returns the conversation's new watermark. Throws when the conversation or activity id is unknown / taken. */
  append(conversationId: string, activity: StoredActivity): Promise<number>;
  /** Replaces the activity with the same id, keeping its position; returns the new watermark, or undefined when there is no such activity. */
  replace(conversationId: string, activity: StoredActivity): Promise<number | undefined>;
  /** One activity by id, or undefined. */
  getActivity(conversationId: string, activityId: string): Promise<StoredActivity | undefined>;
  /** Activities appended or replaced after `watermark` (all when undefined), in original order, and the current watermark. */
  list(
    conversationId: string,
    watermark?: number,
  ): Promise<{ activities: StoredActivity[]; watermark: number }>;
}

/**
 * One outbound message waiting to be delivered (issue 8: delivery that loses nothing). The key
 * is the message's idempotency key: adding a key twice keeps the first, and a delivered key is
 * never sent again. `after` names a message that must be settled (delivered or dead) first, so
 * the messages of one thread arrive in order.
 */
export interface OutboxMessage {
  key: string;
  /** Which deliverer sends it (e.g. `thread.reply`, `user.notice`). */
  topic: string;
  payload: Record<string, unknown>;
  after?: string;
  /**
   * `pending`: the running process tries it at `nextAttemptAt`; `parked`: it stopped after a few
   * tries and waits for the next start (or sweep); `delivered`; `dead`: refused for good.
   */
  status: 'pending' | 'parked' | 'delivered' | 'dead';
  /** Attempts over the message's whole life. */
  attempts: number;
  /** Attempts since it was added or last resumed from `parked`. */
  tries: number;
  /** Epoch ms. */
  nextAttemptAt: number;
  createdAt: number;
  updatedAt: number;
  /** Set while a worker holds it; a lease that ran out means that worker stopped mid-send. */
  leaseUntil?: number;
  /** The last failure; `ambiguous`: the message may have arrived although the call failed. */
  lastError?: { message: string; status?: number; ambiguous?: boolean };
  /** What the delivery returned (e.g. the posted message's id). */
  result?: Record<string, unknown>;
}

/** A claimed message; `recovered`: its previous holder's lease ran out (it may have been sent). */
export type ClaimedOutboxMessage = OutboxMessage & { recovered: boolean };

/** How a claimed attempt ended. */
export type OutboxOutcome =
  | { status: 'delivered'; result?: Record<string, unknown> }
  | { status: 'pending'; nextAttemptAt: number; error: NonNullable<OutboxMessage['lastError']> }
  | { status: 'parked' | 'dead'; error: NonNullable<OutboxMessage['lastError']> };

export interface OutboxStore {
  /** Adds a pending message due at `notBefore` (default now); false when the key exists (kept as is). */
  add(message: {
    key: string;
    topic: string;
    payload: Record<string, unknown>;
    after?: string;
    notBefore?: number;
  }): Promise<boolean>;
  get(key: string): Promise<OutboxMessage | undefined>;
  /**
   * Atomically claims up to `limit` pending messages that are due (store clock), not leased and
   * whose `after` is settled (or unknown), oldest first: each gets attempts + 1, tries + 1 and a
   * lease of `leaseMs`. Two workers never hold one message at once.
   */
  claim(options: { limit: number; leaseMs: number }): Promise<ClaimedOutboxMessage[]>;
  /** Records the outcome of a claimed attempt and frees the lease. */
  settle(key: string, outcome: OutboxOutcome): Promise<void>;
  /** Parked messages become pending again (tries 0, due no earlier than they were); returns how many. */
  resume(): Promise<number>;
  /** When the next claimable pending message is due (leases included), or undefined when none is. */
  nextDue(): Promise<number | undefined>;
  /** Messages in insertion order, optionally of one status. */
  list(status?: OutboxMessage['status']): Promise<OutboxMessage[]>;
}

/** A channel registered to receive escalated cases (issue 8). */
export interface SupportChannel {
  /** `${platform}:${channelId}`. */
  id: string;
  platform: 'slack' | 'teams';
  /** Slack channel id (C…, G…) or Teams channel conversation id (19:…@thread.tacv2). */
  channelId: string;
  /** Teams: the conversation reference the bot posts through (service URL, tenant). */
  ref?: Record<string, unknown>;
  registeredBy?: string;
  /** Epoch ms. */
  registeredAt: number;
}

export interface SupportChannelStore {
  /** Inserts, or replaces the record with the same id. */
  put(channel: SupportChannel): Promise<void>;
  /** Newest registration first. */
  list(): Promise<SupportChannel[]>;
  remove(id: string): Promise<void>;
}

/** The whole store. `S` is the session document type (G2's Session in bot/core/types.ts). */
export interface Store<S extends VersionedDoc = VersionedDoc> {
  readonly sessions: SessionStore<S>;
  readonly dedupe: DedupeStore;
  readonly pairing: PairingStore;
  readonly counters: CounterStore;
  readonly agents: AgentStore;
  readonly escalations: EscalationStore;
  readonly audit: AuditStore;
  readonly directline: DirectLineStore;
  /** Outbound messages of the support relay, retried until delivered (issue 8). */
  readonly outbox: OutboxStore;
  /** Channels registered to receive escalations (issue 8). */
  readonly supportChannels: SupportChannelStore;
  /** Correlation groups of cases with one network cause (issue 18). */
  readonly incidents: IncidentStore;
  /** The dashboard's hourly history, the same on every replica (issue 18). */
  readonly history: HistoryStore;
  /**
   * False while the store cannot be reached (Redis restarting); the HTTP layer then answers 503
   * with Retry-After. Stores that are never unreachable (SQLite, memory) leave it out.
   */
  available?(): boolean;
  /** Throws unless the store is open and accepts a write (for /readyz). */
  checkWritable(): Promise<void>;
  close(): Promise<void>;
}

export interface StoreOptions {
  /** Clock in epoch ms; defaults to Date.now. */
  now?: () => number;
}
