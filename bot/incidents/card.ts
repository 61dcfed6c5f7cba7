/**
 * What an incident looks like in the support channel: one card (the case summary's layout with
 * the incident's rows: users since when, first and latest case, what is affected, verified after
 * the fix), the admin hand-off for the cause, and one line per case that joins. Built from the
 * stored group alone, so any replica renders the same card; redacted like case threads.
 */
import type { EscalationView } from '../../cards/views.ts';
import { handoffView } from '../core/handoff-view.ts';
import type { Session } from '../core/types.ts';
import { caseRef } from '../core/views.ts';
import type { Redactor } from '../support/redact.ts';
import type { ThreadMessage } from '../support/types.ts';
import type { IncidentDoc, IncidentMember, IncidentSummary } from './types.ts';

/** The routing id of an incident card's buttons (the engine finds no session by it; the incidents gate acts). */
export const INCIDENT_PREFIX = 'incident:';

/** The reference support reads and says: INC- and the id's last six characters. */
export function incidentRef(doc: Pick<IncidentDoc, 'id'>): string {
  return `INC-${doc.id
    .replace(/[^0-9a-z]/gi, '')
    .slice(-6)
    .toUpperCase()}`;
}

/** What the cause takes away from the user: calls suffer from media findings, sign-in from the rest. */
export function affected(cause: string): string[] {
  if (cause === 'media.udp_blocked') return ['media (calls and meetings)'];
  if (cause === 'vpn.optimize_tunneled') return ['media (calls and meetings)', 'sign-in'];
  return ['sign-in'];
}

const utc = (ms: number) => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/** The incident card: state, scope, the cause with its evidence and facts, the notes. */
export function incidentCard(doc: IncidentDoc, redactor: Redactor): ThreadMessage {
  const state: EscalationView['state'] =
    doc.state === 'resolved' ? 'resolved' : doc.state === 'taken' ? 'taken' : 'open';
  const rows = [
    { title: 'Users', value: `${doc.members} since ${utc(doc.firstAt)}` },
    { title: 'First case', value: `${caseRef({ id: doc.firstCase })} at ${utc(doc.firstAt)}` },
    { title: 'Latest case', value: `${caseRef({ id: doc.latestCase })} at ${utc(doc.latestAt)}` },
    { title: 'Affected', value: affected(doc.cause).join(', ') },
    { title: 'Network', value: [doc.cloud, doc.egress || 'egress unknown'].join(', ') },
    ...(doc.resolvedAt !== undefined
      ? [{ title: 'Verified fixed', value: `${doc.verified}/${doc.members} computers` }]
      : []),
  ];
  const timeline = [
    ...(doc.openedAt !== undefined
      ? [{ at: new Date(doc.openedAt).toISOString(), text: `Opened: ${doc.members} cases agree` }]
      : []),
    ...doc.notes.map((n) => ({ at: n.at, text: `${n.by}: ${n.text}` })),
  ];
  const view: EscalationView = {
    screen: 'escalation',
    sessionId: `${INCIDENT_PREFIX}${doc.id}`,
    version: doc.version,
    caseRef: incidentRef(doc),
    state,
    ...(state === 'taken' && doc.takenBy ? { takenBy: doc.takenBy.name } : {}),
    user: `${doc.members} users`,
    symptom: redactor.text(doc.headline),
    device: { os: 'several computers' },
    verdict: 'problems',
    findings: [
      {
        id: doc.cause,
        severity: 'blocking',
        summary: redactor.text(doc.headline),
        evidence: doc.evidence,
        facts: redactor.deep(doc.facts),
      },
    ],
    steps: [],
    timeline: timeline.map((t) => ({ at: t.at, text: redactor.text(t.text) })),
    incident: { rows },
  };
  return { kind: 'card', view };
}

/** The admin hand-off for the cause, from the case that opened the incident (its report names the hosts). */
export function incidentHandoff(session: Session, redactor: Redactor): ThreadMessage {
  const view = handoffView(session);
  const body = view.sections
    .map((s) => [s.title, ...s.lines.map((l) => (s.format === 'code' ? l : `  ${l}`))].join('\n'))
    .join('\n\n');
  return { kind: 'code', title: 'Admin hand-off for this cause', body: redactor.text(body) };
}

/** The words of the incident's lines: in the thread, and to its users. */
export const incidentWords = {
  joined: (m: Pick<IncidentMember, 'label'>, users: number, at: number) =>
    `Case ${m.label} joined at ${utc(at)} (${users} user${users === 1 ? '' : 's'} now).`,
  taken: (name: string) => `${name} took the incident.`,
  alreadyTaken: (name: string) => `${name} has already taken this incident.`,
  noted: (name: string) => `Noted on the incident card (${name}).`,
  resolved: (name: string, rechecked: number, asked: number) =>
    `${name} resolved the incident: ${rechecked} computer${rechecked === 1 ? '' : 's'} re-checked by their agents, ${asked} user${asked === 1 ? '' : 's'} asked to check again.`,
  rechecking: (name: string, rechecked: number, asked: number) =>
    `${name} asked every computer to check again: ${rechecked} re-checked by their agents, ${asked} user${asked === 1 ? '' : 's'} asked.`,
  reopened: (name: string) => `${name} reopened the incident.`,
  alreadyResolved: 'This incident is resolved already; Reopen it first.',
  stillOpen: 'This incident is still open.',
  verified: (m: Pick<IncidentMember, 'label'>, doc: IncidentDoc) =>
    `Case ${m.label}: the fix is verified on that computer (${doc.verified}/${doc.members}).`,
  stillFailing: (m: Pick<IncidentMember, 'label'>, cause: string) =>
    `Case ${m.label}: that computer still shows ${cause} after the fix.`,
  notHere: 'Only the support channel this incident was posted to can act on it.',
  linked: (ref: string) =>
    `This case is part of incident ${ref}: the cause and its evidence are on the incident's card.`,
};

/** What the users of an incident hear, in plain words. */
export const incidentUserWords = {
  joined:
    "You are not the only one: other people have the same network problem, and IT is already working on it. You don't need to do anything now; I will tell you here when to try again.",
  recheck:
    'IT says the problem is fixed. Your computer is checking the connection again now; the result will show here in a moment.',
  askAgain:
    'IT says the problem is fixed. Please try signing in to Teams again; if it still fails, say "check" here (or run the Reconnect agent again) so we can see it on your computer.',
  verified: 'Checked on your computer: the fix works. You can sign in to Teams again.',
  stillFailing:
    'Your computer still has the problem after the fix. I have told IT; they will look at your computer in particular.',
};

/** One incident as the dashboard lists it. */
export function summaryOf(doc: IncidentDoc): IncidentSummary {
  return {
    id: doc.id,
    cause: doc.cause,
    headline: doc.headline,
    state: doc.state === 'candidate' ? 'open' : doc.state,
    openedAt: new Date(doc.openedAt ?? doc.firstAt).toISOString(),
    ...(doc.resolvedAt !== undefined ? { resolvedAt: new Date(doc.resolvedAt).toISOString() } : {}),
    firstCaseAt: new Date(doc.firstAt).toISOString(),
    latestCaseAt: new Date(doc.latestAt).toISOString(),
    members: doc.members,
    verified: doc.verified,
    ...(doc.takenBy ? { takenBy: doc.takenBy.name } : {}),
    affected: affected(doc.cause),
  };
}
