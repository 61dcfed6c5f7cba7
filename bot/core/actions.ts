/**
 * Card buttons (and the words text-only clients type for them). A click counts only on the
 * card it was made for: the session id and version must be the session's current ones, and the
 * verb must fit the state; anything else is an out-of-date card and changes nothing.
 */
import { findErrorCodes } from '../../probes/codes/index.ts';
import { leaveIntake, manualRecheck, show, showNew, startManual } from './flow.ts';
import { handoffCopy, handoffView } from './handoff-view.ts';
import { answerFollowUp, takeAnswer } from './ladder.ts';
import { notice, pasteRequest, staleCard } from './notices.ts';
import { MANUAL_HOST, relevantProbes } from './recheck.ts';
import { advance, currentStep } from './session.ts';
import { intakeDone, SYMPTOMS, symptomQuestion } from './symptoms.ts';
import type {
  CoreEvent,
  Effect,
  OsName,
  Session,
  TransitionDeps,
  TransitionResult,
  Verb,
  Where,
} from './types.ts';
import { caseRef, resolvedView } from './views.ts';
import { canWatch, startWatch } from './watch.ts';

type Action = Extract<CoreEvent, { kind: 'action' }>;

const OSES: readonly string[] = ['windows', 'macos', 'linux'];
const PLACES: readonly string[] = ['office', 'home', 'vpn', 'hotspot'];

const INTAKE_VERBS: ReadonlySet<Verb> = new Set<Verb>(['intake.os', 'intake.where', 'intake.code']);

/** The states in which each verb means something. */
const VALID_IN: Record<Verb, readonly Session['state'][]> = {
  'intake.os': ['intake'],
  'intake.where': ['intake'],
  'intake.code': ['intake'],
  'pairing.manual': ['pairing', 'probing'],
  'pairing.renew': ['pairing'],
  'pairing.confirm': ['pairing'],
  'pairing.reject': ['pairing'],
  'plan.start': ['plan'],
  'step.recheck': ['step'],
  'step.failed': ['step'],
  'step.skip': ['step'],
  'step.next': ['step'],
  'handoff.show': ['plan', 'step', 'escalated'],
  'handoff.copy': ['plan', 'step', 'escalated'],
  'case.escalate': ['intake', 'pairing', 'probing', 'plan', 'step'],
  'case.reopen': ['resolved', 'escalated'],
  'case.take': ['escalated'],
  'case.rerun': ['escalated', 'plan', 'step'],
  'case.resolve': ['plan', 'step', 'escalated'],
  'card.refresh': ['intake', 'pairing', 'probing', 'plan', 'step', 'resolved', 'escalated'],
  'watch.start': ['plan', 'step'],
  'watch.stop': ['plan', 'step'],
};

export function onAction(session: Session, event: Action, deps: TransitionDeps): TransitionResult {
  const { verb, data } = event;
  const current =
    data.sessionId === session.id && data.version >= session.viewVersion && data.version <= session.version;
  if (verb === 'card.refresh') return { session, effects: [show(session, deps)] };
  const stepMismatch = verb.startsWith('step.') && data.stepId !== session.plan[session.stepIndex]?.stepId;
  // Intake answers do not depend on what else the card showed: two quick taps on one card both count.
  const fresh =
    current || (INTAKE_VERBS.has(verb) && data.sessionId === session.id && data.version <= session.version);
  if (isDoubleTap(session, event)) return { session, effects: [] };
  if (!fresh || !VALID_IN[verb].includes(session.state) || stepMismatch) {
    const audit: Effect = {
      type: 'audit',
      entry: {
        sessionId: session.id,
        kind: 'stale_click',
        actor: event.actor.id,
        data: { verb, cardVersion: data.version, sessionVersion: session.version, state: session.state },
      },
    };
    return { session, effects: [{ type: 'send', view: staleCard(session) }, audit] };
  }
  const next = advance(
    session,
    event,
    deps,
    `${event.actor.name ?? event.actor.id}: ${verb}${data.value ? ` ${data.value}` : ''}`,
  );
  next.lastTap = { key: tapKey(event), at: event.at };
  return act(session, next, event, deps);
}

/** How long a second tap on the same button counts as the same tap (a double tap, a slow client). */
export const DOUBLE_TAP_MS = 5_000;

