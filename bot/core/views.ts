/**
 * From a session to F2's view models (cards/views.ts), one per screen. The only place the core
 * decides what a screen shows; renderers never see the session. Instructions come from F1's
 * planFor, the user's OS first.
 */
import { SERVER_PLACEHOLDER } from '../../cards/format.ts';
import { agentCommands, goAddress } from '../../cards/pairing.ts';
import { plainText, probeLabel, userFinding } from '../../cards/plain.ts';
import type {
  EscalatedView,
  EscalationView,
  FactValue,
  FindingItem,
  FindingsView,
  IntakeView,
  PairingView,
  ProgressView,
  ResolvedView,
  StepEvidence,
  StepView,
  View,
} from '../../cards/views.ts';
import { formatPairingCode, normalizePairingCode } from '../../probes/agent/pairing-code.ts';
import type { Finding } from '../../probes/findings.ts';
import type { PlaybookSet } from '../playbooks/types.ts';
import { ANSWER_PREFIX, QUESTIONS } from './ladder.ts';
import { currentStep } from './session.ts';
import { SYMPTOMS } from './symptoms.ts';
import type { Session } from './types.ts';
import { canWatch, watchFigures, watchResultText } from './watch.ts';

export interface ViewDeps {
  playbooks: PlaybookSet;
  /** ISO 8601 now, to tell an expired pairing code. */
  now: string;
  /** The bot's public URL, for the agent's --server (issue 6). */
  serverUrl?: string;
  /** Escalation has no support port: how users reach IT instead. */
  supportContact?: string;
}

/** The screen for the session's state: what the live card shows. */
export function viewFor(session: Session, deps: ViewDeps): View {
  // A running watch replaces the plan or step on the live card until its report comes.
  if (session.watch && (session.state === 'plan' || session.state === 'step')) return watchView(session);
  switch (session.state) {
    case 'intake':
      return intakeView(session);
    case 'pairing':
      return pairingView(session, deps);
    case 'probing':
      return progressView(session);
    case 'plan':
      return findingsView(session);
    case 'step':
      return stepView(session, deps.playbooks, deps.now) ?? findingsView(session);
    case 'resolved':
      return resolvedView(session, deps.playbooks);
    case 'escalated':
      return escalatedView(session, deps);
  }
}

const base = (s: Session) => ({ sessionId: s.id, version: s.version });

export function intakeView(s: Session): IntakeView {
  return {
    ...base(s),
    screen: 'intake',
    ...(s.user.name ? { userName: s.user.name.split(' ')[0] } : {}),
    ...(s.code
      ? { errorCode: s.code }
      : {
          symptoms: SYMPTOMS.map(({ key, label }) => ({ key, label })),
          ...(s.symptomKey ? { symptomKey: s.symptomKey } : {}),
        }),
    ...(s.symptom ? { symptom: s.symptom } : {}),
    ...(s.os ? { os: s.os } : {}),
    ...(s.where ? { where: s.where } : {}),
  };
}

export function pairingView(s: Session, deps: ViewDeps): PairingView {
  const pairing = s.pairing ?? { code: '', expiresAt: deps.now };
  // Without a configured address the command gets a placeholder, never a guessed localhost (a
  // laptop cannot reach the bot's loopback). A loopback PUBLIC_URL set on purpose (one machine,
  // the lab) is used as given; the operator is warned about it at start (startup-warnings.ts).
  const server = deps.serverUrl;
  return {
    ...base(s),
    screen: 'pairing',
    code: pairing.code,
    expiresAt: pairing.expiresAt,
    ...(pairing.lost
      ? { agentLost: true }
      : Date.parse(pairing.expiresAt) <= Date.parse(deps.now) && !pairing.device
        ? { expired: true }
        : {}),
    ...(s.os ? { os: s.os } : {}),
    // No address configured: no /go page to name either (never a guessed localhost).
    ...(pairing.code && server ? { goAddress: goAddress(server) } : {}),
    // The web chat may be open on the affected computer: the browser check is one tap away there.
    ...(pairing.code && server && s.channel === 'webchat'
      ? {
          checkHereUrl: `${server.replace(/\/$/, '')}/go#${formatPairingCode(normalizePairingCode(pairing.code) ?? pairing.code)}`,
        }
      : {}),
    commands: pairing.code
      ? agentCommands({ code: pairing.code, serverUrl: server ?? SERVER_PLACEHOLDER })
      : [],
    ...(server ? {} : { serverUnknown: true }),
    ...(pairing.device ? { pairedDevice: pairing.device } : {}),
  };
}

