/**
 * The engine runs one event through a turn, top to bottom in `runTurn`: load the session (the
 * turn's one read of it), the pipeline steps' gates (the support relay: a support thread's
 * replies and buttons, a user writing while a person has the case), authorise, transition, commit
 * the turn in one atomic store write (the event's dedupe key, the compare-and-set save, the audit
 * record; re-running the pure transition on the fresher session when another turn got there
 * first), deliver the effects through the ports (deliver.ts), then the after-steps (telling the
 * support thread, the agent gateway's lifecycle). Nothing is kept in memory between events: the
 * session in the store is the conversation's whole state, so any replica, or a restarted process,
 * carries on.
 */
import { randomUUID } from 'node:crypto';
import type { PlaybookSet } from '../playbooks/types.ts';
import type { CommitResult, Store, TurnCommit } from '../store/types.ts';
import { authorize } from './authorize.ts';
import { ownCase } from './case-number.ts';
import { createDelivery, outboxAt } from './deliver.ts';
import { refused } from './notices.ts';
import type { AfterCore, StepAnswer, StepOutcome, Turn, TurnStep } from './pipeline.ts';
import { newSession } from './session.ts';
import { transition } from './transition.ts';
import {
  type AgentPort,
  type AuditRecord,
  type ChannelPort,
  type CoreEvent,
  type Effect,
  type InboundEvent,
  isCoreEvent,
  type Session,
  type SupportPort,
  type TransitionDeps,
  type TransitionResult,
} from './types.ts';

/** Said when escalation has nowhere to go and the operator set no contact text. */
const DEFAULT_CONTACT = 'Please contact your IT help desk.';

export interface EngineOptions {
  store: Store<Session>;
  port: ChannelPort;
  playbooks: PlaybookSet;
  /** Epoch milliseconds. */
  clock: () => number;
  /** Where audit records go; default the store's audit log. */
  audit?: (record: AuditRecord) => Promise<unknown>;
  /** Issue 6's gateway: pairing codes and agent jobs. Without it the manual path is the only path. */
  agents?: AgentPort;
  support?: SupportPort;
  /**
   * The turn's other steps, in order (pipeline.ts): the support relay's gate, the agent
   * gateway's lifecycle, … Each is a small interface; the engine knows none of them.
   */
  steps?: TurnStep[];
  /** New session ids; default crypto.randomUUID. */
  newId?: () => string;
  /** The bot's public URL, shown in the agent's pairing command. */
  serverUrl?: string;
  /**
   * What users are told about reaching IT when escalation has no support port (SUPPORT_CONTACT_TEXT):
   * the escalated card then says this instead of promising a reply in the chat.
   */
  supportContact?: string;
  /** How long "Keep checking while I try to sign in" watches; default 2 minutes (watch.ts). */
  watchMs?: number;
  /** How long an event id is remembered for dedupe (default 24 h: Teams and Slack retry within minutes). */
  dedupeTtlMs?: number;
  /** Compare-and-set attempts before giving up (default 8). */
  maxAttempts?: number;
}

/** The core's outcomes, and those of a step that answered the event itself. */
export type HandleOutcome = 'duplicate' | 'refused' | 'unchanged' | 'applied' | StepOutcome;

export interface HandleResult {
  outcome: HandleOutcome;
  /** The session as saved after the event (with the live card's id recorded). */
  session?: Session;
  effects: Effect[];
  /** Effects whose delivery failed (the state is saved regardless). */
  failures: Array<{ effect: Effect; error: string }>;
  /** A step's answer for the channel to show in place (StepAnswer.text). */
  text?: string;
}

export interface Engine {
  handle(event: InboundEvent): Promise<HandleResult>;
  /**
   * At start: delivers what turns committed before a crash had not delivered yet (their
   * Session.undelivered), where the store can list them (a single process on SQLite: no other
   * replica may be delivering them right now). Resolves with how many sessions it resumed.
   */
  resumeInterrupted(): Promise<number>;
}

/** Thrown when a session kept changing under us for `maxAttempts` saves. */
export class EngineConflictError extends Error {
  readonly code = 'session_conflict';
}

const DAY_MS = 24 * 60 * 60 * 1000;

