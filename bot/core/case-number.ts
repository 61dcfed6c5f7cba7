/**
 * Typing the case number continues the case (issue 14): "RC-7F3A2C" in a new conversation (a
 * new web chat, another Teams or Slack chat) brings the case there, with its live card, where
 * it left off. Only the person whose case it is gets it: the same channel and the same user id
 * (Teams' and Slack's ids are the platform's; the web chat's comes from the signed token, which
 * the page carries from one conversation to the next in the same browser). A case number is
 * short and shown on screen, so it is a name, not a key: anyone else who types it, or a number
 * that does not exist, gets the same answer, which neither opens the case nor says whether it exists.
 */
import type { SessionStore } from '../store/types.ts';
import { showNew } from './flow.ts';
import { notice } from './notices.ts';
import { advance } from './session.ts';
import type { CoreEvent, Session, TransitionDeps, TransitionResult } from './types.ts';
import { caseRef } from './views.ts';

/** "RC-7F3A2C", "case RC-7f3a2c", "rc 7F3A2C." → "RC-7F3A2C"; anything else undefined. */
export function caseNumberIn(text: string): string | undefined {
  const m =
    /^\s*(?:(?:my\s+)?case(?:\s+(?:number|no\.?|#))?\s*:?\s*)?RC[-\s]?([0-9A-Z]{6})\s*[.!]?\s*$/i.exec(text);
  return m ? `RC-${m[1].toUpperCase()}` : undefined;
}

/**
 * The asker's own case with that number, for the engine's load of a turn: only when the message
 * is a case number and this conversation has no case yet (a conversation keeps the case it
 * started with: findByConversation gives the newest one created there).
 */
export async function ownCase(
  sessions: Pick<SessionStore<Session>, 'findByIdSuffix'>,
  event: CoreEvent,
  here: Session | undefined,
): Promise<Session | undefined> {
  if (event.kind !== 'message' || event.actor.role !== 'user') return undefined;
  const ref = caseNumberIn(event.text);
  if (!ref || here) return undefined;
  const found = await sessions.findByIdSuffix(ref.slice(3));
  return found.find((s) => caseRef(s) === ref && s.channel === event.channel && s.user.id === event.actor.id);
}

const NOT_HERE = (ref: string) =>
  `I cannot open case ${ref} in this chat. A case continues only for the person who started it, in the same app (Teams, Slack or this web chat in the same browser), so nobody can take over a case by its number. If it is yours, send the number as the first message of a new chat in the same app, or go back to the chat where you started it, or give the number to your IT help desk. Or tell me what Teams shows, and we start here.`;

/** A typed case number: this case brought here and shown again, or why it cannot be opened. */
export function onCaseNumber(
  session: Session,
  event: Extract<CoreEvent, { kind: 'message' }>,
  ref: string,
  deps: TransitionDeps,
): TransitionResult {
  if (session.version === 0 || ref !== caseRef(session))
    return {
      session,
      effects: [{ type: 'send', view: notice(session, NOT_HERE(ref), { tone: 'warning' }) }],
    };
  const moved = event.conversationKey !== session.conversationKey;
  const next = advance(
    session,
    event,
    deps,
    moved ? `Case ${ref} continued in another conversation` : `Case ${ref} asked for`,
  );
  if (moved) {
    next.conversationKey = event.conversationKey;
    next.conversation = event.conversation;
    // The old conversation's card stays as history; this one gets its own live card.
    next.cardActivityId = undefined;
    next.cardNotices = undefined;
  }
  const said = moved
    ? `Welcome back. This is your case ${ref}; we go on here, where we left off (the earlier chat no longer updates).`
    : `This is your case ${ref}. Here is where we are.`;
  return { session: next, effects: [{ type: 'send', view: notice(next, said) }, showNew(next, deps)] };
}
