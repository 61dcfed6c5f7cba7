/**
 * Who may move a session (DESIGN.md security model): its own user; support staff, for the
 * support verbs; the paired agent, for what only an agent sends (reports, re-check results,
 * the pairing itself). The channel adapter says who the actor is and in which role; the agent
 * gateway authenticates agents. Pure.
 */
import type { CoreEvent, Session, Verb } from './types.ts';

/** What support staff may do from the support thread. */
export const SUPPORT_VERBS: ReadonlySet<Verb> = new Set<Verb>([
  'case.take',
  'case.rerun',
  'case.resolve',
  'case.reopen',
  'case.escalate',
  'handoff.show',
  'handoff.copy',
  'card.refresh',
]);

const AGENT_KINDS: ReadonlySet<CoreEvent['kind']> = new Set([
  'report',
  'recheckResult',
  'paired',
  'agentProgress',
  'agentJobEnded',
]);

export type Authorization =
  | { ok: true }
  /** `reply`: tell the actor politely (a person); false for events nobody should hear about. */
  | { ok: false; reason: string; reply: boolean };

export function authorize(session: Session, event: CoreEvent): Authorization {
  const { actor } = event;
  if (AGENT_KINDS.has(event.kind)) {
    return actor.role === 'agent'
      ? { ok: true }
      : { ok: false, reason: `${event.kind} events come only from the paired agent`, reply: false };
  }
  if (actor.role === 'agent')
    return { ok: false, reason: `an agent cannot send ${event.kind} events`, reply: false };
  if (actor.role === 'support') {
    if (event.kind === 'action' && SUPPORT_VERBS.has(event.verb)) return { ok: true };
    // Support talking in the user's chat is a conversation between people, not a move.
    return {
      ok: false,
      reason: 'support staff move a case only with the support verbs',
      reply: event.kind === 'action',
    };
  }
  if (actor.id !== session.user.id) {
    return {
      ok: false,
      reason: `actor ${actor.id} is not the session's user ${session.user.id}`,
      reply: true,
    };
  }
  return { ok: true };
}
