/**
 * What an end user reads, per channel: every string a rendered card or notice puts in front of
 * them (Adaptive Card text and button titles for Teams and the web chat, Block Kit text for
 * Slack, the plain-text fallback), tagged with how the channel treats it (markdown or literal),
 * and the checks issue 14 asks of those strings (no finding or probe id, no engineer's words,
 * no markup shown as text). Shared by the playbook walk and the conversation tests.
 */
import { noticeMarkdown, noticeMrkdwn, noticeText } from '../../bot/core/notices.ts';
import type { OutboundView } from '../../bot/core/types.ts';
import { renderSlack } from '../../cards/slack.ts';
import { renderText } from '../../cards/text.ts';
import { renderWebChat } from '../../cards/webchat.ts';
import { FINDING_IDS } from '../../probes/findings.ts';

/** How a channel shows a string: `markdown` (Adaptive TextBlock, chat markdown), `mrkdwn` (Slack) or `literal`. */
export type TextKind = 'markdown' | 'mrkdwn' | 'literal';
export interface SeenText {
  channel: 'adaptive' | 'chat' | 'slack' | 'text';
  kind: TextKind;
  text: string;
}

function adaptiveTexts(node: unknown, out: SeenText[]): void {
  if (Array.isArray(node)) {
    for (const n of node) adaptiveTexts(n, out);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const el = node as Record<string, unknown>;
  // A fallback repeats its action; an Action.Submit's data is not shown.
  if (el.type === 'TextBlock' && typeof el.text === 'string')
    out.push({ channel: 'adaptive', kind: 'markdown', text: el.text });
  if (el.type === 'TextRun' && typeof el.text === 'string')
    out.push({ channel: 'adaptive', kind: 'literal', text: el.text });
  if (typeof el.type === 'string' && el.type.startsWith('Action.') && typeof el.title === 'string')
    out.push({ channel: 'adaptive', kind: 'literal', text: el.title });
  for (const [key, value] of Object.entries(el))
    if (key !== 'data' && key !== 'fallback') adaptiveTexts(value, out);
}

function slackTexts(node: unknown, out: SeenText[]): void {
  if (Array.isArray(node)) {
    for (const n of node) slackTexts(n, out);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const el = node as Record<string, unknown>;
  if ((el.type === 'mrkdwn' || el.type === 'plain_text') && typeof el.text === 'string')
    out.push({ channel: 'slack', kind: el.type === 'mrkdwn' ? 'mrkdwn' : 'literal', text: el.text });
  for (const [key, value] of Object.entries(el)) if (key !== 'value') slackTexts(value, out);
}

/** Everything `view` shows a user, in each channel. */
export function seenTexts(view: OutboundView): SeenText[] {
  const out: SeenText[] = [];
  if (view.screen === 'notice') {
    out.push({ channel: 'chat', kind: 'markdown', text: noticeMarkdown(view) });
    out.push({ channel: 'slack', kind: 'mrkdwn', text: noticeMrkdwn(view) });
    out.push({ channel: 'text', kind: 'literal', text: noticeText(view) });
    return out;
  }
  adaptiveTexts(renderWebChat(view), out);
  slackTexts(renderSlack(view).blocks, out);
  out.push({ channel: 'text', kind: 'literal', text: renderText(view) });
  return out;
}

const FINDING_ID = new RegExp(
  `(?<![\\w.])(${FINDING_IDS.map((id) => id.replace('.', '\\.')).join('|')})(?![\\w])`,
);
/**
 * A probe id as the agent names them: `kind:target` (dns:login.microsoftonline.com, tls:host:443,
 * proxy:discovery, clock:local); a URL's `https://` is not one.
 */
const PROBE_ID =
  /(?<![\w@/])(dns|tcp|tls|https|websocket|stun|clock|proxy|cache|device|broker|vpn|portal|ipv6|route|sni|watch):[a-z0-9*][a-z0-9.*-]*/;
/** Engineers' words issue 14 names: a raw error code, an OAuth error, our own jargon. */
const JARGON = /\bnxdomain\b|\bservfail\b|access_denied|network ladder|ENOTFOUND|ECONNREFUSED|ETIMEDOUT/;

/** Markup that shows as typed where the channel does not render it. */
function markupShown(t: SeenText): string | undefined {
  const link = /\[[^\]]+\]\([^)\s]+\)/;
  if (/<https?:\/\/[^|>]*>/.test(t.text)) return 'an <https://…> autolink';
  if (t.kind === 'literal' && t.channel !== 'text' && /`/.test(t.text)) return 'a backtick';
  if (t.kind === 'literal' && /\*\*[^*]+\*\*/.test(t.text)) return '**bold** markers';
  if (t.kind !== 'markdown' && link.test(t.text)) return 'a [text](url) link';
  if (t.kind === 'mrkdwn' && /\*\*[^*]+\*\*/.test(t.text)) return '**bold** markers';
  if (t.channel === 'adaptive' && t.kind === 'markdown' && /`/.test(t.text) && !/```/.test(t.text))
    return 'a backtick in an Adaptive TextBlock';
  if (t.kind === 'literal' && t.channel === 'text' && /(^|\s)`[^`]+`/.test(t.text)) return 'a backtick';
  return undefined;
}

/** The problems issue 14's plain-words rule finds in what a user reads; empty when none. */
export function plainWordsProblems(view: OutboundView): string[] {
  const problems: string[] = [];
  for (const t of seenTexts(view)) {
    const where = `${view.screen} (${t.channel}, ${t.kind})`;
    const id = FINDING_ID.exec(t.text);
    if (id) problems.push(`${where}: finding id ${id[1]} in ${JSON.stringify(t.text.slice(0, 160))}`);
    const probe = PROBE_ID.exec(t.text);
    if (probe) problems.push(`${where}: probe id ${probe[0]}… in ${JSON.stringify(t.text.slice(0, 160))}`);
    const jargon = JARGON.exec(t.text);
    if (jargon) problems.push(`${where}: "${jargon[0]}" in ${JSON.stringify(t.text.slice(0, 160))}`);
    const markup = markupShown(t);
    if (markup) problems.push(`${where}: ${markup} shown as text in ${JSON.stringify(t.text.slice(0, 160))}`);
  }
  return problems;
}
