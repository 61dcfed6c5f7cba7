/**
 * "I can't sign in" with no code: the one question that picks the guide (issue 14), instead of
 * assuming CAA20004 for everyone.
 */
import { notice } from './notices.ts';
import type { NoticeView, Session, TransitionDeps } from './types.ts';

/**
 * The one symptom question asked when the user gave no code (issue 14): what Teams shows, in
 * the user's words, and a code of the family whose guide fits (used to pick the guide only; the
 * session's `code` stays unset, so support never reads a code the user did not see).
 */
export const SYMPTOMS: readonly { key: string; label: string; guide: string }[] = [
  { key: 'connect', label: '"We weren\'t able to connect"', guide: 'CAA20004' },
  { key: 'signin', label: 'Sign-in refused or keeps asking', guide: 'CAA20003' },
  { key: 'certificate', label: 'Certificate or security warning', guide: 'CAA82F0D' },
  { key: 'proxy', label: 'Asks for a proxy password', guide: 'CAA30197' },
  { key: 'timeout', label: 'Spins, then gives up', guide: 'CAA7000A' },
];

/** The code whose guide the session follows: the user's code, else the symptom's family. */
export function guideCode(s: Pick<Session, 'code' | 'symptomKey'>): string | undefined {
  return s.code ?? SYMPTOMS.find((x) => x.key === s.symptomKey)?.guide;
}

/**
 * Intake is complete once the computer and the place are known and the guide is chosen: a code,
 * the symptom answer, or the agent (which measures instead of asking).
 */
export function intakeDone(s: Session, deps: Pick<TransitionDeps, 'agents'>): boolean {
  return Boolean(s.os && s.where && (s.code || s.symptomKey || deps.agents));
}

/** The line at the bottom when only the symptom is missing: the question is on the card above. */
export function symptomQuestion(s: Session): NoticeView {
  return notice(
    s,
    'One more question: what does Teams show? Type the error code if there is one, or tap what you see on the card above.',
  );
}

/** Words that already answer the question ("the proxy asks for a password", "certificate error"). */
const HINT_SYMPTOM: Readonly<Record<string, string>> = {
  certificate: 'certificate',
  proxy: 'proxy',
  dns: 'connect',
  firewall: 'connect',
  offline: 'connect',
};

export function symptomFromHints(hints: readonly string[]): string | undefined {
  return hints.map((h) => HINT_SYMPTOM[h]).find((k) => k !== undefined);
}
