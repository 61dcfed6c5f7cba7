/**
 * The conversation core's shapes: the persisted Session (the whole state of a conversation),
 * the CoreEvent a channel adapter or the agent gateway hands in, the Effect a transition asks
 * for, and the ports the engine delivers effects through. No channel SDK here: adapters
 * translate to and from these (DESIGN.md "Channel adapters are thin translators").
 *
 * Public to G1 (store, server, web chat), the Teams and Slack adapters and the agent gateway:
 * add fields, never rename or repurpose them.
 */
import type { ActionData, OsName, StepEvidence, StepStatus, Verb, View, Where } from '../../cards/views.ts';
import type { ActionOutcome } from '../../probes/actions/types.ts';
import type { Finding } from '../../probes/findings.ts';
import type { Report } from '../../probes/report.ts';
import type { Area } from '../../probes/runner.ts';
import type { ProbeResult } from '../../probes/types.ts';
import type { AgentAction, PlaybookSet } from '../playbooks/types.ts';
import type { ChannelPlace } from './place.ts';

export type { ActionData, OsName, StepEvidence, StepStatus, Verb, View, Where } from '../../cards/views.ts';

export type Channel = 'teams' | 'webchat' | 'slack';

/** The states of DESIGN.md's machine. `plan` is the findings card before the first step. */
export type SessionState = 'intake' | 'pairing' | 'probing' | 'plan' | 'step' | 'resolved' | 'escalated';

/** `${channel}:${conversationId}`: the one key a conversation's session is found by. */
export function conversationKey(channel: Channel, conversationId: string): string {
  return `${channel}:${conversationId}`;
}

/** One step of the session's plan and its verified status. */
export interface PlanEntry {
  stepId: string;
  status: StepStatus;
  /** What the last re-check measured (the card shows this, not the user's belief). */
  evidence?: StepEvidence;
  /** ISO 8601 instant of the last re-check. */
  checkedAt?: string;
}

export interface TimelineEntry {
  /** ISO 8601. */
  at: string;
  /** Who moved the session: a user id, a support engineer's id, 'agent' or 'bot'. */
  by: string;
  text: string;
}

/** Where the facts of the session came from. */
export type ReportSource = 'agent' | 'manual' | 'result_code' | 'browser';

/**
 * A conversation's whole state. The store holds it; nothing in a process's memory is needed to
 * finish a conversation (another replica, or a restarted one, carries on from this alone).
 */
