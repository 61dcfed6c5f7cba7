/**
 * The conversation's state machine (DESIGN.md): intake → (pairing | manual) → probing → plan →
 * step N (pending / checking / verified / failed / skipped) → resolved | escalated.
 *
 * `transition(session, event, deps)` is PURE: no I/O, no clock, no randomness (time and ids
 * come from deps and the event). It returns the next session and the effects to deliver; the
 * engine saves and delivers. A session it returns unchanged (same version) needs no save:
 * replays, stale clicks and help replies change nothing.
 */
import { matchReply } from '../../cards/actions.ts';
import { lookupCode } from '../../probes/codes/index.ts';
import { detectPaste, parsePaste } from '../../probes/paste/index.ts';
import { decodeResultCode, ResultCodeError } from '../../probes/result-code.ts';
import { onAction } from './actions.ts';
import { onJobEnded, onProgress } from './agent-events.ts';
import { escalatedHelp, expiredNotice, pairingExpired, stepAnswer } from './answers.ts';
import { withBottomLine } from './bottom-line.ts';
import { onBrowserReport } from './browser-findings.ts';
import { caseNumberIn, onCaseNumber } from './case-number.ts';
import { leaveIntake, show, showNew, takeResults } from './flow.ts';
import { describe, type Understood, understand, understoodAnything } from './intake.ts';
import { help, notice, pasteProblems } from './notices.ts';
import { MANUAL_HOST } from './recheck.ts';
import { explainResultCode, notAResultCode } from './result-words.ts';
import { earlier, mergeProbes, rediagnose, replan, resultCodeReport } from './results.ts';
import { advance } from './session.ts';
import { intakeDone, symptomFromHints, symptomQuestion } from './symptoms.ts';
import type { CoreEvent, Effect, Session, TransitionDeps, TransitionResult } from './types.ts';
import { viewFor } from './views.ts';

type Of<K extends CoreEvent['kind']> = Extract<CoreEvent, { kind: K }>;

const unchanged = (session: Session, effects: Effect[] = []): TransitionResult => ({ session, effects });

/** Longest symptom kept from the user's first words. */
const SYMPTOM_MAX = 280;

export function transition(session: Session, event: CoreEvent, deps: TransitionDeps): TransitionResult {
  return withBottomLine(session, apply(session, event, deps));
}

function apply(session: Session, event: CoreEvent, deps: TransitionDeps): TransitionResult {
  if (session.recentEvents.includes(event.id)) return unchanged(session);
  switch (event.kind) {
    case 'message':
      return onMessage(session, event, deps);
    case 'action':
      return onAction(session, event, deps);
    case 'report':
      return onReport(session, event, deps);
    case 'recheckResult': {
      const next = advance(session, event, deps, `Re-check of ${event.stepId} came back`);
      const i = next.plan.findIndex((p) => p.stepId === event.stepId);
      if (i >= 0 && next.state === 'step') next.stepIndex = i;
      return takeResults(session, next, event.probes, deps, { stepId: event.stepId });
    }
    case 'paired': {
      if (session.state !== 'pairing' || !session.pairing) return unchanged(session);
      const next = advance(session, event, deps, `Agent paired from ${event.device.hostname}`);
      next.pairing = { ...session.pairing, device: event.device, confirmed: false };
      return { session: next, effects: [show(next, deps)] };
    }
    case 'agentProgress':
      return onProgress(session, event);
    case 'agentJobEnded':
      return onJobEnded(session, event, deps);
  }
}

function onMessage(session: Session, event: Of<'message'>, deps: TransitionDeps): TransitionResult {
  const text = event.text.trim();
  if (session.version > 0 && text === '')
    return unchanged(session, [{ type: 'send', view: help(session, []) }]);
  if (detectPaste(text)) return onPaste(session, event, text, deps);
  const caseAsked = caseNumberIn(text);
  if (caseAsked) return onCaseNumber(session, event, caseAsked, deps);
  const u = understand(text);
  if (u.resultCode) return onResultCode(session, event, u.resultCode, deps);
  const notCode = notAResultCode(text);
  if (notCode)
    return unchanged(session, [{ type: 'send', view: notice(session, notCode, { tone: 'warning' }) }]);
  if (session.version > 0 && session.state !== 'intake') {
    // A typed word for a button of the live card ("check", "skip", "windows").
    const manual =
      /^(continue )?manual(ly)?$/i.test(text) && (session.state === 'pairing' || session.state === 'probing');
    const reply = manual
      ? { verb: 'pairing.manual' as const, sessionId: session.id, version: session.version }
      : matchReply(viewFor(session, deps), text);
    if (reply) {
      const { verb, ...data } = reply;
      return onAction(session, { ...event, kind: 'action', verb, data }, deps);
    }
    if (session.state === 'resolved' && u.codes.length > 0) {
      const next = advance(session, event, deps, `Reopened: ${text.slice(0, 80)}`);
      next.state = 'intake';
      next.code = u.codes[0].code;
      return { session: next, effects: [showNew(next, deps)] };
    }
    if (session.state === 'escalated')
      return unchanged(session, [{ type: 'send', view: escalatedHelp(session, deps) }]);
    // Back on an expired pairing card: the card says so now, and offers a new code.
    if (pairingExpired(session, deps.now))
      return unchanged(session, [show(session, deps), { type: 'send', view: expiredNotice(session) }]);
    const asked = session.state === 'step' ? stepAnswer(session, event, text, deps) : undefined;
    if (asked) return asked;
    return unchanged(session, [{ type: 'send', view: help(session, describe(u)) }]);
  }
  // A typed word for an intake button ("home", "phone hotspot"), as on every other card.
  const tapped = session.version > 0 ? matchReply(viewFor(session, deps), text) : undefined;
  if (tapped) {
    const { verb, ...data } = tapped;
    return onAction(session, { ...event, kind: 'action', verb, data }, deps);
  }
  return onIntakeText(session, event, text, u, deps);
}

