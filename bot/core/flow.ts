/**
 * The moves several events share: leaving intake (to pairing or the manual path), and taking
 * in new probe results (from a paste, an agent's report or a re-check) — re-diagnose, re-check
 * the step on screen, re-plan on a new cause, resolve when every problem is verified fixed.
 * Each function takes a session already advanced (session.ts `advance`) and returns effects.
 */
import { probeRead } from '../../cards/plain.ts';
import type { ProbeResult } from '../../probes/types.ts';
import { notice, pasteRequest } from './notices.ts';
import { MANUAL_HOST, pasteCommands, recheckOutcome } from './recheck.ts';
import { mergeProbes, newProblems, openProblems, rediagnose, replan } from './results.ts';
import { currentStep, planEntries, planSteps } from './session.ts';
import type { Effect, Session, TransitionDeps, TransitionResult } from './types.ts';
import { resolvedView, viewFor } from './views.ts';

/** Replace the live card with the session's current screen. */
export function show(s: Session, deps: TransitionDeps): Effect {
  return { type: 'update', view: viewFor(s, deps) };
}

/** A new live card for the session's current screen (the old one stays as history). */
export function showNew(s: Session, deps: TransitionDeps): Effect {
  return { type: 'send', view: viewFor(s, deps), live: true };
}

/**
 * Intake is complete: pair with the agent when a gateway is configured (the engine supplies a
 * fresh code through deps.pairingCode on a second run), else start the manual path.
 */
export function leaveIntake(next: Session, deps: TransitionDeps, effects: Effect[]): TransitionResult {
  if (deps.agents) {
    if (!deps.pairingCode) return { session: next, effects: [], needs: 'pairingCode' };
    next.state = 'pairing';
    next.pairing = { ...deps.pairingCode };
    return { session: next, effects: [...effects, showNew(next, deps)] };
  }
  return startManual(next, deps, effects);
}

/** The manual path: the plan for the code (or findings) at hand, first step on a new card. */
export function startManual(next: Session, deps: TransitionDeps, effects: Effect[]): TransitionResult {
  next.plan = planEntries(planSteps(next, deps.playbooks), next.plan);
  next.stepIndex = 0;
  next.state = next.plan.length > 0 && next.findings.length === 0 ? 'step' : 'plan';
  const tip = notice(
    next,
    `No agent needed: each step says what to do on ${next.os ? 'your computer' : 'each kind of computer'}. ` +
      `When a step asks for a check, paste the command's whole output here (for example \`${
        next.os === 'windows' || !next.os ? 'nslookup' : 'dig'
      } ${MANUAL_HOST}\`) and I will read it. If you have a result code from the Reconnect agent, type it instead.`,
  );
  return { session: next, effects: [...effects, showNew(next, deps), { type: 'send', view: tip }] };
}

/**
 * New probe results for the session. In order: re-diagnose; a new cause moves to a fresh plan
 * (findings card); otherwise the step on screen is re-checked by the results that bear on it;
 * when nothing that was wrong remains open, the case is resolved.
 */
export function takeResults(
  before: Session,
  next: Session,
  fresh: ProbeResult[],
  deps: TransitionDeps,
  options: { stepId?: string } = {},
): TransitionResult {
  const effects: Effect[] = [];
  next.probes = mergeProbes(before.probes, fresh);
  Object.assign(next, rediagnose(next, deps.now));
  const added = newProblems(before.findings, next.findings);
  const hadProblems = openProblems(before, deps.playbooks).length > 0;

  if (added.length > 0 && next.state !== 'resolved' && next.state !== 'escalated') {
    replan(next, deps.playbooks);
    next.state = 'plan';
    return { session: next, effects: [showNew(next, deps)] };
  }

  const planned = next.state === 'step' ? currentStep(next, deps.playbooks) : undefined;
  const entry = next.plan[next.stepIndex];
  const target = options.stepId ?? entry?.stepId;
  const outcome =
    planned && entry && planned.step.id === target ? recheckOutcome(planned.step, fresh, deps.now) : null;
  if (outcome && entry) {
    entry.status = outcome.status;
    entry.evidence = outcome.evidence;
    entry.checkedAt = deps.now;
  }
  if (
    hadProblems &&
    openProblems(next, deps.playbooks).length === 0 &&
    (outcome?.status ?? 'verified') === 'verified'
  ) {
    if (next.state === 'step') effects.push(show(next, deps));
    next.state = 'resolved';
    return {
      session: next,
      effects: [...effects, { type: 'send', view: resolvedView(next, deps.playbooks), live: true }],
    };
  }
  if (outcome) return { session: next, effects: [show(next, deps)] };

  // Nothing on screen changed: say in words what was read, and what would check this step.
  const read = `Thanks, I read that ${inWords(fresh.map(probeRead))}.`;
  const commands = planned ? pasteCommands(planned.step, next.os) : [];
  const text =
    planned && commands.length > 0
      ? `${read} None of that checks "${planned.step.title}"; for that, paste the output of ${inWords(
          commands.map((c) => `\`${c}\``),
          'or',
        )}.`
      : `${read} ${next.findings.some((f) => f.severity !== 'info') ? 'It matches what we already know.' : 'No problem shows in these results.'}`;
  return { session: next, effects: [{ type: 'send', view: notice(next, text) }] };
}

/** "Done — check again" without an agent: ask for the output that checks the step. */
export function manualRecheck(next: Session, deps: TransitionDeps): TransitionResult {
  const planned = currentStep(next, deps.playbooks);
  const entry = next.plan[next.stepIndex];
  if (!planned || !entry) return { session: next, effects: [show(next, deps)] };
  const commands = pasteCommands(planned.step, next.os);
  if (commands.length === 0) {
    entry.status = 'skipped';
    entry.checkedAt = deps.now;
    entry.evidence = {
      summary:
        'Not re-checked: only the Reconnect agent can check this on the computer, so it is marked as skipped.',
      checkedAt: deps.now,
    };
    return { session: next, effects: [show(next, deps)] };
  }
  entry.status = 'checking';
  entry.checkedAt = deps.now;
  return {
    session: next,
    effects: [show(next, deps), { type: 'send', view: pasteRequest(next, commands, planned.step.title) }],
  };
}

/** "a", "a and b", "a, b and c". */
function inWords(items: string[], last = 'and'): string {
  return items.length <= 2
    ? items.join(` ${last} `)
    : `${items.slice(0, -1).join(', ')} ${last} ${items.at(-1)}`;
}
