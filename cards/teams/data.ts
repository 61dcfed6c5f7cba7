/**
 * View → template data for the Adaptive Card templates (one builder per screen). Everything is
 * cut to its budget here, so a template never receives a value that could break the card.
 */
import { type Button, buttonsFor, linksFor } from '../actions.ts';
import { cutNote, fittedEvidence, fittedHandoff, fittedInstructions } from '../content.ts';
import {
  AREA_STATE,
  checkingLine,
  escalatedText,
  escalatedTitle,
  isoSeconds,
  LOST_TEXT,
  OS_LABEL,
  SERVER_UNKNOWN_TEXT,
  STEP_STATUS,
  stepKicker,
  utcText,
  VERDICT,
  WHO,
  watchLines,
  watchTitle,
} from '../format.ts';
import { type Budget, CONTENT } from '../limits.ts';
import { parseInline } from '../markdown.ts';
import { goSentence, NODE_LINE_INTRO } from '../pairing.ts';
import { summaryLine } from '../summary.ts';
import { firstN, shortValue } from '../truncate.ts';
import type { OsName, StepView, View } from '../views.ts';
import { escalationData, findingContainers } from './case.ts';
import {
  type Ac,
  type ActionMode,
  acAction,
  acLink,
  codeBox,
  fact,
  mdElements,
  plain,
  richText,
  textBlock,
} from './elements.ts';

type Data = Record<string, unknown>;

function actionsOf(buttons: readonly Button[], mode: ActionMode, group: Button['group'] = 'main'): Ac[] {
  return buttons.filter((b) => b.group === group).map((b) => acAction(b, mode));
}

/** Local time on the reader's device via the card's {{TIME()}} function; UTC text when not a date. */
function localTime(iso: string): string {
  const s = isoSeconds(iso);
  return s ? `{{TIME(${s})}}` : utcText(iso);
}

function intake(
  view: Extract<View, { screen: 'intake' }>,
  buttons: Button[],
  mode: ActionMode,
  b: Budget,
): Data {
  const known: Ac[] = [];
  if (view.errorCode) known.push(fact('Error code', shortValue(view.errorCode, b.shortText)));
  if (view.symptom) known.push(fact('What you see', shortValue(view.symptom, b.userText)));
  return {
    title: "Let's get Teams working again",
    greeting: view.userName ? [plain(`Hi ${shortValue(view.userName, 60)} 👋`)] : [],
    ask: view.errorCode
      ? 'Thanks. Two quick taps so I check the right things:'
      : 'What does Teams show? Type the error code if there is one (like CAA20004).',
    known,
    codePrompt: view.symptoms ? 'No code? Tap what you see:' : 'Common codes:',
    codeActions: actionsOf(buttons, mode, 'code'),
    osPrompt: 'Which computer has the problem?',
    osActions: actionsOf(buttons, mode, 'os'),
    wherePrompt: 'Where is it connected?',
    whereActions: actionsOf(buttons, mode, 'where'),
  };
}

