/**
 * What the companion agent's gateway tells the core besides reports (issue 6): progress of a
 * running check (the progress card changes, the session does not), and a job that ended
 * without results (the card says so and offers a retry; nothing reads as verified).
 */
import type { AreaState, ProgressView } from '../../cards/views.ts';
import { show } from './flow.ts';
import { notice } from './notices.ts';
import { advance } from './session.ts';
import type { CoreEvent, Effect, JobProgress, Session, TransitionDeps, TransitionResult } from './types.ts';
import { progressView } from './views.ts';
import { watchFigures } from './watch.ts';

type Of<K extends CoreEvent['kind']> = Extract<CoreEvent, { kind: K }>;

const LABELS: Record<string, string> = { dns: 'DNS', tls: 'Certificates', https: 'HTTPS', proxy: 'Proxy' };

/**
 * The progress card for a running check, or the watching card for a running watch (its full
 * check's areas, then its rounds and the time left); not saved (the next report replaces it).
 */
export function onProgress(session: Session, event: Of<'agentProgress'>): TransitionResult {
  if (event.jobType === 'watch' && session.watch?.jobId === event.jobId) {
    const watch = watchFigures(session, event.progress.watch);
    const view = { ...progressFrom(session, event.progress), ...(watch ? { watch } : {}) };
    return { session, effects: [{ type: 'update', view }] };
  }
  if (session.state !== 'probing' || event.jobType !== 'check') return { session, effects: [] };
  return { session, effects: [{ type: 'update', view: progressFrom(session, event.progress) }] };
}

export function progressFrom(session: Session, p: JobProgress): ProgressView {
  const state = (a: JobProgress['areas'][number]): AreaState =>
    a.failed > 0 ? 'fail' : a.done >= a.total ? 'pass' : a.done > 0 ? 'running' : 'queued';
  return {
    ...progressView(session),
    areas: p.areas.map((a) => ({
      id: a.area,
      label: LABELS[a.area] ?? a.area[0].toUpperCase() + a.area.slice(1),
      state: state(a),
      done: a.done,
      total: a.total,
    })),
    counts: { done: p.done, total: p.total, failed: p.failed },
  };
}

/**
 * A job that brought no results. A lost or refused re-check puts the step back to "Done —
 * check again" with the reason as its evidence. A lost check returns to the pairing card with
 * "Get a new code" and "Continue manually": the agent that went away cannot come back (its
 * secret lived in its memory), so retrying it would only fail again. Any other ended check
 * returns to the confirm card, whose button runs it again; an action's outcome is told in the chat.
 */
export function onJobEnded(
  session: Session,
  event: Of<'agentJobEnded'>,
  deps: TransitionDeps,
): TransitionResult {
  const said = sentence(event.message);
  const told: Effect = {
    type: 'send',
    view: notice(session, said, { tone: event.outcome === 'done' ? 'info' : 'warning' }),
  };
  if (event.jobType === 'recheck' && event.stepId) {
    const i = session.plan.findIndex((p) => p.stepId === event.stepId);
    if (i < 0 || session.plan[i].status !== 'checking') return { session, effects: [told] };
    const next = advance(session, event, deps, `Re-check of ${event.stepId} ended: ${event.outcome}`);
    next.plan[i] = {
      ...next.plan[i],
      status: 'pending',
      evidence: { summary: `Not checked: ${event.message}`, checkedAt: deps.now },
    };
    return { session: next, effects: [show(next, deps)] };
  }
  if (event.jobType === 'watch') {
    // The watch brought no report: the card goes back to what it showed, and the chat says why.
    if (session.watch?.jobId !== event.jobId) return { session, effects: [told] };
    const next = advance(session, event, deps, `Watch ended: ${event.outcome}`);
    next.watch = undefined;
    return { session: next, effects: [show(next, deps), told] };
  }
  if (event.jobType === 'check' && session.state === 'probing') {
    const next = advance(session, event, deps, `Check ended: ${event.outcome}`);
    next.state = 'pairing';
    const lost = event.outcome === 'lost';
    if (next.pairing && lost)
      next.pairing = { code: next.pairing.code, expiresAt: next.pairing.expiresAt, lost };
    else if (next.pairing) next.pairing.confirmed = false;
    const what = lost
      ? 'Press "Get a new code" and start the agent again on the computer'
      : 'Press "Yes, that is my computer" to run the checks again';
    const retry = notice(next, `${said} ${what}, or type "manual" to go on without the agent.`, {
      tone: 'warning',
    });
    return { session: next, effects: [show(next, deps), { type: 'send', view: retry }] };
  }
  return { session, effects: [told] };
}

/** The gateway's reasons are clauses ("the agent … stopped"); the chat shows them as sentences. */
function sentence(text: string): string {
  const t = text.trim();
  if (t === '') return t;
  return `${t[0].toUpperCase()}${t.slice(1)}${/[.!?]$/.test(t) ? '' : '.'}`;
}
