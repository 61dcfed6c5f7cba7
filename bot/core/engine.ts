/**
 * The engine runs one event through the core: dedupe, load (or open) the session, authorise,
 * transition, compare-and-set save (re-running the pure transition on the fresher session when
 * another turn got there first), then deliver the effects through the ports. Nothing is kept
 * in memory between events: the session in the store is the conversation's whole state, so any
 * replica, or a restarted process, carries on.
 */
import { randomUUID } from 'node:crypto';
import type { PlaybookSet } from '../playbooks/types.ts';
import type { Store } from '../store/types.ts';
import { authorize } from './authorize.ts';
import { refused } from './notices.ts';
import { newSession } from './session.ts';
import { transition } from './transition.ts';
import type {
  AgentPort,
  AuditRecord,
  ChannelPort,
  CoreEvent,
  Effect,
  Session,
  SupportPort,
  TransitionDeps,
  TransitionResult,
} from './types.ts';

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
  /** New session ids; default crypto.randomUUID. */
  newId?: () => string;
  /** The bot's public URL, shown in the agent's pairing command. */
  serverUrl?: string;
  /** How long an event id is remembered for dedupe (default 24 h: Teams and Slack retry within minutes). */
  dedupeTtlMs?: number;
  /** Compare-and-set attempts before giving up (default 8). */
  maxAttempts?: number;
}

export type HandleOutcome = 'duplicate' | 'refused' | 'unchanged' | 'applied';

export interface HandleResult {
  outcome: HandleOutcome;
  /** The session as saved after the event (with the live card's id recorded). */
  session?: Session;
  effects: Effect[];
  /** Effects whose delivery failed (the state is saved regardless). */
  failures: Array<{ effect: Effect; error: string }>;
}

export interface Engine {
  handle(event: CoreEvent): Promise<HandleResult>;
}

/** Thrown when a session kept changing under us for `maxAttempts` saves. */
export class EngineConflictError extends Error {
  readonly code = 'session_conflict';
}

const DAY_MS = 24 * 60 * 60 * 1000;

