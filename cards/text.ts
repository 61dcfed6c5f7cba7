/**
 * Plain text: notifications and clients without cards. Short lines, the key facts, and the
 * choices as words to type back (matchReply in actions.ts reads them).
 */
import { type Button, buttonsFor, linksFor } from './actions.ts';
import { fittedEvidence, fittedHandoff, fittedInstructions } from './content.ts';
import {
  AREA_STATE,
  checkingLine,
  escalatedText,
  factPairs,
  LOST_TEXT,
  OS_LABEL,
  SERVER_UNKNOWN_TEXT,
  SEVERITY,
  STEP_STATUS,
  stepKicker,
  utcText,
  VERDICT,
  WHERE_LABEL,
  WHO,
  watchLines,
} from './format.ts';
import { CONTENT } from './limits.ts';
import { blocksToPlain, inlineToPlain } from './markdown.ts';
import { goSentence, NODE_LINE_INTRO } from './pairing.ts';
import { summaryLine } from './summary.ts';
import { firstN, joinWithMore, shortValue } from './truncate.ts';
import type { FindingItem, View } from './views.ts';

const s = (text: string, max: number): string => shortValue(text, max);

function findingLines(findings: readonly FindingItem[]): string[] {
  const { shown, more } = firstN(findings, CONTENT.findings);
  const lines = shown.flatMap((f, i) => [
    f.headline
      ? `${i + 1}. ${s(f.headline, CONTENT.sentence)}: ${s(f.summary, CONTENT.sentence)}`
      : `${i + 1}. ${SEVERITY[f.severity].word.toUpperCase()} ${s(f.id, CONTENT.shortText)}: ${s(f.summary, CONTENT.sentence)}`,
    ...factPairs(f.facts).map((p) => `   ${p.title}: ${p.value}`),
    ...(f.evidence.length > 0
      ? [`   Evidence: ${joinWithMore(f.evidence, CONTENT.evidenceIds, CONTENT.shortText)}`]
      : []),
  ]);
  if (more > 0) lines.push(`and ${more} more findings`);
  return lines;
}

function choices(buttons: readonly Button[], g: Button['group']): string {
  const list = buttons.filter((b) => b.group === g);
  const word = (b: Button): string => {
    const label = b.label.replace(/^✓ /, '');
    return label.toLowerCase() === b.reply ? `"${b.reply}"` : `"${b.reply}" (${label})`;
  };
  return list.length > 0 ? `Reply ${list.map(word).join(', ')}` : '';
}