function pairing(view: Extract<View, { screen: 'pairing' }>, b: Budget): Data {
  const order: OsName[] = view.os
    ? [view.os, ...(['windows', 'macos', 'linux'] as OsName[]).filter((o) => o !== view.os)]
    : [];
  const commands = [...view.commands].sort((a, b) => order.indexOf(a.os) - order.indexOf(b.os));
  const commandItems = (os: OsName): Ac[] => {
    const c = commands.find((x) => x.os === os);
    if (!c) return [];
    return [
      {
        type: 'TextBlock',
        text: `On ${OS_LABEL[os]}${os === 'windows' ? ' (PowerShell)' : ' (Terminal)'}:`,
        wrap: true,
        weight: 'Bolder',
        spacing: 'Medium',
      },
      { type: 'TextBlock', text: NODE_LINE_INTRO, wrap: true, isSubtle: true, spacing: 'Small' },
      codeBox([c.download]),
    ];
  };
  // With a known OS its command shows and the others fold away; unknown, all three show.
  const shown = view.os ? [view.os] : commands.map((c) => c.os);
  const hidden = commands.map((c) => c.os).filter((os) => !shown.includes(os));
  const device = view.pairedDevice;
  return {
    title: device ? 'Is this your computer?' : 'Connect the affected computer',
    paired: device !== undefined,
    device: device
      ? [
          fact('Computer', shortValue(device.hostname, b.shortText)),
          fact('System', shortValue(device.os, b.shortText)),
          ...(device.user ? [fact('Signed-in user', shortValue(device.user, b.shortText))] : []),
        ]
      : [],
    confirmText: 'Only confirm if you just ran the command yourself.',
    intro: view.goAddress
      ? goSentence(`**${view.goAddress}**`, `**${view.code}**`)
      : `On the computer where Teams fails, open a terminal and run one line. It checks the network and reports here.${view.serverUnknown ? ` ${SERVER_UNKNOWN_TEXT}` : ''}`,
    code: view.code,
    // A lost agent used its code up: like an expired code, the commands for it fold away.
    expired: view.expired === true || view.agentLost === true,
    expiresText: view.agentLost
      ? LOST_TEXT
      : view.expired
        ? 'This code has expired.'
        : `Code expires at ${localTime(view.expiresAt)}.`,
    commands: [
      ...(view.goAddress
        ? [{ type: 'TextBlock', text: 'Or open a terminal and run one line:', wrap: true, spacing: 'Medium' }]
        : []),
      ...shown.flatMap(commandItems),
    ],
    others: hidden.flatMap(commandItems),
    toggles:
      hidden.length > 0
        ? [
            {
              type: 'Action.ToggleVisibility',
              title: 'Commands for other systems',
              targetElements: ['other-os'],
            },
          ]
        : [],
  };
}

function progress(view: Extract<View, { screen: 'progress' }>, b: Budget): Data {
  const { shown, more } = firstN(view.areas, b.areas);
  const finished = view.counts.done >= view.counts.total && view.counts.total > 0;
  const counts = `${view.counts.done} of ${view.counts.total} checks done · ${view.counts.failed} problem${view.counts.failed === 1 ? '' : 's'}`;
  return {
    title: view.watch ? watchTitle(view.watch) : finished ? 'Checks finished' : 'Checking your network…',
    device: view.device ? [plain(`On ${shortValue(view.device, b.shortText)}`, { spacing: 'None' })] : [],
    countsText: view.watch ? watchLines(view.watch).join('\n\n') : counts,
    areas: shown.map((a) => {
      const s = AREA_STATE[a.state];
      const count = a.total ? ` (${a.done ?? 0}/${a.total})` : '';
      return { line: `${s.icon} ${shortValue(a.label, b.shortText)}: ${s.word}${count}` };
    }),
    moreText: more > 0 ? `and ${more} more areas` : '',
  };
}

function findings(view: Extract<View, { screen: 'findings' }>, b: Budget): Data {
  const { items, moreText } = findingContainers(view.findings, b);
  const blocking = view.findings.filter((f) => f.severity === 'blocking').length;
  return {
    title: VERDICT[view.verdict],
    subtitle:
      view.findings.length === 0
        ? 'Nothing on this network blocks Teams sign-in.'
        : `${view.findings.length} finding${view.findings.length === 1 ? '' : 's'}, ${blocking} blocking. Most likely cause first.`,
    watchResult: view.watchResult ? shortValue(view.watchResult, b.sentence) : '',
    findings: items,
    moreText,
  };
}

