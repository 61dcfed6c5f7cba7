/**
 * Slack: Block Kit messages within Slack's documented limits. Buttons carry action_id = verb
 * (made unique within the message when a verb repeats) and value = JSON of the action data; the
 * top-level `text` is the notification fallback.
 */
import { type Button, buttonsFor, linksFor } from './actions.ts';
import { cutNote, fittedEvidence, fittedHandoff, fittedInstructions } from './content.ts';
import {
  AREA_STATE,
  checkingLine,
  escalatedText,
  escalatedTitle,
  LOST_TEXT,
  OS_LABEL,
  SERVER_UNKNOWN_TEXT,
  STEP_STATUS,
  stepKicker,
  VERDICT,
  WHO,
  watchLines,
  watchTitle,
} from './format.ts';
import { type Budget, CONTENT, SLACK, TIGHT } from './limits.ts';
import { blocksToMrkdwn, escapeSlack, inlineToMrkdwn } from './markdown.ts';
import { goSentence, NODE_LINE_INTRO } from './pairing.ts';
import {
  actions,
  type Block,
  codeBlock,
  context,
  esc,
  factLines,
  finalize,
  fits,
  header,
  section,
  slackTime,
  slackValue,
} from './slack/blocks.ts';
import { escalationBlocks, findingsBlocks } from './slack/case.ts';
import { summaryLine } from './summary.ts';
import { clip, firstN, shortValue } from './truncate.ts';
import type { OsName, StepView, View } from './views.ts';

export interface SlackMessage {
  text: string;
  blocks: Block[];
}

function group(buttons: readonly Button[], g: Button['group']): Button[] {
  return buttons.filter((b) => b.group === g);
}

function commandSection(view: Extract<View, { screen: 'pairing' }>, os: OsName): Block[] {
  const c = view.commands.find((x) => x.os === os);
  if (!c) return [];
  const shell = os === 'windows' ? 'PowerShell' : 'Terminal';
  return [section(`*On ${OS_LABEL[os]} (${shell}):*\n${NODE_LINE_INTRO}\n${codeBlock([c.download])}`)];
}

function stepBlocks(view: StepView, b: Budget): Block[] {
  const status = STEP_STATUS[view.status];
  const out: Block[] = [
    context([escapeSlack(stepKicker(view))]),
    header(shortValue(view.title, b.shortText)),
    section(inlineToMrkdwn(shortValue(view.why, b.sentence))),
    context([WHO[view.who]]),
  ];
  const evidence: string[] = [`*${status.icon} ${status.word}*`];
  if (view.evidence) {
    const e = fittedEvidence(view.evidence, b);
    evidence.push(
      escapeSlack(e.summary),
      ...e.probes.map((p) => `• ${slackValue(p.id)}: ${slackValue(p.result)}`),
    );
    if (e.more > 0) evidence.push(`and ${e.more} more checks`);
    if (view.evidence.checkedAt) evidence.push(`Checked ${slackTime(view.evidence.checkedAt)}`);
  }
  out.push(section(evidence.join('\n')));
  const platforms = fittedInstructions(view, b).filter((p) => !p.other);
  for (const p of platforms) out.push(section(`*${p.label}*\n${blocksToMrkdwn(p.blocks)}`));
  if (platforms.some((p) => p.cut)) out.push(context([cutNote(view.detailsUrl !== undefined)]));
  if (view.status === 'checking') out.push(context([`*${escapeSlack(checkingLine(view))}*`]));
  return out;
}

function handoffBlocks(view: Extract<View, { screen: 'handoff' }>, b: Budget): Block[] {
  const out: Block[] = [header(shortValue(view.title, b.shortText))];
  if (view.intro) out.push(section(esc(view.intro, b.sentence)));
  const { sections, moreSections } = fittedHandoff(view, b);
  for (const s of sections) {
    const body = s.format === 'code' ? codeBlock(s.lines) : s.lines.map(slackValue).join('\n');
    out.push(section(`*${esc(s.title, b.shortText)}*\n${body}`));
    if (s.dropped > 0) out.push(context([`and ${s.dropped} more lines in the download`]));
  }
  if (moreSections > 0) out.push(context([`and ${moreSections} more sections in the download`]));
  return out;
}