export interface Session {
  id: string;
  /** The store's compare-and-set version: +1 on every save (G1's SessionStore assigns it). */
  version: number;
  /**
   * The version the conversation's cards were last rendered at. Cards carry it; a click is
   * current when `viewVersion <= data.version <= version`. Saves that only record where a card
   * went (its activity id) move `version` but not this, so they never make a card stale.
   */
  viewVersion: number;
  conversationKey: string;
  channel: Channel;
  /**
   * `ref`: the channel's opaque conversation reference (Bot Framework ConversationReference, …);
   * `place`: where it sits in a Slack or Teams channel (see place.ts).
   */
  conversation: Conversation;
  /** The person whose case this is: the only one (besides support) who may move it. */
  user: { id: string; name?: string };
  state: SessionState;
  os?: OsName;
  where?: Where;
  /** The error code as shown to users, upper case without 0x (CAA20004). */
  code?: string;
  /** The user's own words (first message, trimmed). */
  symptom?: string;
  /** With no code: the answer to the one symptom question (views.ts SYMPTOMS), which picks the guide. */
  symptomKey?: string;
  /** Keywords understood from the user's words: proxy, vpn, dns, certificate, clock, sign_in. */
  hints: string[];
  /** The latest full report (agent or result code); pasted output accumulates in `probes`. */
  report?: Report;
  reportSource?: ReportSource;
  /**
   * The latest browser check from the affected computer (issue 17): kept beside `report`, never
   * in place of an agent's. `supersededAt`: an agent's report came later and counts instead.
   */
  browser?: { report: Report; at: string; supersededAt?: string };
  /** Probe results gathered on the manual path (pasted output), latest per probe id. */
  probes: ProbeResult[];
  /** Root cause first, as diagnosis orders them. */
  findings: Finding[];
  /** Findings the case had earlier that the latest check no longer shows (results.ts earlier()). */
  earlierFindings?: Finding[];
  plan: PlanEntry[];
  /** Index into `plan` of the step on screen. */
  stepIndex: number;
  /** The live card, updated in place as the session moves. */
  cardActivityId?: string;
  /**
   * Notices that went out in the live card's own message (ChannelPort.sendCard), so the channel
   * can keep showing them when it updates that message. Absent when the card was sent alone.
   */
  cardNotices?: NoticeView[];
  /**
   * The turn outbox (issue 16): the effects of the last committed turn that are not delivered yet,
   * written in the same atomic commit as the turn, `next` moved as each goes out, removed when all
   * have. A process killed mid-delivery leaves it behind, and the next start delivers the rest
   * (Engine.resumeInterrupted), so a turn's replies arrive even when the process died between the
   * commit and the channel. `key` names the turn; `key:index` keys each send where the channel
   * can dedupe (the web chat), so a send that went out just before the kill is not sent twice.
   */
  undelivered?: { key: string; effects: Effect[]; next: number };
  /**
   * Pairing with the companion agent (issue 6). `lost`: the paired agent went away mid-job; its
   * secret lived in its memory, so only a new code (pairing.renew) pairs a computer again.
   */
  pairing?: { code: string; expiresAt: string; device?: PairedDevice; confirmed?: boolean; lost?: boolean };
  escalation?: { caseRef: string; at: string; reason: string; takenBy?: string };
  /**
   * A watch job is running (issue 15: "keep checking while I try to sign in"): the live card
   * watches instead of showing the plan or step, until the report (or the job's end) comes.
   * `stopping`: the user pressed Stop; the agent sends what it saw so far.
   */
  watch?: WatchState;
  /** Ids of the last events applied, so a replay that slipped past the store's dedupe is a no-op. */
  recentEvents: string[];
  /**
   * The last button press applied (verb, step, value and the card version it came from) and when:
   * a second tap on the same button of the same card moments later is ignored quietly (issue 14).
   */
  lastTap?: { key: string; at: string };
  timeline: TimelineEntry[];
  createdAt: string;
  updatedAt: string;
}

export interface WatchState {
  /** The core's id of the watch job (agentProgress and agentJobEnded carry it). */
  jobId: string;
  durationMs: number;
  /** ISO 8601. */
  startedAt: string;
  stopping?: boolean;
}

export interface Actor {
  id: string;
  name?: string;
  /** `agent`: the paired companion agent, authenticated by the gateway. */
  role: 'user' | 'support' | 'agent';
}

/** A conversation as its channel names it. */
export interface Conversation {
  id: string;
  /** The channel's opaque reference (Bot Framework ConversationReference, Slack channel and thread). */
  ref?: unknown;
  /** Where the conversation sits in a Slack or Teams channel, set by the adapter (place.ts). */
  place?: ChannelPlace;
}

interface EventBase {
  /** Unique per delivery source (activity id, Slack action ts, job id): the dedupe key. */
  id: string;
  conversationKey: string;
  channel: Channel;
  conversation: Conversation;
  actor: Actor;
  /** ISO 8601, when the channel received it. */
  at: string;
}

export type CoreEvent = EventBase &
  (
    | { kind: 'message'; text: string }
    | { kind: 'action'; verb: Verb; data: Omit<ActionData, 'verb'> }
    | { kind: 'report'; report: Report; source: ReportSource }
    | { kind: 'recheckResult'; stepId: string; probes: ProbeResult[]; jobId?: string }
    /** The gateway redeemed the session's pairing code (issue 6): the user must confirm the device. */
    | { kind: 'paired'; device: PairedDevice }
    /** A running job's progress (throttled by the gateway): the progress card changes, the session does not. */
    | {
        kind: 'agentProgress';
        jobId: string;
        jobType: AgentJob['type'];
        stepId?: string;
        progress: JobProgress;
      }
    /** A job ended without a report or re-check result: lost, refused, declined, or an action's outcome. */
    | {
        kind: 'agentJobEnded';
        jobId: string;
        jobType: AgentJob['type'];
        stepId?: string;
        outcome: JobOutcome;
        /** One sentence for the chat. */
        message: string;
        action?: ActionOutcome;
      }
  );