function step(view: StepView, links: Ac[], b: Budget): Data {
  const platforms = fittedInstructions(view, b).map((p) => ({
    id: `plat-${p.platform}`,
    label: p.label,
    visible: p.primary,
    content: mdElements(p.blocks),
    cut: p.cut,
    other: p.other,
  }));
  const status = STEP_STATUS[view.status];
  const evidence: Ac[] = [];
  if (view.evidence) {
    const e = fittedEvidence(view.evidence, b);
    evidence.push(plain(e.summary), ...e.probes.map((p) => fact(p.id, p.result)));
    if (e.more > 0) evidence.push(plain(`and ${e.more} more checks`, { spacing: 'None' }));
    if (view.evidence.checkedAt)
      evidence.push(
        textBlock(`Checked at ${localTime(view.evidence.checkedAt)}.`, { isSubtle: true, spacing: 'Small' }),
      );
  }
  return {
    heading: stepKicker(view),
    title: shortValue(view.title, b.shortText),
    why: [richText(parseInline(shortValue(view.why, b.sentence)))],
    who: WHO[view.who],
    statusLine: `${status.icon} ${status.word}`,
    statusColor: view.status === 'verified' ? 'Good' : view.status === 'failed' ? 'Attention' : 'Default',
    evidence,
    evidenceStyle: view.status === 'verified' ? 'good' : view.status === 'failed' ? 'attention' : 'emphasis',
    platforms: platforms.map(({ id, label, visible, content }) => ({ id, label, visible, content })),
    cutNote: platforms.some((p) => p.cut) ? cutNote(links.length > 0) : '',
    toggles: platforms
      .filter((p) => !p.visible)
      .map((p) => ({
        type: 'Action.ToggleVisibility',
        title: p.other ? `Other computer: ${p.label}` : `Show ${p.label}`,
        targetElements: [p.id],
      })),
    checking: view.status === 'checking',
    checkingLine: checkingLine(view),
  };
}

function handoff(view: Extract<View, { screen: 'handoff' }>, b: Budget): Data {
  const { sections, moreSections } = fittedHandoff(view, b);
  return {
    title: shortValue(view.title, b.shortText),
    intro: view.intro ? [plain(shortValue(view.intro, b.sentence))] : [],
    sections: sections.map((s) => ({
      title: s.title,
      box: s.format === 'code' ? [codeBox(s.lines)] : s.lines.map((l) => plain(l, { spacing: 'None' })),
      moreText: s.dropped > 0 ? `and ${s.dropped} more lines in the download` : '',
    })),
    moreText: moreSections > 0 ? `and ${moreSections} more sections in the download` : '',
  };
}

/** The template data of `view`: the screen's fields plus `fallbackText` and the card `actions`. */
export function templateData(view: View, mode: ActionMode, b: Budget = CONTENT): Data {
  const buttons = buttonsFor(view);
  const links = linksFor(view).map(acLink);
  const actions = [...actionsOf(buttons, mode), ...links];
  const base = { fallbackText: summaryLine(view), actions };
  switch (view.screen) {
    case 'intake':
      return { ...base, ...intake(view, buttons, mode, b) };
    case 'pairing':
      return { ...base, ...pairing(view, b) };
    case 'progress':
      return { ...base, ...progress(view, b) };
    case 'findings':
      return { ...base, ...findings(view, b) };
    case 'step':
      return { ...base, ...step(view, links, b) };
    case 'resolved':
      return {
        ...base,
        title: '✅ Teams should work again',
        summary: [plain(shortValue(view.summary, b.sentence))],
        verified: view.verifiedSteps
          .slice(0, b.escalationSteps)
          .map((s) => plain(`✅ ${shortValue(s, b.shortText)}`, { spacing: 'None' })),
        at: view.verifiedAt ? `Verified at ${localTime(view.verifiedAt)}.` : '',
      };
    case 'handoff':
      return { ...base, ...handoff(view, b) };
    case 'escalated':
      return {
        ...base,
        title: escalatedTitle(view),
        body: [plain(shortValue(escalatedText(view), b.sentence * 2))],
      };
    case 'escalation':
      return { ...base, ...escalationData(view, b) };
  }
}