/** Issue 6 streams progress; until a report comes the card says the checks are running. */
export function progressView(s: Session): ProgressView {
  const device = s.pairing?.device;
  return {
    ...base(s),
    screen: 'progress',
    ...(device ? { device: `${device.hostname} (${device.os})` } : {}),
    areas: ['dns', 'firewall', 'proxy', 'tls', 'clock'].map((id) => ({
      id,
      label: id === 'tls' ? 'Certificates' : id === 'dns' ? 'DNS' : id[0].toUpperCase() + id.slice(1),
      state: 'running' as const,
    })),
    counts: { done: 0, total: 0, failed: 0 },
  };
}

/** The live card while the agent watches: the progress card, saying so, with the time left. */
export function watchView(s: Session): ProgressView {
  const watch = watchFigures(s);
  return { ...progressView(s), areas: [], ...(watch ? { watch } : {}) };
}

export function findingItem(f: Finding): FindingItem {
  const facts: Record<string, FactValue> = {};
  for (const [key, value] of Object.entries(f.facts)) {
    if (value === null || value === undefined) continue;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      facts[key] = value;
    else if (Array.isArray(value))
      facts[key] = value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
    else facts[key] = JSON.stringify(value);
  }
  return { id: f.id, severity: f.severity, summary: f.summary, evidence: f.evidence, facts };
}

export function findingsView(s: Session): FindingsView {
  const problems = s.findings.some((f) => f.severity !== 'info');
  return {
    ...base(s),
    screen: 'findings',
    verdict:
      s.report?.verdict ?? (problems ? 'problems' : s.findings.length > 0 ? 'healthy' : 'inconclusive'),
    // The user's screen: headlines and plain words, no ids (the support summary keeps them).
    findings: s.findings.map((f) => userFinding(findingItem(f))),
    stepCount: s.plan.length,
    ...(canWatch(s) ? { canWatch: true } : {}),
    ...(s.report?.watch ? { watchResult: watchResultText(s.report.watch) } : {}),
  };
}

/** How long a step waits in "checking": the agent's re-check deadline, or a person pasting output. */
export const CHECK_LIMIT_MS = { agent: 60_000, paste: 600_000 } as const;

export function stepView(s: Session, playbooks: PlaybookSet, now?: string): StepView | undefined {
  const planned = currentStep(s, playbooks);
  const entry = s.plan[s.stepIndex];
  if (!planned || !entry) return undefined;
  const { step } = planned;
  return {
    ...base(s),
    screen: 'step',
    stepId: step.id,
    index: s.stepIndex + 1,
    total: s.plan.length,
    title: step.title,
    why: step.why,
    who: step.who,
    area: step.area,
    findings: planned.because.length > 0 ? planned.because : step.findings,
    instructions: Object.fromEntries(planned.instructions.map((b) => [b.platform, b.markdown])),
    ...(s.os ? { os: s.os } : {}),
    ...checkingState(s, entry, now),
    ...(entry.status === 'failed' && canWatch(s) ? { canWatch: true } : {}),
    ...(QUESTIONS[step.id]
      ? { answers: QUESTIONS[step.id].map((a) => ({ label: a.label, value: `${ANSWER_PREFIX}${a.hint}` })) }
      : {}),
  };
}

