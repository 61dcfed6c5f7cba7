/**
 * Folding new facts into a session: probe results (pasted, or an agent's report or re-check),
 * re-diagnosis, and the two questions every new fact raises: did it reveal a problem the plan
 * does not cover yet, and is everything that was wrong now verified fixed?
 */
import { diagnose } from '../../probes/diagnosis/index.ts';
import { FINDINGS, type Finding, type FindingId } from '../../probes/findings.ts';
import type { Report } from '../../probes/report.ts';
import type { DecodedResult } from '../../probes/result-code.ts';
import type { ProbeResult } from '../../probes/types.ts';
import type { PlaybookSet } from '../playbooks/types.ts';
import { manualReport } from './manual-report.ts';
import { planEntries, planSteps } from './session.ts';
import type { Session } from './types.ts';

/** `probes` with `fresh` replacing results of the same id: the latest measurement counts. */
export function mergeProbes(probes: ProbeResult[], fresh: ProbeResult[]): ProbeResult[] {
  const ids = new Set(fresh.map((p) => p.id));
  return [...probes.filter((p) => !ids.has(p.id)), ...fresh];
}

/**
 * The session's report and findings recomputed from all its probe results. An agent's report
 * keeps its environment and endpoints; a result code's findings stay until a verified step
 * answers them (the code carries no probe that a paste could replace).
 */
export function rediagnose(
  session: Session,
  now: string,
): Pick<Session, 'report' | 'findings' | 'earlierFindings'> {
  const { report } = session;
  if (report && session.reportSource === 'agent') {
    const measured = { ...report, probes: session.probes };
    const { findings, verdict } = diagnose(measured);
    return { report: { ...measured, findings, verdict }, findings, ...earlier(session, findings) };
  }
  const manual = manualReport({
    probes: session.probes,
    ...(session.os ? { os: session.os } : {}),
    startedAt: report?.startedAt ?? now,
  });
  if (session.reportSource !== 'result_code' || !report)
    return { report: manual, findings: manual.findings, ...earlier(session, manual.findings) };
  const coded = report.findings.filter((f) => !manual.findings.some((m) => m.id === f.id));
  const findings = [...manual.findings, ...coded];
  return { report: { ...report, probes: session.probes, findings }, findings, ...earlier(session, findings) };
}

/**
 * What the case found before that `findings` no longer has (fixed since, or a result code's that a
 * full report replaced), newest knowledge first: the hand-off lists them after the current ones.
 */
export function earlier(session: Session, findings: Finding[]): Pick<Session, 'earlierFindings'> {
  const now = new Set(findings.map((f) => f.id));
  const gone = [...session.findings, ...(session.earlierFindings ?? [])].filter(
    (f, i, all) => !now.has(f.id) && all.findIndex((g) => g.id === f.id) === i,
  );
  return gone.length > 0 ? { earlierFindings: gone } : {};
}

/** Blocking and degraded findings that no verified step of the plan answers yet. */
export function openProblems(session: Session, playbooks: PlaybookSet): Finding[] {
  const verified = session.plan
    .filter((p) => p.status === 'verified')
    .flatMap((p) => playbooks.steps.get(p.stepId)?.findings ?? []);
  return session.findings.filter((f) => f.severity !== 'info' && !verified.includes(f.id));
}

/** Problems in `after` that `before` did not have: a cause the plan was not made for. */
export function newProblems(before: Finding[], after: Finding[]): Finding[] {
  const known = new Set(before.map((f) => f.id));
  return after.filter((f) => f.severity !== 'info' && !known.has(f.id));
}

/** Replaces the plan for the session's findings, keeping what earlier steps verified. */
export function replan(session: Session, playbooks: PlaybookSet): void {
  session.plan = planEntries(planSteps(session, playbooks), session.plan);
  const next = session.plan.findIndex((p) => p.status !== 'verified' && p.status !== 'skipped');
  session.stepIndex = Math.max(0, next);
}

/** The findings a result code stands for, in the report's shape, with the facts it carries. */
export function resultCodeReport(decoded: DecodedResult, session: Session, now: string): Report {
  const findings: Finding[] = decoded.findings.map(({ id, factClass }) => {
    const spec = FINDINGS[id];
    const severity = id === 'clock.skew' && factClass?.endsWith('lt_5m') ? 'degraded' : spec.severity;
    return {
      id,
      severity,
      summary: sentence(spec.meaning) + (factClass ? ` (${factClass.replace(/_/g, ' ')})` : ''),
      evidence: [],
      facts: factClass ? { [FACT_NAME[id] ?? 'class']: factClass } : {},
    };
  });
  return {
    schema: 'reconnect.report/v1',
    agent: { version: 'result code', os: session.os ?? 'unknown', osVersion: '', runtime: '' },
    cloud: 'commercial',
    startedAt: now,
    durationMs: 0,
    environment: { proxy: { source: 'none' }, resolvers: [] },
    endpoints: [],
    publicResolvers: [],
    probes: [],
    findings,
    verdict: decoded.verdict,
  };
}

/** The fact each result-code class fills (the names diagnosis uses, so playbook conditions read them). */
const FACT_NAME: Partial<Record<FindingId, string>> = {
  'tls.untrusted': 'reason',
  'firewall.blocked': 'mode',
  'clock.skew': 'offset',
  'dns.system_failed': 'error',
};

function sentence(text: string): string {
  return `${text[0].toUpperCase()}${text.slice(1)}.`;
}
