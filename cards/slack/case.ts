/**
 * Findings and the support thread's case summary in Block Kit: the findings screen and the
 * escalation summary show findings the same way.
 */
import { factPairs, SEVERITY, STEP_STATUS, utcText, WHERE_LABEL } from '../format.ts';
import type { Budget } from '../limits.ts';
import { firstN, joinWithMore, shortValue } from '../truncate.ts';
import type { FindingItem, View } from '../views.ts';
import { type Block, context, divider, esc, factLines, header, section, slackValue } from './blocks.ts';

function finding(f: FindingItem, b: Budget): Block[] {
  const sev = SEVERITY[f.severity];
  const lines = [
    `*${sev.icon} ${f.headline ? esc(f.headline, b.sentence) : `${sev.word} · ${esc(f.id, b.shortText)}`}*`,
    esc(f.summary, b.sentence),
    factLines(factPairs(f.facts, b)),
  ].filter((l) => l !== '');
  const out = [section(lines.join('\n'))];
  if (f.evidence.length > 0)
    out.push(context([`Evidence: ${slackValue(joinWithMore(f.evidence, b.evidenceIds, b.shortText))}`]));
  return out;
}

export function findingsBlocks(findings: readonly FindingItem[], b: Budget): Block[] {
  const { shown, more } = firstN(findings, b.findings);
  return [
    ...shown.flatMap((f) => finding(f, b)),
    ...(more > 0 ? [context([`and ${more} more findings`])] : []),
  ];
}

/** The support thread's summary: who, what, findings with evidence, steps tried, timeline. */
export function escalationBlocks(view: Extract<View, { screen: 'escalation' }>, b: Budget): Block[] {
  const d = view.device;
  const state =
    view.state === 'taken'
      ? `Taken by ${esc(view.takenBy ?? 'support', 60)}`
      : view.state === 'open'
        ? 'Open: nobody has taken it yet'
        : 'Resolved';
  const facts = view.incident
    ? view.incident.rows.map((r) => ({ title: r.title, value: shortValue(r.value, b.shortText) }))
    : [
        { title: 'User', value: shortValue(view.user, b.shortText) },
        { title: 'Symptom', value: shortValue(view.symptom, b.userText) },
        { title: 'Code', value: view.errorCode ? shortValue(view.errorCode, b.shortText) : 'none given' },
        {
          title: 'Device',
          value: shortValue([d.hostname, d.os, d.osVersion].filter(Boolean).join(', '), b.shortText),
        },
        ...(view.where ? [{ title: 'Connected at', value: WHERE_LABEL[view.where] }] : []),
        ...(view.verdict ? [{ title: 'Verdict', value: view.verdict }] : []),
      ];
  const steps = firstN(view.steps, b.escalationSteps);
  const timeline = view.timeline.slice(-b.timeline);
  const out: Block[] = [
    header(`${view.incident ? 'Incident' : 'Case'} ${shortValue(view.caseRef, 40)}`),
    context([state]),
    section(factLines(facts)),
    divider(),
    section(view.findings.length > 0 ? '*Findings* (root cause first)' : '*No findings*'),
    ...findingsBlocks(view.findings, b),
  ];
  if (steps.shown.length > 0) {
    const lines = steps.shown.map(
      (s) =>
        `${STEP_STATUS[s.status].icon} ${esc(s.title, b.shortText)} (${STEP_STATUS[s.status].word}, ${s.who})${s.evidence ? `: ${esc(s.evidence, b.sentence)}` : ''}`,
    );
    if (steps.more > 0) lines.push(`and ${steps.more} more steps`);
    out.push(divider(), section(`*Steps tried*\n${lines.join('\n')}`));
  }
  if (timeline.length > 0) {
    const earlier = view.timeline.length - timeline.length;
    const lines = timeline.map((t) => `${utcText(t.at, true)}: ${esc(t.text, b.sentence)}`);
    out.push(
      section(`*Timeline (UTC)*${earlier > 0 ? ` (${earlier} earlier not shown)` : ''}\n${lines.join('\n')}`),
    );
  }
  return out;
}