export function createEngine(options: EngineOptions): Engine {
  const { store, port, playbooks } = options;
  const audit = options.audit ?? ((r: AuditRecord) => store.audit.append(r));
  const newId = options.newId ?? randomUUID;
  const maxAttempts = options.maxAttempts ?? 8;

  async function load(event: CoreEvent): Promise<Session | undefined> {
    // A click names its session (support threads act on sessions of other conversations).
    if (event.kind === 'action') return store.sessions.get(event.data.sessionId);
    return store.sessions.findByConversation(event.conversationKey);
  }

  async function apply(event: CoreEvent, start: Session): Promise<TransitionResult & { before: Session }> {
    let session = start;
    let pairingCode: TransitionDeps['pairingCode'];
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const deps: TransitionDeps = {
        playbooks,
        now: new Date(options.clock()).toISOString(),
        agents: options.agents !== undefined,
        ...(options.serverUrl ? { serverUrl: options.serverUrl } : {}),
        ...(pairingCode ? { pairingCode } : {}),
      };
      let result = transition(session, event, deps);
      if (result.needs === 'pairingCode' && options.agents) {
        pairingCode ??= await options.agents.issuePairing(session);
        result = transition(session, event, { ...deps, pairingCode });
      }
      if (result.session.version === session.version) return { ...result, before: session };
      const saved =
        session.version === 0
          ? await store.sessions.create(result.session)
          : await store.sessions.save(result.session, session.version);
      if (saved.ok) return { ...result, session: saved.doc, before: session };
      if (!saved.current) throw new EngineConflictError(`session ${session.id} vanished while saving`);
      session = saved.current;
    }
    throw new EngineConflictError(`session ${start.id} kept changing; gave up after ${maxAttempts} attempts`);
  }

  async function deliver(
    start: Session,
    effects: Effect[],
  ): Promise<{ session: Session; failures: HandleResult['failures'] }> {
    let session = start;
    const failures: HandleResult['failures'] = [];
    for (const effect of effects) {
      try {
        session = await deliverOne(session, effect);
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err);
        failures.push({ effect, error });
        await audit({
          sessionId: session.id,
          kind: 'delivery_failed',
          actor: 'bot',
          data: { effect: effect.type, error },
        });
      }
    }
    return { session, failures };
  }

  async function deliverOne(session: Session, effect: Effect): Promise<Session> {
    switch (effect.type) {
      case 'send': {
        const id = await port.send(session, effect.view);
        return effect.live ? recordCard(session, id) : session;
      }
      case 'update':
        if (session.cardActivityId) {
          await port.update(session, session.cardActivityId, effect.view);
          return session;
        }
        return recordCard(session, await port.send(session, effect.view));
      case 'dispatch':
        if (options.agents) await options.agents.dispatch(session, effect.job);
        else
          await audit({
            sessionId: session.id,
            kind: 'dispatch_dropped',
            actor: 'bot',
            data: { job: effect.job },
          });
        return session;
      case 'escalate':
        await audit({
          sessionId: session.id,
          kind: 'escalated',
          actor: 'bot',
          data: { caseRef: effect.caseRef, reason: effect.reason },
        });
        if (options.support) await options.support.escalate(session, effect);
        return session;
      case 'audit':
        await audit(effect.entry);
        return session;
    }
  }

  /**
   * Records the live card's activity id: a bookkeeping save that moves `version` but not
   * `viewVersion`, so the card just sent stays current. Skipped when another turn has changed
   * the session since (its own effects decide which card is live).
   */
  async function recordCard(session: Session, activityId: string): Promise<Session> {
    let current = session;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const saved = await store.sessions.save({ ...current, cardActivityId: activityId }, current.version);
      if (saved.ok) return saved.doc;
      if (!saved.current || saved.current.viewVersion !== session.viewVersion)
        return saved.current ?? current;
      current = saved.current;
    }
    return current;
  }

  return {
    async handle(event) {
      const none = { effects: [], failures: [] };
      if (await store.dedupe.seen(`event:${event.id}`, options.dedupeTtlMs ?? DAY_MS)) {
        return { outcome: 'duplicate', ...none };
      }
      const found = await load(event);
      if (!found && (event.kind !== 'message' || event.actor.role !== 'user')) {
        // A click on a card of a session that is gone, or an agent event for no session.
        await audit({
          sessionId: event.kind === 'action' ? event.data.sessionId : event.conversationKey,
          kind: 'unknown_session',
          actor: event.actor.id,
          data: { kind: event.kind },
        });
        return { outcome: 'refused', ...none };
      }
      const session = found ?? newSession(newId(), event, new Date(options.clock()).toISOString());
      if (found) {
        const verdict = authorize(found, event);
        if (!verdict.ok) {
          await audit({
            sessionId: found.id,
            kind: 'action_refused',
            actor: event.actor.id,
            data: {
              reason: verdict.reason,
              kind: event.kind,
              ...(event.kind === 'action' ? { verb: event.verb } : {}),
            },
          });
          const effects: Effect[] = verdict.reply
            ? [{ type: 'send', view: refused(found, event.actor.name) }]
            : [];
          const { failures } = await deliver(found, effects);
          return { outcome: 'refused', session: found, effects, failures };
        }
      }
      const result = await apply(event, session);
      const changed = result.session.version !== result.before.version;
      if (changed) {
        await audit({
          sessionId: result.session.id,
          kind: 'transition',
          actor: event.actor.role === 'agent' ? `agent:${event.actor.id}` : event.actor.id,
          data: {
            event: event.kind,
            ...(event.kind === 'action' ? { verb: event.verb } : {}),
            from: result.before.state,
            to: result.session.state,
            version: result.session.version,
          },
        });
      }
      const delivered = await deliver(result.session, result.effects);
      return {
        outcome: changed ? 'applied' : 'unchanged',
        session: delivered.session,
        effects: result.effects,
        failures: delivered.failures,
      };
    },
  };
}