export function createEngine(options: EngineOptions): Engine {
  const { store, playbooks } = options;
  const audit = options.audit ?? ((r: AuditRecord) => store.audit.append(r));
  const newId = options.newId ?? randomUUID;
  const maxAttempts = options.maxAttempts ?? 8;
  const deliver = createDelivery({ ...options, audit, maxAttempts });
  const steps = options.steps ?? [];

  async function load(event: InboundEvent): Promise<Session | undefined> {
    // A click names its session (support threads act on sessions of other conversations).
    if (event.kind === 'action') return store.sessions.get(event.data.sessionId);
    const here = await store.sessions.findByConversation(event.conversationKey);
    // A typed case number brings the asker's own case from another conversation (case-number.ts).
    return isCoreEvent(event) ? ((await ownCase(store.sessions, event, here)) ?? here) : here;
  }

  /**
   * Writes a turn through SessionStore.commit: the event's dedupe key, the session and the turn's
   * audit records in one atomic step (a custom `options.audit` sink gets its records after it).
   */
  async function commit(write: TurnCommit<Session>, records: AuditRecord[]): Promise<CommitResult<Session>> {
    const result = await store.sessions.commit(options.audit ? write : { ...write, audit: records });
    if (result.ok && options.audit) for (const record of records) await options.audit(record);
    return result;
  }

  async function apply(
    event: CoreEvent,
    start: Session,
    dedupe: NonNullable<TurnCommit<Session>['dedupe']>,
  ): Promise<(TransitionResult & { before: Session }) | 'duplicate'> {
    let session = start;
    let pairingCode: TransitionDeps['pairingCode'];
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const deps: TransitionDeps = {
        playbooks,
        now: new Date(options.clock()).toISOString(),
        agents: options.agents !== undefined,
        ...(options.serverUrl ? { serverUrl: options.serverUrl } : {}),
        ...(options.support ? {} : { supportContact: options.supportContact ?? DEFAULT_CONTACT }),
        ...(options.watchMs ? { watchMs: options.watchMs } : {}),
        ...(pairingCode ? { pairingCode } : {}),
      };
      let result = transition(session, event, deps);
      if (result.needs === 'pairingCode' && options.agents) {
        pairingCode ??= await options.agents.issuePairing(session);
        result = transition(session, event, { ...deps, pairingCode });
      }
      // Escalated with no support channel connected yet: the card names whom to contact instead.
      const contact = result.session.state === 'escalated' && (await options.support?.contact?.());
      if (contact && !deps.supportContact)
        result = transition(session, event, { ...deps, supportContact: contact });
      // Unchanged, the turn still claims the event id, so a retry does not repeat its replies.
      const changed = result.session.version !== session.version;
      // The turn's effects ride in its commit (the turn outbox, Session.undelivered).
      const doc = outboxAt(result.session, `${session.id}@${session.version + 1}`, result.effects, 0);
      const saved = changed
        ? await commit({ dedupe, session: { doc, expectedVersion: session.version } }, [
            transitionRecord(event, session, result.session),
          ])
        : await commit({ dedupe }, []);
      if (saved.ok) return { ...result, session: saved.doc ?? result.session, before: session };
      if (saved.reason === 'duplicate') return 'duplicate';
      if (!saved.current) throw new EngineConflictError(`session ${session.id} vanished while saving`);
      session = saved.current;
    }
    throw new EngineConflictError(`session ${start.id} kept changing; gave up after ${maxAttempts} attempts`);
  }

  /** Runs every step's gate in order, until one answers (the core does not run then). */
  async function gates(
    turn: Turn & { event: InboundEvent },
  ): Promise<{ answer?: StepAnswer; after: AfterCore[] }> {
    const after: AfterCore[] = [];
    for (const step of steps) {
      const verdict = await step.gate?.(turn);
      if (!verdict) continue;
      if ('answer' in verdict) return { answer: verdict.answer, after };
      if (verdict.event) turn.event = verdict.event;
      if (verdict.after) after.push(verdict.after);
    }
    return { after };
  }

  /**
   * An event the session does not accept: none to act on (a click on a gone session, an agent
   * event for none), or `authorize` refuses it. Audited with the event's dedupe key, answered
   * (a polite notice where the person should hear one). Undefined when the turn goes on.
   */
  async function refusal(
    event: CoreEvent,
    found: Session | undefined,
    dedupe: NonNullable<TurnCommit<Session>['dedupe']>,
  ): Promise<HandleResult | undefined> {
    if (!found && (event.kind !== 'message' || event.actor.role !== 'user')) {
      const record: AuditRecord = {
        sessionId: event.kind === 'action' ? event.data.sessionId : event.conversationKey,
        kind: 'unknown_session',
        actor: event.actor.id,
        data: { kind: event.kind },
      };
      return (await commit({ dedupe }, [record])).ok ? { outcome: 'refused', ...none() } : duplicate();
    }
    if (!found) return undefined;
    const verdict = authorize(found, event);
    if (verdict.ok) return undefined;
    const record: AuditRecord = {
      sessionId: found.id,
      kind: 'action_refused',
      actor: event.actor.id,
      data: {
        reason: verdict.reason,
        kind: event.kind,
        ...(event.kind === 'action' ? { verb: event.verb } : {}),
      },
    };
    if (!(await commit({ dedupe }, [record])).ok) return duplicate();
    const effects: Effect[] = verdict.reply ? [{ type: 'send', view: refused(found, event.actor.name) }] : [];
    const { failures } = await deliver(found, effects);
    return { outcome: 'refused', session: found, effects, failures };
  }

  /**
   * One turn, top to bottom. `from`: the session a follow-up event continues (an escalation
   * after the last "Still failing"), saved by the turn before: no read, no gates.
   */
  async function runTurn(arrived: InboundEvent, from?: Session): Promise<HandleResult> {
    // 1. Load: the one read of the session in this turn; every step works on this one.
    const turn: Turn & { event: InboundEvent } = {
      arrived,
      event: arrived,
      session: from ?? (await load(arrived)),
    };
    // 2. Gates: the support relay may answer the event itself, or hand the core another one.
    const gated = from ? { after: [] } : await gates(turn);
    let result: HandleResult;
    if (gated.answer) result = { ...none(), ...gated.answer };
    else if (!isCoreEvent(turn.event)) result = { outcome: 'ignored', ...none() };
    else {
      const event = turn.event;
      // Claimed with the turn's own writes (SessionStore.commit): a delivery that lost the race,
      // or a retry of a finished one, writes nothing and answers nothing.
      const dedupe = { key: `event:${event.id}`, ttlMs: options.dedupeTtlMs ?? DAY_MS };
      // 3. Authorise: no session to act on, or not this person's to move.
      const refusedTurn = await refusal(event, turn.session, dedupe);
      if (refusedTurn) result = refusedTurn;
      else {
        // 4. Transition and commit (again on a fresher session after a conflict).
        const start = turn.session ?? newSession(newId(), event, new Date(options.clock()).toISOString());
        const applied = await apply(event, start, dedupe);
        if (applied === 'duplicate') result = duplicate();
        else {
          // 5. Deliver: from the turn's outbox when the commit wrote one (Session.undelivered).
          const delivered = applied.session.undelivered
            ? await deliver.resume(applied.session)
            : await deliver(applied.session, applied.effects);
          result = {
            outcome: applied.session.version !== applied.before.version ? 'applied' : 'unchanged',
            session: delivered.session,
            effects: applied.effects,
            failures: delivered.failures,
          };
        }
      }
    }
    // 6. After the core: what the gates asked for (support's thread), maybe a follow-up event.
    let next: CoreEvent | undefined;
    if (!gated.answer) for (const after of gated.after) next = (await after(result)) ?? next;
    // 7. After every turn: the agent gateway's lifecycle, …
    for (const step of steps) await step.after?.(turn, result);
    // 8. A follow-up is a turn of its own, from the session this one saved.
    return next ? runTurn(next, result.session ?? turn.session) : result;
  }

  async function resumeInterrupted(): Promise<number> {
    const interrupted = (await store.sessions.listUndelivered?.()) ?? [];
    for (const session of interrupted) await deliver.resume(session);
    return interrupted.length;
  }

  return { handle: (event) => runTurn(event), resumeInterrupted };
}

const none = () => ({ effects: [], failures: [] });
const duplicate = (): HandleResult => ({ outcome: 'duplicate', ...none() });

/** The audit record of a saved transition. */
function transitionRecord(event: CoreEvent, before: Session, after: Session): AuditRecord {
  return {
    sessionId: after.id,
    kind: 'transition',
    actor: event.actor.role === 'agent' ? `agent:${event.actor.id}` : event.actor.id,
    data: {
      event: event.kind,
      ...(event.kind === 'action' ? { verb: event.verb } : {}),
      from: before.state,
      to: after.state,
      // What the store assigns on this save (version + 1, see SessionStore.save).
      version: before.version + 1,
    },
  };
}