const tapKey = ({ verb, data }: Action): string =>
  `${verb}|${data.stepId ?? ''}|${data.value ?? ''}|${data.sessionId}|${data.version}`;

/** The same button of the same card, pressed again within DOUBLE_TAP_MS of the press that counted. */
function isDoubleTap(session: Session, event: Action): boolean {
  const last = session.lastTap;
  if (!last || last.key !== tapKey(event)) return false;
  const gap = Date.parse(event.at) - Date.parse(last.at);
  return gap >= 0 && gap <= DOUBLE_TAP_MS;
}

function act(session: Session, next: Session, event: Action, deps: TransitionDeps): TransitionResult {
  const { verb, data } = event;
  const value = data.value ?? '';
  const same = (): TransitionResult => ({ session, effects: [] });
  const updated = (extra: Effect[] = []): TransitionResult => ({
    session: next,
    effects: [show(next, deps), ...extra],
  });
  switch (verb) {
    case 'intake.os':
    case 'intake.where':
    case 'intake.code': {
      if (verb === 'intake.os' && OSES.includes(value)) next.os = value as OsName;
      else if (verb === 'intake.where' && PLACES.includes(value)) next.where = value as Where;
      else if (verb === 'intake.code' && findErrorCodes(value)[0]) next.code = findErrorCodes(value)[0].code;
      else if (verb === 'intake.code' && SYMPTOMS.some((x) => `symptom:${x.key}` === value))
        next.symptomKey = value.slice('symptom:'.length);
      else
        return {
          session,
          effects: [
            { type: 'send', view: notice(session, `"${value}" is not one of the choices on the card.`) },
          ],
        };
      if (intakeDone(next, deps)) return leaveIntake(next, deps, [show(next, deps)]);
      if (next.os && next.where) return updated([{ type: 'send', view: symptomQuestion(next) }]);
      return updated();
    }
    case 'pairing.manual':
      next.pairing = undefined;
      return startManual(next, deps, []);
    case 'pairing.renew':
    case 'pairing.reject': {
      if (!deps.pairingCode) return { session: next, effects: [], needs: 'pairingCode' };
      next.pairing = { ...deps.pairingCode };
      const audit: Effect[] =
        verb === 'pairing.reject'
          ? [
              {
                type: 'audit',
                entry: {
                  sessionId: next.id,
                  kind: 'pairing_rejected',
                  actor: event.actor.id,
                  data: { device: session.pairing?.device },
                },
              },
            ]
          : [];
      return updated(audit);
    }
    case 'pairing.confirm': {
      if (!next.pairing?.device) return same();
      next.pairing.confirmed = true;
      next.state = 'probing';
      return updated([
        { type: 'dispatch', job: { type: 'check', jobId: `${event.id}:check`, sessionId: next.id } },
      ]);
    }
    case 'plan.start': {
      if (next.plan.length === 0) return same();
      next.state = 'step';
      const open = next.plan.findIndex((p) => p.status !== 'verified' && p.status !== 'skipped');
      next.stepIndex = Math.max(0, open);
      return updated();
    }
    case 'step.recheck':
      return recheck(next, event, deps);
    case 'step.failed': {
      const entry = next.plan[next.stepIndex];
      entry.status = 'failed';
      entry.checkedAt = deps.now;
      entry.evidence = { summary: 'You reported that it still fails.', checkedAt: deps.now };
      // Not the same step again (issue 14): on to the next thing to try, or the way to support.
      const title = currentStep(next, deps.playbooks)?.step.title ?? 'That step';
      return moveOn(next, deps, `Noted: "${title}" did not fix it.`);
    }
    case 'step.skip':
      next.plan[next.stepIndex].status = 'skipped';
      return moveOn(next, deps);
    case 'step.next':
      // An answer to a ladder question: the plan drops what it rules out, then the next open step.
      if (value && takeAnswer(next, value, deps)) {
        const follow = answerFollowUp(next);
        return {
          session: next,
          effects: [show(next, deps), ...(follow ? [{ type: 'send' as const, view: follow }] : [])],
        };
      }
      return moveOn(next, deps);
    case 'handoff.show':
      return { session, effects: [{ type: 'send', view: handoffView(session) }] };
    case 'handoff.copy':
      return { session, effects: [{ type: 'send', view: handoffCopy(session) }] };
    case 'case.escalate':
    case 'case.take': {
      const taken = verb === 'case.take';
      next.state = 'escalated';
      next.escalation = {
        caseRef: session.escalation?.caseRef ?? caseRef(session),
        at: session.escalation?.at ?? deps.now,
        reason:
          session.escalation?.reason ??
          (event.actor.role === 'support' ? 'escalated by support' : 'the user asked for help'),
        ...(taken ? { takenBy: event.actor.name ?? event.actor.id } : {}),
      };
      const effects: Effect[] = taken
        ? [
            {
              type: 'send',
              view: notice(
                next,
                `${event.actor.name ?? 'Support'} from support has taken your case and will reply here.`,
              ),
            },
          ]
        : [
            show(next, deps),
            { type: 'escalate', caseRef: next.escalation.caseRef, reason: next.escalation.reason },
          ];
      return { session: next, effects };
    }
    case 'case.reopen':
      next.state = next.findings.length > 0 ? 'plan' : 'intake';
      next.escalation = undefined;
      return { session: next, effects: [showNew(next, deps)] };
    case 'case.resolve':
      next.state = 'resolved';
      return {
        session: next,
        effects: [{ type: 'send', view: resolvedView(next, deps.playbooks), live: true }],
      };
    case 'case.rerun':
      if (next.pairing?.confirmed) {
        next.state = 'probing';
        return updated([
          { type: 'dispatch', job: { type: 'check', jobId: `${event.id}:check`, sessionId: next.id } },
        ]);
      }
      return {
        session: next,
        effects: [
          {
            type: 'send',
            view: pasteRequest(
              next,
              [`nslookup ${MANUAL_HOST}`, `curl -v -I https://${MANUAL_HOST}`],
              'a fresh check for support',
            ),
          },
        ],
      };
    case 'watch.start':
      if (!canWatch(next)) return same();
      return updated([{ type: 'dispatch', job: startWatch(next, event, deps) }]);
    case 'watch.stop':
      if (!next.watch || next.watch.stopping) return same();
      next.watch.stopping = true;
      return updated([{ type: 'cancel', jobId: next.watch.jobId }]);
    case 'card.refresh':
      return same();
  }
}

