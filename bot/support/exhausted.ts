/**
 * "It still fails" when the plan is exhausted escalates by itself (issue 8): every step was
 * tried (failed, skipped or verified) and the user says it still does not work, by the step
 * card's "Still failing" button on the last open step or in their own words on the findings
 * card. The escalation is the core's own `case.escalate`, so the case looks the same as one
 * escalated with the button.
 */
import type { HandleResult } from '../core/engine.ts';
import type { CoreEvent, Session } from '../core/types.ts';

const STILL_FAILING =
  /\bstill\b.{0,40}\b(fail|fails|failing|broken|not work|n[o']t working|doesn'?t work|does not work|can'?t|cannot|unable)\b/i;

/** True when every step of a non-empty plan has an outcome and none is left to try. */
export function planExhausted(session: Session): boolean {
  return (
    session.plan.length > 0 &&
    session.plan.every((p) => p.status === 'failed' || p.status === 'skipped' || p.status === 'verified')
  );
}

export function saysStillFailing(text: string): boolean {
  return STILL_FAILING.test(text);
}

/** The core event that escalates `session`, on behalf of `event`'s actor. */
function escalateEvent(event: CoreEvent, session: Session): CoreEvent {
  const { id, conversationKey, channel, conversation, actor, at } = event;
  return {
    id: `${id}:escalate`,
    conversationKey,
    channel,
    conversation,
    actor,
    at,
    kind: 'action',
    verb: 'case.escalate',
    data: { sessionId: session.id, version: session.version },
  };
}

/** On the findings card after the last step: the user's "still failing" escalates instead of a help reply. */
export function escalationInstead(event: CoreEvent, session: Session | undefined): CoreEvent | undefined {
  if (!session || event.kind !== 'message' || event.actor.role !== 'user') return undefined;
  if (session.state !== 'plan' || !planExhausted(session) || !saysStillFailing(event.text)) return undefined;
  return escalateEvent(event, session);
}

/** After "Still failing" on the last open step: the plan is exhausted, so escalate. */
export function escalationAfter(event: CoreEvent, result: HandleResult): CoreEvent | undefined {
  const s = result.session;
  if (!s || result.outcome !== 'applied' || event.actor.role !== 'user') return undefined;
  if ((s.state !== 'step' && s.state !== 'plan') || !planExhausted(s)) return undefined;
  const said =
    (event.kind === 'action' && event.verb === 'step.failed') ||
    (event.kind === 'message' && (saysStillFailing(event.text) || /^\s*failing\s*$/i.test(event.text)));
  return said ? escalateEvent(event, s) : undefined;
}
