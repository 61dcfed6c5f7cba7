/**
 * No dead ends (issue 14): answers to what a person types where a button is not the answer. A
 * step that asks for something ("send the issuer's name here") takes it, says what it means and
 * keeps it on the case; after an escalation, "what now?" gets what happens next and what the
 * person can still do.
 */
import { instructionsFor } from '../playbooks/select.ts';
import { notice } from './notices.ts';
import { advance, currentStep } from './session.ts';
import type { CoreEvent, NoticeView, Session, TransitionDeps, TransitionResult } from './types.ts';
import { caseRef } from './views.ts';

/** Instructions that ask the person to type something into the chat. */
const ASKS = /\b(send|type|tell me|paste)\b[^.]*\bhere\b/i;
/** Roots Microsoft's sign-in chains end at: an issuer named like these is not an inspecting product. */
const GENUINE = /\b(microsoft|digicert|baltimore|globalsign|entrust)\b/i;
/** Looks like a question or a call for help, not an answer. */
const QUESTION = /\?\s*$|^\s*(help|what|how|why|now what)\b/i;

/**
 * Free text on a step whose instructions ask for it: taken as the answer (on the case's
 * timeline, for support), with what it means. Undefined when the step asks for nothing, or the
 * text is a question (the help reply answers those).
 */
export function stepAnswer(
  session: Session,
  event: CoreEvent,
  text: string,
  deps: TransitionDeps,
): TransitionResult | undefined {
  const planned = currentStep(session, deps.playbooks);
  if (!planned || QUESTION.test(text) || text.length > 200) return undefined;
  const asked = instructionsFor(planned.step, session.os ?? 'unknown').some((b) => ASKS.test(b.markdown));
  if (!asked) return undefined;
  const next = advance(session, event, deps, `Answer to "${planned.step.title}": ${text.slice(0, 120)}`);
  const said = text.replace(/\s+/g, ' ').slice(0, 120);
  let meaning = 'I added it to your case, so support sees it too.';
  if (planned.step.area === 'tls')
    meaning = GENUINE.test(text)
      ? `"${said}" is one of the issuers Microsoft's certificates come from, so this connection is not inspected. I added it to your case. Tap "Done — check again" to check the step, or "Skip" for the next one.`
      : `"${said}" is not one of Microsoft's certificate issuers: a security product on your network opens the connection (TLS inspection). Your IT admin needs to exempt Microsoft's sign-in from it. I added the name to your case; tap "Skip" for the next step, or "Escalate" to send the case to support.`;
  return { session: next, effects: [{ type: 'send', view: notice(next, `Thanks. ${meaning}`) }] };
}

/** After an escalation: where the case is, what happens next, what the person can still do. */
export function escalatedHelp(session: Session, deps: Pick<TransitionDeps, 'supportContact'>): NoticeView {
  const ref = session.escalation?.caseRef ?? caseRef(session);
  const next = deps.supportContact
    ? `Nobody from support can answer in this chat yet. ${deps.supportContact} Mention case ${ref}.`
    : `Your case ${ref} is with support, with everything I found; anything you write here is added to it.`;
  return notice(
    session,
    `${next} Meanwhile: if Teams works again, tap "Teams works now"; to go through the steps again, tap "Try the steps again".`,
  );
}

/** The session waits on a pairing code that has expired, with no computer connected. */
export function pairingExpired(session: Session, now: string): boolean {
  const p = session.pairing;
  return (
    session.state === 'pairing' &&
    p !== undefined &&
    !p.device &&
    !p.lost &&
    Date.parse(p.expiresAt) <= Date.parse(now)
  );
}

export function expiredNotice(session: Session): NoticeView {
  return notice(
    session,
    `The pairing code ${session.pairing?.code ?? ''} has expired, so the computer cannot use it any more. Tap "Get a new code" on the card above, or "Continue manually".`,
    { tone: 'warning' },
  );
}