/** "Done — check again": the agent re-runs the step's probes, or the user pastes the output. */
function recheck(next: Session, event: Action, deps: TransitionDeps): TransitionResult {
  const planned = currentStep(next, deps.playbooks);
  const entry = next.plan[next.stepIndex];
  if (!next.pairing?.confirmed || !planned) return manualRecheck(next, deps);
  entry.status = 'checking';
  entry.checkedAt = deps.now;
  const known = relevantProbes(planned.step, next.probes).map((p) => p.id);
  const job: Effect = {
    type: 'dispatch',
    job: {
      type: 'recheck',
      jobId: `${event.id}:recheck`,
      sessionId: next.id,
      stepId: entry.stepId,
      // The probes this step's checks ran before; the step's patterns when there were none.
      probeIds: known.length > 0 ? known : planned.step.recheck,
    },
  };
  return { session: next, effects: [show(next, deps), job] };
}

/**
 * To the next step still open; past the last one, back to the findings card. `said`: a line for
 * the bottom of the chat naming what happened, followed by what is next.
 */
function moveOn(next: Session, deps: TransitionDeps, said?: string): TransitionResult {
  const later = next.plan.findIndex(
    (p, i) =>
      i > next.stepIndex && p.status !== 'verified' && p.status !== 'skipped' && p.status !== 'failed',
  );
  if (later >= 0) {
    next.stepIndex = later;
    const title = currentStep(next, deps.playbooks)?.step.title;
    const line: Effect[] =
      said && title
        ? [{ type: 'send', view: notice(next, `${said} Next: "${title}", on the card above.`) }]
        : [];
    return { session: next, effects: [show(next, deps), ...line] };
  }
  next.state = 'plan';
  return {
    session: next,
    effects: [
      show(next, deps),
      {
        type: 'send',
        view: notice(
          next,
          `${said ? `${said} ` : ''}That was the last step. If Teams still cannot sign in, choose Escalate on the card above to hand the case, with everything I found, to support.`,
        ),
      },
    ],
  };
}
