/**
 * The engine runs one event through the core: load (or open) the session, authorise,
 * transition, then commit the turn in one atomic store write (the event's dedupe key, the
 * compare-and-set save, the audit record; re-running the pure transition on the fresher session
 * when another turn got there first), then deliver the effects through the ports (deliver.ts).
 * Nothing is kept in memory between events: the session in the store is the conversation's whole
 * state, so any replica, or a restarted process, carries on.
 */
import { randomUUID } from 'node:crypto';
import type { PlaybookSet } from '../playbooks/types.ts';
import type { CommitResult, Store, TurnCommit } from '../store/types.ts';
import { authorize } from './authorize.ts';
import { createDelivery } from './deliver.ts';
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
  const { store, playbooks } = options;
  const audit = options.audit ?? ((r: AuditRecord) => store.audit.append(r));
  const newId = options.newId ?? randomUUID;
  const maxAttempts = options.maxAttempts ?? 8;
  const deliver = createDelivery({ ...options, audit, maxAttempts });

  async function load(event: CoreEvent): Promise<Session | undefined> {
    // A click names its session (support threads act on sessions of other conversations).
    if (event.kind === 'action') return store.sessions.get(event.data.sessionId);
    return store.sessions.findByConversation(event.conversationKey);
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
        ...(pairingCode ? { pairingCode } : {}),
      };
      let result = transition(session, event, deps);
      if (result.needs === 'pairingCode' && options.agents) {
        pairingCode ??= await options.agents.issuePairing(session);
        result = transition(session, event, { ...deps, pairingCode });
      }
      // Unchanged, the turn still claims the event id, so a retry does not repeat its replies.
      const changed = result.session.version !== session.version;
      const saved = changed
        ? await commit({ dedupe, session: { doc: result.session, expectedVersion: session.version } }, [
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

  return {
    async handle(event) {
      const none = { effects: [], failures: [] };
      const duplicate: HandleResult = { outcome: 'duplicate', ...none };
      // Claimed with the turn's own writes (SessionStore.commit): a delivery that lost the race,
      // or a retry of a finished one, writes nothing and answers nothing.
      const dedupe = { key: `event:${event.id}`, ttlMs: options.dedupeTtlMs ?? DAY_MS };
      const found = await load(event);
      if (!found && (event.kind !== 'message' || event.actor.role !== 'user')) {
        // A click on a card of a session that is gone, or an agent event for no session.
        const record: AuditRecord = {
          sessionId: event.kind === 'action' ? event.data.sessionId : event.conversationKey,
          kind: 'unknown_session',
          actor: event.actor.id,
          data: { kind: event.kind },
        };
        return (await commit({ dedupe }, [record])).ok ? { outcome: 'refused', ...none } : duplicate;
      }
      const session = found ?? newSession(newId(), event, new Date(options.clock()).toISOString());
      if (found) {
        const verdict = authorize(found, event);
        if (!verdict.ok) {
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
          if (!(await commit({ dedupe }, [record])).ok) return duplicate;
          const effects: Effect[] = verdict.reply
            ? [{ type: 'send', view: refused(found, event.actor.name) }]
            : [];
          const { failures } = await deliver(found, effects);
          return { outcome: 'refused', session: found, effects, failures };
        }
      }
      const result = await apply(event, session, dedupe);
      if (result === 'duplicate') return duplicate;
      const delivered = await deliver(result.session, result.effects);
      return {
        outcome: result.session.version !== result.before.version ? 'applied' : 'unchanged',
        session: delivered.session,
        effects: result.effects,
        failures: delivered.failures,
      };
    },
  };
}

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