function body(view: View): string[] {
  switch (view.screen) {
    case 'intake':
      return [
        ...(view.errorCode
          ? []
          : ['Type the error code if there is one (like CAA20004), or reply with what you see.']),
        ...(view.errorCode ? [`Error code: ${s(view.errorCode, CONTENT.shortText)}`] : []),
        ...(view.symptom ? [`What you see: ${s(view.symptom, CONTENT.userText)}`] : []),
        `Computer: ${view.os ? OS_LABEL[view.os] : 'Windows, macOS or Linux?'}`,
        `Connected at: ${view.where ? WHERE_LABEL[view.where] : 'office, home, VPN or hotspot?'}`,
      ];
    case 'pairing':
      if (view.pairedDevice)
        return [
          `Computer: ${s(view.pairedDevice.hostname, CONTENT.shortText)} (${s(view.pairedDevice.os, CONTENT.shortText)})`,
          'Is this your computer? Only say yes if you just ran the command.',
        ];
      if (view.agentLost) return [LOST_TEXT];
      if (view.expired) return ['This code has expired.'];
      return [
        `Code: ${view.code} (expires ${utcText(view.expiresAt)})`,
        ...(view.goAddress
          ? [goSentence(view.goAddress, view.code), `Or, on the computer: ${NODE_LINE_INTRO}`]
          : []),
        ...(view.goAddress ? [] : [`On the affected computer: ${NODE_LINE_INTRO}`]),
        ...(view.serverUnknown ? [SERVER_UNKNOWN_TEXT] : []),
        ...[...view.commands]
          .sort((a, b) => (a.os === view.os ? -1 : b.os === view.os ? 1 : 0))
          .flatMap((c) => [`${OS_LABEL[c.os]}:`, `    ${c.download}`]),
      ];
    case 'progress':
      return [
        ...(view.device ? [`On ${s(view.device, CONTENT.shortText)}`] : []),
        ...(view.watch ? watchLines(view.watch) : []),
        ...view.areas
          .slice(0, CONTENT.areas)
          .map(
            (a) =>
              `${AREA_STATE[a.state].icon} ${s(a.label, CONTENT.shortText)}: ${AREA_STATE[a.state].word}`,
          ),
      ];
    case 'findings':
      return [
        VERDICT[view.verdict],
        ...(view.watchResult ? [s(view.watchResult, CONTENT.sentence)] : []),
        ...findingLines(view.findings),
      ];
    case 'step': {
      const lines = [
        s(inlineToPlain(view.why), CONTENT.sentence),
        WHO[view.who],
        `Status: ${STEP_STATUS[view.status].word}`,
      ];
      if (view.evidence) {
        const e = fittedEvidence(view.evidence);
        lines.push(
          `Latest check: ${e.summary}${view.evidence.checkedAt ? ` (${utcText(view.evidence.checkedAt)})` : ''}`,
        );
        lines.push(
          ...e.probes.map((p) => `  ${p.id}: ${p.result}`),
          ...(e.more > 0 ? [`  and ${e.more} more checks`] : []),
        );
      }
      for (const p of fittedInstructions(view).filter((x) => !x.other))
        lines.push('', `${p.label}:`, blocksToPlain(p.blocks) + (p.cut ? '\n(shortened)' : ''));
      if (view.status === 'checking') lines.push('', checkingLine(view));
      return lines;
    }
    case 'resolved':
      return [
        s(view.summary, CONTENT.sentence),
        ...view.verifiedSteps.slice(0, CONTENT.escalationSteps).map((t) => `✅ ${s(t, CONTENT.shortText)}`),
      ];
    case 'handoff': {
      const { sections, moreSections } = fittedHandoff(view);
      return [
        ...(view.intro ? [s(view.intro, CONTENT.sentence)] : []),
        ...sections.flatMap((sec) => [
          '',
          `${sec.title}:`,
          ...sec.lines.map((l) => `    ${l}`),
          ...(sec.dropped > 0 ? [`    and ${sec.dropped} more lines`] : []),
        ]),
        ...(moreSections > 0 ? [`and ${moreSections} more sections`] : []),
      ];
    }
    case 'escalated':
      return [escalatedText(view)];
    case 'escalation': {
      const d = view.device;
      return [
        `State: ${view.state}${view.takenBy ? ` (${s(view.takenBy, 60)})` : ''}`,
        ...(view.incident
          ? view.incident.rows.map((r) => `${r.title}: ${s(r.value, CONTENT.shortText)}`)
          : [
              `User: ${s(view.user, CONTENT.shortText)}`,
              `Code: ${view.errorCode ? s(view.errorCode, CONTENT.shortText) : 'none given'}`,
              `Device: ${s([d.hostname, d.os, d.osVersion].filter(Boolean).join(', '), CONTENT.shortText)}`,
            ]),
        `Symptom: ${s(view.symptom, CONTENT.userText)}`,
        ...(view.verdict ? [`Verdict: ${view.verdict}`] : []),
        '',
        'Findings:',
        ...findingLines(view.findings),
        '',
        'Steps tried:',
        ...view.steps
          .slice(0, CONTENT.escalationSteps)
          .map(
            (t) =>
              `  ${STEP_STATUS[t.status].word}: ${s(t.title, CONTENT.shortText)}${t.evidence ? ` (${s(t.evidence, CONTENT.sentence)})` : ''}`,
          ),
        '',
        'Timeline (UTC):',
        ...view.timeline
          .slice(-CONTENT.timeline)
          .map((t) => `  ${utcText(t.at, true)} ${s(t.text, CONTENT.sentence)}`),
      ];
    }
  }
}

/** View → plain text: the summary line, the details, then the replies and links. */
export function renderText(view: View): string {
  const buttons = buttonsFor(view);
  const heading =
    view.screen === 'step' ? `${stepKicker(view)}: ${s(view.title, CONTENT.shortText)}` : summaryLine(view);
  const replies = (['code', 'os', 'where', 'main'] as const)
    .map((g) => choices(buttons, g))
    .filter((l) => l !== '');
  const links = linksFor(view).map((l) => `${l.label}: ${l.url}`);
  return [heading, ...body(view), ...(replies.length + links.length > 0 ? [''] : []), ...replies, ...links]
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