function content(view: View, buttons: Button[], b: Budget): Block[] {
  const id = (name: string) => `${view.screen}.${name}.v${view.version}`;
  switch (view.screen) {
    case 'intake': {
      const known = [
        ...(view.errorCode ? [{ title: 'Error code', value: shortValue(view.errorCode, b.shortText) }] : []),
        ...(view.symptom ? [{ title: 'What you see', value: shortValue(view.symptom, b.userText) }] : []),
      ];
      const hi = view.userName ? `Hi ${esc(view.userName, 60)} 👋 ` : '';
      const ask = view.errorCode
        ? 'Thanks. Two quick taps so I check the right things:'
        : 'What does Teams show? Type the error code if there is one (like CAA20004).';
      const codes = group(buttons, 'code');
      return [
        header("Let's get Teams working again"),
        section(hi + ask),
        ...(known.length > 0 ? [section(factLines(known))] : []),
        ...(codes.length > 0
          ? [
              context([view.symptoms ? 'No code? Tap what you see:' : 'Common codes:']),
              ...actions(codes, [], id('code')),
            ]
          : []),
        section('*Which computer has the problem?*'),
        ...actions(group(buttons, 'os'), [], id('os')),
        section('*Where is it connected?*'),
        ...actions(group(buttons, 'where'), [], id('where')),
      ];
    }
    case 'pairing': {
      const device = view.pairedDevice;
      if (device)
        return [
          header('Is this your computer?'),
          section(
            factLines(
              [
                { title: 'Computer', value: device.hostname },
                { title: 'System', value: device.os },
                ...(device.user ? [{ title: 'Signed-in user', value: device.user }] : []),
              ].map((p) => ({ ...p, value: shortValue(p.value, b.shortText) })),
            ),
          ),
          context(['Only confirm if you just ran the command yourself.']),
        ];
      const head = [
        header('Connect the affected computer'),
        section(
          `*Code:* \`${escapeSlack(view.code)}\`\n${view.agentLost ? `*${LOST_TEXT}*` : view.expired ? '*This code has expired.*' : `Expires at ${slackTime(view.expiresAt)}.`}`,
        ),
      ];
      if (view.expired || view.agentLost) return head;
      const order = view.os
        ? [view.os, ...(['windows', 'macos', 'linux'] as OsName[]).filter((o) => o !== view.os)]
        : (['windows', 'macos', 'linux'] as OsName[]);
      return [
        ...head,
        section(
          view.goAddress
            ? `${goSentence(`*${escapeSlack(view.goAddress)}*`, `*${escapeSlack(view.code)}*`)}\nOr open a terminal and run one line:`
            : `On the computer where Teams fails, open a terminal and run one line. It checks the network and reports here.${view.serverUnknown ? ` ${SERVER_UNKNOWN_TEXT}` : ''}`,
        ),
        ...order.flatMap((os, i) => [
          ...(i === 1 && view.os ? [context(['Other systems:'])] : []),
          ...commandSection(view, os),
        ]),
      ];
    }
    case 'progress': {
      const { shown, more } = firstN(view.areas, b.areas);
      const done = view.counts.done >= view.counts.total && view.counts.total > 0;
      const lines = shown.map(
        (a) =>
          `${AREA_STATE[a.state].icon} ${esc(a.label, b.shortText)}: ${AREA_STATE[a.state].word}${a.total ? ` (${a.done ?? 0}/${a.total})` : ''}`,
      );
      if (more > 0) lines.push(`and ${more} more areas`);
      return [
        header(view.watch ? watchTitle(view.watch) : done ? 'Checks finished' : 'Checking your network…'),
        context([
          ...(view.device ? [`On ${esc(view.device, b.shortText)}`] : []),
          view.watch
            ? watchLines(view.watch).join(' ')
            : `${view.counts.done} of ${view.counts.total} checks done · ${view.counts.failed} problem${view.counts.failed === 1 ? '' : 's'}`,
        ]),
        ...(lines.length > 0 ? [section(lines.join('\n'))] : []),
      ];
    }
    case 'findings':
      return [
        header(VERDICT[view.verdict]),
        context([
          view.findings.length === 0
            ? 'Nothing on this network blocks Teams sign-in.'
            : `${view.findings.length} finding${view.findings.length === 1 ? '' : 's'}. Most likely cause first.`,
        ]),
        ...(view.watchResult ? [section(esc(view.watchResult, b.sentence))] : []),
        ...findingsBlocks(view.findings, b),
      ];
    case 'step':
      return stepBlocks(view, b);
    case 'resolved':
      return [
        header('✅ Teams should work again'),
        section(esc(view.summary, b.sentence)),
        ...(view.verifiedSteps.length > 0
          ? [
              section(
                view.verifiedSteps
                  .slice(0, b.escalationSteps)
                  .map((s) => `✅ ${esc(s, b.shortText)}`)
                  .join('\n'),
              ),
            ]
          : []),
        ...(view.verifiedAt ? [context([`Verified at ${slackTime(view.verifiedAt)}.`])] : []),
      ];
    case 'handoff':
      return handoffBlocks(view, b);
    case 'escalated':
      return [
        header(escalatedTitle(view)),
        section(escapeSlack(shortValue(escalatedText(view), b.sentence * 2))),
      ];
    case 'escalation':
      return escalationBlocks(view, b);
  }
}

/**
 * View → Slack message ({text, blocks}). Pure. Rendered with the TIGHT budget when the full one
 * would pass the block count or the text budget; finalize() is the last safety net. Throws
 * RangeError only when an id makes a button value exceed 2000 characters.
 */
export function renderSlack(view: View): SlackMessage {
  const buttons = buttonsFor(view);
  const tail = actions(group(buttons, 'main'), linksFor(view), `${view.screen}.main.v${view.version}`);
  let blocks = [...content(view, buttons, CONTENT), ...tail];
  if (!fits(blocks)) blocks = [...content(view, buttons, TIGHT), ...tail];
  return { text: clip(summaryLine(view), SLACK.fallbackText), blocks: finalize(blocks) };
}