export interface JobProgress {
  done: number;
  total: number;
  /** Finished probes that did not pass. */
  failed: number;
  areas: Array<{ area: Area; done: number; total: number; failed: number }>;
  /** A watch job's rounds so far (the full check is the first), those with failures, and the time left. */
  watch?: { rounds: number; failedRounds: number; leftMs: number };
}

/**
 * How a job ended when it brought no report. `lost`: the agent went away or the deadline
 * passed; `refused`: the agent or gateway would not run it; `declined`: the person at the
 * computer said no; the action statuses otherwise.
 */
export type JobOutcome =
  | 'lost'
  | 'refused'
  | 'failed'
  | 'timeout'
  | 'declined'
  | 'done'
  | 'partial'
  | 'dry_run';

export interface PairedDevice {
  hostname: string;
  os: string;
  user?: string;
  agentId?: string;
}

export type CoreEventKind = CoreEvent['kind'];

/**
 * What a channel hands in for the support relay alone (issue 11): the channel's own parser
 * recognised it, so nobody reads the text again. The state machine never sees these; a pipeline
 * step (bot/support) takes them, and without one the engine ignores them.
 */
export type SupportEvent = EventBase &
  /**
   * "Make the channel this came from the support channel" (Slack `/reconnect support-here`, an
   * @mention "support here" in a Slack or Teams channel). `confirm`: `thread` posts the answer in
   * the thread of `conversation.place`; `reply` returns it as the turn's `text` (a slash
   * command's ephemeral answer). `channelRef`: the reference new case threads are posted to
   * (Teams: the channel's own, without the thread). `aliases`: other ids of the same person
   * (Teams: the Entra object id) that SUPPORT_ADMINS may list instead of `actor.id`.
   */
  (
    | {
        kind: 'supportRegister';
        confirm: 'thread' | 'reply';
        channelRef?: Record<string, unknown>;
        aliases?: string[];
      }
    /**
     * A person's reply in a channel's thread, not addressed to the bot (a mention comes as a
     * `message`): only support wants it, when the thread is a case's.
     */
    | { kind: 'threadReply'; text: string }
  );

/** Everything a channel or the agent gateway hands the engine. */
export type InboundEvent = CoreEvent | SupportEvent;

/** True for the events the state machine moves on (not a support relay's own). */
export function isCoreEvent(event: InboundEvent): event is CoreEvent {
  return event.kind !== 'supportRegister' && event.kind !== 'threadReply';
}

/**
 * A short text reply that is not a screen: "this card is out of date", "I could not read that".
 * Channels render it as plain text. `accepts` lists what the user may say or paste instead.
 */
export interface NoticeView {
  screen: 'notice';
  sessionId: string;
  version: number;
  tone: 'info' | 'warning';
  text: string;
  /** What the bot understood from the user's input, as short phrases. */
  understood?: string[];
  accepts?: string[];
}

/** Everything the engine can put in front of the user. */
export type OutboundView = View | NoticeView;

/** A job for the paired companion agent (issue 6). Closed set, validated on both ends. */
export type AgentJob =
  | { type: 'check'; jobId: string; sessionId: string }
  | { type: 'recheck'; jobId: string; sessionId: string; stepId: string; probeIds: string[] }
  | { type: 'action'; jobId: string; sessionId: string; stepId: string; action: AgentAction }
  /** A full check, then the cheap probes in rounds for `watchMs` (the agent's `check --watch`). */
  | { type: 'watch'; jobId: string; sessionId: string; watchMs: number };