/** Intake reads what it can from the words; it moves on once the OS and the place are known. */
function onIntakeText(
  session: Session,
  event: Of<'message'>,
  text: string,
  u: Understood,
  deps: TransitionDeps,
): TransitionResult {
  const first = session.version === 0;
  if (!first && !understoodAnything(u))
    return unchanged(session, [{ type: 'send', view: help(session, []) }]);
  const next = advance(session, event, deps, `User: ${text.slice(0, 120)}`);
  const code = u.codes[0];
  if (code) next.code = code.code;
  if (u.os) next.os = u.os;
  if (u.where) next.where = u.where;
  next.hints = [...new Set([...next.hints, ...u.hints])];
  if (!next.code && !next.symptomKey) {
    const key = symptomFromHints(u.hints);
    if (key) next.symptomKey = key;
  }
  if (!next.symptom && (understoodAnything(u) || first)) next.symptom = text.slice(0, SYMPTOM_MAX);

  const effects: Effect[] = [];
  if (code) {
    const entry = code.entry ?? lookupCode(code.code);
    const meaning = entry
      ? entry.meaning
      : 'I do not know this code yet, so I will check the network step by step.';
    effects.push({ type: 'send', view: notice(next, `${code.code}: ${meaning}`) });
  }
  if (intakeDone(next, deps)) {
    const done = first ? [] : [show(next, deps)];
    return leaveIntake(next, deps, [...done, ...effects]);
  }
  if (next.os && next.where && !first) effects.push({ type: 'send', view: symptomQuestion(next) });
  const card: Effect = first || !session.cardActivityId ? showNew(next, deps) : show(next, deps);
  if (!first && !code && !u.os && !u.where) {
    effects.push({ type: 'send', view: help(next, describe(u)) });
  }
  return { session: next, effects: [card, ...effects] };
}

function onPaste(
  session: Session,
  event: Of<'message'>,
  text: string,
  deps: TransitionDeps,
): TransitionResult {
  const parsed = parsePaste(text, { now: deps.now, defaultHost: MANUAL_HOST });
  const problems: Effect[] =
    parsed.problems.length > 0 ? [{ type: 'send', view: pasteProblems(session, parsed.problems) }] : [];
  if (parsed.probes.length === 0) return unchanged(session, problems);
  const next = advance(
    session,
    event,
    deps,
    `Pasted ${parsed.tools.join(', ')} output (${parsed.probes.length} results)`,
  );
  if (!next.reportSource) next.reportSource = 'manual';
  if (!next.os && parsed.tools.some((t) => t === 'netsh-winhttp' || t === 'certutil')) next.os = 'windows';
  const result = takeResults(session, next, parsed.probes, deps);
  return { ...result, effects: [...result.effects, ...problems] };
}

function onResultCode(
  session: Session,
  event: CoreEvent,
  typed: string,
  deps: TransitionDeps,
): TransitionResult {
  let decoded: ReturnType<typeof decodeResultCode>;
  try {
    decoded = decodeResultCode(typed);
  } catch (err) {
    if (!(err instanceof ResultCodeError)) throw err;
    const text = explainResultCode(typed, err);
    return unchanged(session, [{ type: 'send', view: notice(session, text, { tone: 'warning' }) }]);
  }
  const next = advance(session, event, deps, `Result code ${typed} (${decoded.verdict})`);
  next.report = resultCodeReport(decoded, next, deps.now);
  next.reportSource = 'result_code';
  Object.assign(next, earlier(next, next.report.findings), { findings: next.report.findings });
  replan(next, deps.playbooks);
  next.state = 'plan';
  return { session: next, effects: [showNew(next, deps)] };
}

/** A full report from the agent (or another source) ends on the findings card, in place of the progress card. */
function onReport(session: Session, event: Of<'report'>, deps: TransitionDeps): TransitionResult {
  if (event.source === 'browser') return onBrowserReport(session, event, deps);
  const next = advance(
    session,
    event,
    deps,
    `Report from the ${event.source === 'agent' ? 'agent' : event.source}`,
  );
  next.report = event.report;
  next.reportSource = event.source;
  if (next.browser && event.source === 'agent') next.browser = { ...next.browser, supersededAt: deps.now };
  // A full report (a watch's included) ends any watch: its result is on the findings card.
  next.watch = undefined;
  next.probes = mergeProbes(session.probes, event.report.probes);
  Object.assign(next, rediagnose(next, deps.now));
  replan(next, deps.playbooks);
  next.state = 'plan';
  return { session: next, effects: [show(next, deps)] };
}
