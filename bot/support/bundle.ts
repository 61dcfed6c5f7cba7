/**
 * The case as support sees it, built from the session so nobody asks the user to repeat
 * anything: the case card (the core's escalation view: symptom, code, device, findings with
 * evidence, steps with their verified status, timeline), a readable summary, and the whole case
 * as JSON. Everything leaves here redacted; what the redactor saw is what the mapping keeps.
 */
import { SEVERITY, STEP_STATUS, utcText, WHERE_LABEL } from '../../cards/format.ts';
import type { EscalationView } from '../../cards/views.ts';
import type { Session } from '../core/types.ts';
import { escalationView } from '../core/views.ts';
import type { PlaybookSet } from '../playbooks/types.ts';
import type { KnownNames, Redactor } from './redact.ts';
import type { CaseRecord, ThreadMessage } from './types.ts';

/** Characters of JSON per thread message, and how many messages at most (the rest stays on the server). */
export const JSON_PART_CHARS = 3500;
export const JSON_MAX_PARTS = 12;

/** The names of the person and the computer the session knows, for the redactor. */
export function knownNames(s: Session): KnownNames {
  const device = s.pairing?.device;
  return {
    users: [s.user.name, s.user.id, device?.user].filter(
      (x): x is string => typeof x === 'string' && x !== '',
    ),
    hosts: device?.hostname ? [device.hostname] : [],
  };
}

/** The hosts the report probed (Microsoft's, or a lab's in tests): evidence that stays readable. */
export function probedHosts(s: Session): string[] {
  return (s.report?.endpoints ?? []).map((e) => e.host);
}

/** The card: the core's escalation view with the case's own state, redacted except its routing fields. */
export function caseCard(
  s: Session,
  playbooks: PlaybookSet,
  record: CaseRecord,
  redactor: Redactor,
): ThreadMessage {
  const { takenBy: _core, ...view } = escalationView(s, playbooks);
  const closed = record.status === 'closed' || s.state === 'resolved';
  const taken = closed ? undefined : (record.data.takenBy?.name ?? s.escalation?.takenBy);
  const state: EscalationView['state'] = closed ? 'resolved' : taken ? 'taken' : 'open';
  const redacted = redactor.deep({ ...view, state });
  // Buttons route by session id and version; the support person's name is not the user's data.
  const routing = { sessionId: view.sessionId, version: view.version, caseRef: record.data.caseRef };
  return { kind: 'card', view: { ...redacted, ...routing, ...(taken ? { takenBy: taken } : {}) } };
}

/** The readable summary: everything on the card without the card's size budgets, plus every probe. */
export function caseSummary(s: Session, playbooks: PlaybookSet, caseRef: string): string {
  const view = escalationView(s, playbooks);
  const d = view.device;
  const lines = [
    `Case ${caseRef}`,
    `User: ${view.user}`,
    `Symptom: ${view.symptom}`,
    `Error code: ${view.errorCode ?? 'none given'}`,
    `Device: ${[d.hostname, d.os, d.osVersion].filter(Boolean).join(', ')}`,
    ...(view.where ? [`Connected at: ${WHERE_LABEL[view.where]}`] : []),
    `Verdict: ${view.verdict ?? 'not checked'}${s.reportSource ? ` (from ${s.reportSource})` : ''}`,
    '',
    'Findings (root cause first):',
    ...(view.findings.length === 0 ? ['  none'] : []),
    ...view.findings.flatMap((f) => [
      `  ${SEVERITY[f.severity].word} ${f.id}: ${f.summary}`,
      ...Object.entries(f.facts).map(([k, v]) => `    ${k}: ${Array.isArray(v) ? v.join(', ') : String(v)}`),
      ...(f.evidence.length > 0 ? [`    evidence: ${f.evidence.join(', ')}`] : []),
    ]),
    ...browserLines(s),
    '',
    'Steps tried:',
    ...(view.steps.length === 0 ? ['  none'] : []),
    ...view.steps.map(
      (t) => `  ${STEP_STATUS[t.status].word}: ${t.title} (${t.who})${t.evidence ? `: ${t.evidence}` : ''}`,
    ),
    '',
    'Checks (latest result each):',
    ...(s.probes.length === 0 ? ['  none'] : []),
    ...s.probes.map(
      (p) =>
        `  ${p.status.padEnd(7)} ${p.id}${p.failure ? `: ${p.failure.code}${p.failure.detail ? ` (${p.failure.detail})` : ''}` : ''}`,
    ),
    '',
    'Timeline (UTC):',
    ...view.timeline.map((t) => `  ${utcText(t.at, true)} ${t.text}`),
  ];
  return lines.join('\n');
}