/** What the engine appends to the store's audit log (G1's AuditStore.append input). */
export interface AuditRecord {
  sessionId: string;
  /** Stable, snake_case: `transition`, `action_refused`, `stale_click`, `escalated`, `replay`. */
  kind: string;
  /** Who did it: a user or support id, `agent:<id>`, or `bot`. */
  actor?: string;
  data?: Record<string, unknown>;
}

export type Effect =
  /** A new message. `live`: it becomes the card later `update`s replace. */
  | { type: 'send'; view: OutboundView; live?: boolean }
  /** Replace the live card (session.cardActivityId) with this view; sent anew when there is none. */
  | { type: 'update'; view: View }
  | { type: 'dispatch'; job: AgentJob }
  /** Ends a running watch job early (its report still comes, with the rounds so far). */
  | { type: 'cancel'; jobId: string }
  | { type: 'escalate'; caseRef: string; reason: string }
  | { type: 'audit'; entry: AuditRecord };

export interface TransitionDeps {
  playbooks: PlaybookSet;
  /** ISO 8601 "now": the transition never reads a clock. */
  now: string;
  /** An agent gateway is configured: offer pairing before the manual path. Default false. */
  agents?: boolean;
  /**
   * A freshly minted pairing code. The engine supplies it only when a first run of the
   * transition answered `needs: 'pairingCode'` (codes are random, so the pure function cannot
   * make one), then runs the transition again.
   */
  pairingCode?: { code: string; expiresAt: string };
  /** The bot's public URL, for the agent's pairing command. */
  serverUrl?: string;
  /** Set when escalation has no support port or channel: how users reach IT instead (issue 14). */
  supportContact?: string;
  /** How long "Keep checking while I try to sign in" watches. Default WATCH_MS (2 minutes). */
  watchMs?: number;
}

export interface TransitionResult {
  session: Session;
  effects: Effect[];
  /** Run again with `deps.pairingCode` set: the session moves to pairing. */
  needs?: 'pairingCode';
}

/**
 * How the engine reaches a conversation. Adapters implement it over their SDK (Bot Connector,
 * Direct Line, Slack Web API). `send` returns the new activity's id, recorded as the live card.
 */
export interface ChannelPort {
  /**
   * `key`, when given, names this send across retries of one turn's delivery (Session.undelivered):
   * a channel that can (the web chat) answers a second send with the same key with the first
   * one's id and sends nothing; others ignore it.
   */
  send(session: Session, view: OutboundView, key?: string): Promise<string>;
  update(session: Session, activityId: string, view: View): Promise<void>;
  /**
   * Optional: a new live card and the notices sent next to it as ONE message (their text above
   * the card), for channels whose messages carry both: one call to the channel instead of one
   * per notice. Resolves with the message id, or undefined when this session's channel (or the
   * moment, e.g. a Teams invoke) does not combine: the engine then sends them one by one. A
   * channel that combines keeps the notices on later updates of that message; the engine
   * records them in `session.cardNotices` with the card's id.
   */
  sendCard?(session: Session, card: View, notices: NoticeView[], key?: string): Promise<string | undefined>;
}

/** Issue 6's gateway: pairing codes and jobs for the session's paired agent. Optional (manual path). */
export interface AgentPort {
  /** Mints and stores a pairing code for the session (store.pairing.put). */
  issuePairing(session: Session): Promise<{ code: string; expiresAt: string }>;
  dispatch(session: Session, job: AgentJob): Promise<void>;
  /** Ends the session's running watch job `jobId` (a core job id) early. Best effort. */
  cancel?(session: Session, jobId: string): Promise<void>;
}

/** Opens a case in the support thread (issue 5/7). Optional: without it the escalation is audited only. */
export interface SupportPort {
  escalate(session: Session, effect: Extract<Effect, { type: 'escalate' }>): Promise<void>;
  /**
   * How users reach IT while no support channel is connected to take cases (the operator's
   * SUPPORT_CONTACT_TEXT), or undefined when one is: the escalated card says what is true.
   */
  contact?(): Promise<string | undefined>;
}