/** The status as shown: a check past its time limit shows as to do again, with why. */
function checkingState(
  s: Session,
  entry: Session['plan'][number],
  now: string | undefined,
): Pick<StepView, 'status' | 'evidence' | 'checkUntil' | 'checkBy'> {
  const evidence = entry.evidence ? { evidence: plainEvidence(entry.evidence) } : {};
  if (entry.status !== 'checking' || !entry.checkedAt) return { status: entry.status, ...evidence };
  const by = s.pairing?.confirmed ? 'agent' : 'paste';
  const until = new Date(Date.parse(entry.checkedAt) + CHECK_LIMIT_MS[by]).toISOString();
  if (now && Date.parse(now) > Date.parse(until))
    return {
      status: 'pending',
      evidence: {
        summary: 'The check got no answer in time. Do the step again, or skip it.',
        checkedAt: now,
      },
    };
  return { status: 'checking', ...evidence, checkUntil: until, checkBy: by };
}

/** A re-check's evidence for the user: hosts instead of probe ids, raw codes in words. */
function plainEvidence(e: StepEvidence): StepEvidence {
  return {
    ...e,
    summary: plainText(e.summary),
    ...(e.probes
      ? {
          probes: e.probes.map((p) => ({
            ...p,
            id: probeLabel(p.id),
            ...(p.detail ? { detail: plainText(p.detail) } : {}),
          })),
        }
      : {}),
  };
}

export function resolvedView(s: Session, playbooks: PlaybookSet): ResolvedView {
  const verified = s.plan.filter((p) => p.status === 'verified');
  const titles = verified.map((p) => playbooks.steps.get(p.stepId)?.title ?? p.stepId);
  const cause = s.findings.find((f) => f.severity !== 'info');
  const summary = cause
    ? `${cause.summary} ${titles.length > 0 ? `Fixed by: ${titles.join('; ')}.` : 'The latest check no longer shows it.'}`
    : titles.length > 0
      ? `The checks pass again after: ${titles.join('; ')}.`
      : 'You confirmed that Teams works again.';
  const at = verified
    .map((p) => p.checkedAt)
    .filter((x): x is string => Boolean(x))
    .sort()
    .at(-1);
  return {
    ...base(s),
    screen: 'resolved',
    summary,
    verifiedSteps: titles,
    ...(at ? { verifiedAt: at } : {}),
  };
}

export function escalatedView(s: Session, deps: Pick<ViewDeps, 'supportContact'> = {}): EscalatedView {
  return {
    ...base(s),
    screen: 'escalated',
    caseRef: s.escalation?.caseRef ?? caseRef(s),
    ...(deps.supportContact ? { contact: deps.supportContact } : {}),
  };
}

/** A short, stable reference for people: derived from the session id, so any replica agrees. */
export function caseRef(s: Pick<Session, 'id'>): string {
  return `RC-${s.id
    .replace(/[^0-9a-z]/gi, '')
    .slice(-6)
    .toUpperCase()}`;
}

/** The support thread's summary of the case. */
export function escalationView(s: Session, playbooks: PlaybookSet): EscalationView {
  return {
    ...base(s),
    screen: 'escalation',
    caseRef: s.escalation?.caseRef ?? caseRef(s),
    state: s.state === 'resolved' ? 'resolved' : s.escalation?.takenBy ? 'taken' : 'open',
    ...(s.escalation?.takenBy ? { takenBy: s.escalation.takenBy } : {}),
    user: s.user.name ?? s.user.id,
    symptom: s.symptom ?? '(not described)',
    ...(s.code ? { errorCode: s.code } : {}),
    device: {
      os: s.report?.agent.os ?? s.os ?? 'unknown',
      ...(s.report?.agent.osVersion ? { osVersion: s.report.agent.osVersion } : {}),
      ...(s.pairing?.device ? { hostname: s.pairing.device.hostname } : {}),
    },
    ...(s.where ? { where: s.where } : {}),
    ...(s.report ? { verdict: s.report.verdict } : {}),
    findings: s.findings.map(findingItem),
    steps: s.plan.map((p) => {
      const step = playbooks.steps.get(p.stepId);
      return {
        title: step?.title ?? p.stepId,
        status: p.status,
        who: step?.who ?? 'user',
        ...(p.evidence ? { evidence: p.evidence.summary } : {}),
      };
    }),
    timeline: s.timeline.map(({ at, text }) => ({ at, text })),
  };
}
