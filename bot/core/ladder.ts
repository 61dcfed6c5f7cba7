/**
 * The ladder's questions (issue 14, "Short"): a step that asks the person something whose
 * answer rules whole areas out. The CAA20004 guide starts with the article's browser test:
 * if the browser signs in, the network is fine and only the computer's saved sign-in is left;
 * if it fails too, the app's cache is not the cause. The answer becomes a hint on the session,
 * which the playbooks' `when` conditions read (`session.hints`), so the plan drops what it rules
 * out; measured findings always keep their steps.
 */
import { notice, pasteRequest } from './notices.ts';
import { MANUAL_HOST } from './recheck.ts';
import { replan } from './results.ts';
import type { NoticeView, Session, TransitionDeps } from './types.ts';

export interface LadderAnswer {
  label: string;
  hint: string;
}

/** Questions by step id: the step's buttons are its answers. */
export const QUESTIONS: Readonly<Record<string, readonly LadderAnswer[]>> = {
  'caa20004-what-it-means': [
    { label: 'The browser signs in', hint: 'browser_ok' },
    { label: 'The browser fails too', hint: 'browser_fails' },
  ],
};

/** The `value` an answer button sends (with verb step.next). */
export const ANSWER_PREFIX = 'answer:';

/**
 * Takes the answer to the step on screen: the hint joins the session, the step counts as done
 * (answered), and the plan is recomputed without what the answer rules out. False when `value`
 * is not an answer of that step (the caller treats the click as a plain "next").
 */
export function takeAnswer(next: Session, value: string, deps: TransitionDeps): boolean {
  const entry = next.plan[next.stepIndex];
  const answer = entry && QUESTIONS[entry.stepId]?.find((a) => `${ANSWER_PREFIX}${a.hint}` === value);
  if (!entry || !answer) return false;
  next.hints = [
    ...new Set([
      ...next.hints.filter((h) => !QUESTIONS[entry.stepId].some((a) => a.hint === h)),
      answer.hint,
    ]),
  ];
  entry.status = 'verified';
  entry.checkedAt = deps.now;
  entry.evidence = { summary: `You answered: ${answer.label}.`, checkedAt: deps.now };
  replan(next, deps.playbooks);
  return true;
}

/**
 * What the bot says after an answer, at the bottom: for "the browser fails too", the two
 * commands whose pasted output tells DNS, proxy, firewall, certificates and the clock apart, so
 * one paste replaces a walk down the ladder.
 */
export function answerFollowUp(next: Session): NoticeView | undefined {
  if (!next.hints.includes('browser_fails')) return undefined;
  const windows = next.os === 'windows' || !next.os;
  return pasteRequest(
    next,
    [
      windows ? `nslookup ${MANUAL_HOST}` : `dig ${MANUAL_HOST}`,
      `${windows ? 'curl.exe' : 'curl'} -v -I https://${MANUAL_HOST}`,
    ],
    'where the network is in the way',
  );
}

export { notice };