/** The browser check (issue 17), beside the agent's findings: what it saw, and whether a later report superseded it. */
function browserLines(s: Session): string[] {
  if (!s.browser) return [];
  const { report, at, supersededAt } = s.browser;
  const when = supersededAt
    ? `superseded by the agent's report at ${utcText(supersededAt, true)}`
    : s.reportSource === 'agent'
      ? "after the agent's report, which counts"
      : 'the latest view of the computer';
  return [
    '',
    `Seen from the browser on the computer (${utcText(at, true)}, ${when}; no certificate chains, DNS answers or proxy settings):`,
    ...(report.findings.length === 0 ? ['  nothing wrong'] : []),
    ...report.findings.map((f) => `  ${SEVERITY[f.severity].word} ${f.id}: ${f.summary}`),
    ...report.probes.map(
      (p) => `  ${p.status.padEnd(7)} ${p.id}${p.failure ? `: ${p.failure.code} (${p.failure.detail})` : ''}`,
    ),
  ];
}

/** The whole case as one JSON document (the report included), for support's own tools. */
export function caseJson(s: Session, caseRef: string): Record<string, unknown> {
  return {
    schema: 'reconnect.case/v1',
    caseRef,
    channel: s.channel,
    user: s.user.name ?? s.user.id,
    state: s.state,
    code: s.code ?? null,
    symptom: s.symptom ?? null,
    os: s.os ?? null,
    where: s.where ?? null,
    device: s.pairing?.device ?? null,
    reportSource: s.reportSource ?? null,
    report: s.report ?? null,
    browser: s.browser ?? null,
    probes: s.probes,
    findings: s.findings,
    plan: s.plan,
    timeline: s.timeline.map(({ at, text }) => ({ at, text })),
    createdAt: s.createdAt,
    escalatedAt: s.escalation?.at ?? null,
  };
}

/** Text cut into parts of at most `size` characters, at line ends where it can. */
export function splitText(text: string, size: number): string[] {
  const parts: string[] = [];
  let rest = text;
  while (rest.length > size) {
    const cut = rest.lastIndexOf('\n', size);
    const at = cut > size / 2 ? cut + 1 : size;
    parts.push(rest.slice(0, at));
    rest = rest.slice(at);
  }
  if (rest.length > 0) parts.push(rest);
  return parts;
}

/** The thread replies that carry the report: the summary, then the JSON in as many parts as it needs. */
export function caseAttachments(
  s: Session,
  playbooks: PlaybookSet,
  caseRef: string,
  redactor: Redactor,
): ThreadMessage[] {
  const summary = redactor.text(caseSummary(s, playbooks, caseRef));
  const json = JSON.stringify(redactor.deep(caseJson(s, caseRef)), null, 2);
  const parts = splitText(json, JSON_PART_CHARS);
  const shown = parts.slice(0, JSON_MAX_PARTS);
  const dropped = parts.length - shown.length;
  return [
    ...splitText(summary, JSON_PART_CHARS).map(
      (body, i, all): ThreadMessage => ({
        kind: 'code',
        title: `Case ${caseRef}: summary${all.length > 1 ? ` (${i + 1}/${all.length})` : ''}`,
        body,
      }),
    ),
    ...shown.map(
      (body, i): ThreadMessage => ({
        kind: 'code',
        title: `${caseRef}.json${parts.length > 1 ? ` (part ${i + 1} of ${parts.length})` : ''}${
          dropped > 0 && i === shown.length - 1
            ? ` — ${dropped} more parts are kept with the case on the server`
            : ''
        }`,
        body,
      }),
    ),
  ];
}
