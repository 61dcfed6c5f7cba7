/**
 * The short text replies that are not screens: what the bot understood and what it accepts,
 * "this card is out of date", a polite refusal, which command to paste. Every unrecognised or
 * refused input gets one of these, never silence. Channels render a NoticeView as plain text
 * (noticeText).
 */
import {
  blocksToMarkdown,
  blocksToMrkdwn,
  blocksToPlain,
  type MdBlock,
  parseMarkdown,
} from '../../cards/markdown.ts';
import { PASTE_TOOLS } from '../../probes/paste/index.ts';
import type { NoticeView, Session } from './types.ts';

export function notice(
  session: Pick<Session, 'id' | 'version'>,
  text: string,
  extra: Partial<Pick<NoticeView, 'tone' | 'understood' | 'accepts'>> = {},
): NoticeView {
  return {
    screen: 'notice',
    sessionId: session.id,
    version: session.version,
    tone: extra.tone ?? 'info',
    text,
    ...extra,
  };
}

const PASTE_WORDS =
  'the output of nslookup, dig, curl -I or -v, netsh winhttp show proxy, certutil -verify or openssl s_client';

/** What can be said or pasted in each state, for help replies. */
export function acceptedIn(session: Session): string[] {
  switch (session.state) {
    case 'intake':
      return [
        'the error code Teams shows (for example CAA20004)',
        'your computer: Windows, macOS or Linux',
        'where you are: office, home, VPN or hotspot',
        'a result code from the Reconnect agent (RC1-…)',
      ];
    case 'pairing':
      return ['"manual" to continue without the agent', 'a result code from the agent (RC1-…)', PASTE_WORDS];
    case 'probing':
      return ['a result code from the agent (RC1-…)', PASTE_WORDS];
    case 'plan':
      return ['"fix" to see the first step', '"escalate" to hand the case to support', PASTE_WORDS];
    case 'step':
      return ['"check" after doing the step, then paste the new output', '"skip"', '"escalate"', PASTE_WORDS];
    case 'resolved':
    case 'escalated':
      return ['"reopen" if Teams fails again'];
  }
}

/** The reply to input the bot could not use: what it did understand, and what it accepts here. */
export function help(session: Session, understood: string[]): NoticeView {
  const text =
    understood.length > 0
      ? `I understood: ${understood.join(', ')}. I still need a bit more to go on.`
      : "Sorry, I didn't understand that.";
  return notice(session, text, { understood, accepts: acceptedIn(session) });
}

export function staleCard(session: Session): NoticeView {
  return notice(
    session,
    'That card is out of date, so nothing changed. Please use the latest card in this chat.',
    {
      tone: 'warning',
    },
  );
}

export function refused(session: Session, actorName: string | undefined): NoticeView {
  const owner = session.user.name ?? 'the person who opened it';
  return notice(
    session,
    `${actorName ? `Sorry ${actorName}, ` : 'Sorry, '}this case belongs to ${owner}; only they (or support staff) can move it. Start your own chat with me if you need help too.`,
    { tone: 'warning' },
  );
}

export function pasteProblems(session: Session, problems: string[]): NoticeView {
  return notice(session, `I could not read all of that: ${problems.join(' ')}`, {
    tone: 'warning',
    accepts: [`the complete output of ${PASTE_TOOLS.join(', ')}`],
  });
}

export function pasteRequest(session: Session, commands: string[], stepTitle: string): NoticeView {
  return notice(
    session,
    `To check "${stepTitle}", run ${commands.length > 1 ? 'these commands' : 'this command'} on the computer and paste the whole output here:\n\n${commands.map((c) => `\`\`\`\n${c}\n\`\`\``).join('\n\n')}`,
    { accepts: [PASTE_WORDS] },
  );
}

/**
 * A notice's text is written in the playbooks' markdown dialect (`code`, fenced commands,
 * [links](url)), so each channel can show commands as copyable code and links as links. These
 * are its blocks: the text, then what the bot accepts as a list.
 */
function noticeBlocks(view: NoticeView): MdBlock[] {
  const blocks = parseMarkdown(view.text);
  if (view.accepts && view.accepts.length > 0) {
    blocks.push(
      { kind: 'paragraph', text: 'You can send:' },
      { kind: 'list', ordered: false, items: [...view.accepts] },
    );
  }
  return blocks;
}

/** Plain text for clients without formatting: code indented, links as "text (url)". */
export function noticeText(view: NoticeView): string {
  return blocksToPlain(noticeBlocks(view));
}

/** Markdown for Teams and the web chat (textFormat markdown): code blocks, links. */
export function noticeMarkdown(view: NoticeView): string {
  return blocksToMarkdown(noticeBlocks(view));
}

/** Slack mrkdwn, escaped: code blocks, <url|links>. */
export function noticeMrkdwn(view: NoticeView): string {
  return blocksToMrkdwn(noticeBlocks(view));
}
