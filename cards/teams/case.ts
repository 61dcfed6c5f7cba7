/**
 * Findings as Adaptive Card containers, shared by the findings screen (the user's view) and the
 * escalation summary (the support thread's view), and the escalation summary's template data.
 */
import { factPairs, SEVERITY, STEP_STATUS, utcText, WHERE_LABEL } from '../format.ts';
import type { Budget } from '../limits.ts';
import { firstN, joinWithMore, shortValue } from '../truncate.ts';
import type { FindingItem, Severity, View } from '../views.ts';
import { type Ac, acSafe, fact, plain, textBlock } from './elements.ts';

const CONTAINER_STYLE: Readonly<Record<Severity, string>> = {
  blocking: 'attention',
  degraded: 'warning',
  info: 'emphasis',
};

/** One finding: severity and id, the sentence, its key facts, the evidence probe ids. */
export function findingContainer(f: FindingItem, b: Budget): Ac {
  const sev = SEVERITY[f.severity];
  const items: Ac[] = [
    textBlock(
      `${sev.icon} ${f.headline ? acSafe(shortValue(f.headline, b.sentence)) : `${sev.word} · ${shortValue(f.id, b.shortText)}`}`,
      {
        weight: 'Bolder',
        size: 'Small',
      },
    ),
    plain(shortValue(f.summary, b.sentence), { spacing: 'Small' }),
    ...factPairs(f.facts, b).map((p) => fact(p.title, p.value)),
  ];
  if (f.evidence.length > 0)
    items.push(
      plain(`Evidence: ${joinWithMore(f.evidence, b.evidenceIds, b.shortText)}`, {
        spacing: 'Small',
      }),
    );
  return { type: 'Container', style: CONTAINER_STYLE[f.severity], items, spacing: 'Medium' };
}

/** The findings a card shows, and "and N more findings" for the rest. */
export function findingContainers(
  findings: readonly FindingItem[],
  b: Budget,
): { items: Ac[]; moreText: string } {
  const shown = findings.slice(0, b.findings).map((f) => findingContainer(f, b));
  const more = findings.length - shown.length;
  return { items: shown, moreText: more > 0 ? `and ${more} more finding${more === 1 ? '' : 's'}` : '' };
}

/** Template data of the support thread's case summary. */
export function escalationData(
  view: Extract<View, { screen: 'escalation' }>,
  b: Budget,
): Record<string, unknown> {
  const { items, moreText } = findingContainers(view.findings, b);
  const d = view.device;
  const facts = view.incident
    ? view.incident.rows.map((r) => fact(r.title, shortValue(r.value, b.shortText)))
    : [
        fact('User', shortValue(view.user, b.shortText)),
        fact('Symptom', shortValue(view.symptom, b.userText)),
        fact('Code', shortValue(view.errorCode ?? 'none given', b.shortText)),
        fact('Device', shortValue([d.hostname, d.os, d.osVersion].filter(Boolean).join(', '), b.shortText)),
        ...(view.where ? [fact('Connected at', WHERE_LABEL[view.where])] : []),
        ...(view.verdict ? [fact('Verdict', view.verdict)] : []),
      ];
  const steps = firstN(view.steps, b.escalationSteps);
  const timeline = view.timeline.slice(-b.timeline);
  return {
    title: `${view.incident ? 'Incident' : 'Case'} ${shortValue(view.caseRef, 40)}`,
    stateLine:
      view.state === 'taken'
        ? `Taken by ${shortValue(view.takenBy ?? 'support', 60)}`
        : view.state === 'open'
          ? 'Open: nobody has taken it yet'
          : 'Resolved',
    facts,
    findings: items,
    findingsTitle: view.findings.length > 0 ? 'Findings (root cause first)' : 'No findings',
    moreFindings: moreText,
    steps: steps.shown.map((s) =>
      plain(
        `${STEP_STATUS[s.status].icon} ${shortValue(s.title, b.shortText)} (${STEP_STATUS[s.status].word}, ${s.who})${s.evidence ? `: ${shortValue(s.evidence, b.sentence)}` : ''}`,
        { spacing: 'Small' },
      ),
    ),
    moreSteps: steps.more > 0 ? `and ${steps.more} more steps` : '',
    timeline: timeline.map((t) =>
      plain(`${utcText(t.at, true)}: ${shortValue(t.text, b.sentence)}`, { spacing: 'None' }),
    ),
    earlier:
      view.timeline.length > timeline.length
        ? `${view.timeline.length - timeline.length} earlier events not shown`
        : '',
  };
}
