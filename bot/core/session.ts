/**
 * Making and moving sessions: a new session for a conversation's first event, the one place a
 * transition bumps the version and records the event it applied, and the plan entries the
 * playbooks give for the session's code, findings and OS.
 */
import { instructionsFor, planFor } from '../playbooks/select.ts';
import type { PlanInput, PlanStep, PlaybookSet } from '../playbooks/types.ts';
import { guideCode } from './symptoms.ts';
import type { CoreEvent, PlanEntry, Session, TransitionDeps } from './types.ts';

/** How many applied event ids a session remembers, to turn late replays into no-ops. */
const RECENT_EVENTS = 32;
/** The timeline is for people (support's summary): keep it short. */
const TIMELINE = 100;
/** The ladder used when the user gave no code, or a code no playbook serves. */
export const DEFAULT_CODE = 'CAA20004';

/** The session a conversation's first event opens. `id` comes from the engine (random). */
export function newSession(id: string, event: CoreEvent, now: string): Session {
  return {
    id,
    version: 0,
    viewVersion: 0,
    conversationKey: event.conversationKey,
    channel: event.channel,
    conversation: event.conversation,
    user: { id: event.actor.id, ...(event.actor.name ? { name: event.actor.name } : {}) },
    state: 'intake',
    hints: [],
    probes: [],
    findings: [],
    plan: [],
    stepIndex: 0,
    recentEvents: [],
    timeline: [],
    createdAt: now,
    updatedAt: now,
  };
}

/**
 * A copy of `session` one version on, with `event` recorded as applied and `text` on the
 * timeline. Every state change goes through here, so the version a card carries always
 * matches the saved session it was rendered from (the store assigns version + 1 on save).
 */
export function advance(session: Session, event: CoreEvent, deps: TransitionDeps, text?: string): Session {
  // A JSON round trip, not structuredClone: a Session is a JSON document (the store keeps it as
  // JSON, so this is exactly what the next turn will load), and per turn this copy costs a
  // fraction of structuredClone's (bench:turns).
  const next = JSON.parse(JSON.stringify(session)) as Session;
  next.version = session.version + 1;
  next.viewVersion = next.version;
  next.updatedAt = deps.now;
  next.recentEvents = [...session.recentEvents, event.id].slice(-RECENT_EVENTS);
  // The channel reference moves (Teams service URLs change); the latest one reaches the user.
  if (event.actor.role === 'user' && event.conversation.ref !== undefined)
    next.conversation = event.conversation;
  if (text) {
    const by = event.actor.role === 'agent' ? `agent:${event.actor.id}` : event.actor.id;
    next.timeline = [...session.timeline, { at: deps.now, by, text }].slice(-TIMELINE);
  }
  return next;
}

/** The playbook steps for the session as it stands: by findings when there are any, else the code's ladder. */
export function planSteps(session: Session, playbooks: PlaybookSet): PlanStep[] {
  const findings = session.findings.map((f) => ({ id: f.id, severity: f.severity, facts: f.facts }));
  const input: Omit<PlanInput, 'code'> = {
    findings,
    os: session.os ?? 'unknown',
    session: { hints: session.hints, where: session.where },
  };
  const steps = planFor({ ...input, code: guideCode(session) }, playbooks);
  if (steps.length > 0 || findings.length > 0) return steps;
  return planFor({ ...input, code: DEFAULT_CODE }, playbooks);
}

/**
 * Plan entries for `steps`, keeping the status and evidence of steps the old plan already had
 * (a step verified earlier stays verified when the findings change).
 */
export function planEntries(steps: PlanStep[], previous: PlanEntry[]): PlanEntry[] {
  return steps.map((s) => {
    const before = previous.find((p) => p.stepId === s.step.id);
    return before && before.status !== 'checking' ? before : { stepId: s.step.id, status: 'pending' };
  });
}

/** The PlanStep of the step on screen, or undefined when the plan is empty. */
export function currentStep(session: Session, playbooks: PlaybookSet): PlanStep | undefined {
  const entry = session.plan[session.stepIndex];
  if (!entry) return undefined;
  return (
    planSteps(session, playbooks).find((s) => s.step.id === entry.stepId) ??
    stepById(entry.stepId, session, playbooks)
  );
}

/** A step by id even when the current findings would no longer select it. */
function stepById(id: string, session: Session, playbooks: PlaybookSet): PlanStep | undefined {
  const step = playbooks.steps.get(id);
  if (!step) return undefined;
  const n = session.plan.findIndex((p) => p.stepId === id) + 1;
  return { n, step, because: [], instructions: instructionsFor(step, session.os ?? 'unknown') };
}
