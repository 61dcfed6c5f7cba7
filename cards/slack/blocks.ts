/**
 * Block Kit primitives that cannot exceed Slack's limits (cards/limits.ts SLACK), and the final
 * pass over a message: at most 50 blocks, bounded total text, unique action_ids.
 */
import type { Button, Link } from '../actions.ts';
import { isoSeconds, utcText } from '../format.ts';
import { ELLIPSIS, SLACK } from '../limits.ts';
import { escapeSlack } from '../markdown.ts';
import { clip, shortValue } from '../truncate.ts';

export type Block = Record<string, unknown>;

/** Outside text on one line, clipped and escaped for mrkdwn. */
export const esc = (text: string, max: number): string => escapeSlack(shortValue(text, max));

export function header(text: string): Block {
  return { type: 'header', text: { type: 'plain_text', text: clip(text, SLACK.headerText), emoji: true } };
}

/** A mrkdwn section; the caller escapes outside text (escapeSlack / slackValue). */
export function section(mrkdwn: string): Block {
  return { type: 'section', text: { type: 'mrkdwn', text: clip(mrkdwn, SLACK.sectionText) } };
}

/** Small grey lines; each item one element (at most 10). */
export function context(mrkdwnItems: readonly string[]): Block {
  return {
    type: 'context',
    elements: mrkdwnItems
      .slice(0, SLACK.contextElements)
      .map((text) => ({ type: 'mrkdwn', text: clip(text, SLACK.contextText) })),
  };
}

export function divider(): Block {
  return { type: 'divider' };
}

/**
 * A value from outside, safe in mrkdwn: escaped, and shown as inline code when it holds a
 * formatting character (a host pattern like `*.contoso.com` must not turn bold). Code spans copy
 * cleanly, unlike zero-width-space tricks.
 */
export function slackValue(text: string): string {
  const escaped = escapeSlack(text);
  return /[*_~`]/.test(text) ? `\`${escaped.replace(/`/g, "'")}\`` : escaped;
}

/** "*Label:* value" lines. */
export function factLines(pairs: readonly { title: string; value: string }[]): string {
  return pairs.map((p) => `*${escapeSlack(p.title)}:* ${slackValue(p.value)}`).join('\n');
}

/** A code block of copy-paste lines. */
export function codeBlock(lines: readonly string[]): string {
  return '```\n' + escapeSlack(lines.join('\n')) + '\n```';
}

/** Slack renders `<!date^…>` in the reader's time zone; the fallback is UTC. */
export function slackTime(iso: string): string {
  const s = isoSeconds(iso);
  if (!s) return escapeSlack(utcText(iso));
  return `<!date^${Math.floor(Date.parse(s) / 1000)}^{time}|${utcText(s)}>`;
}

function buttonElement(button: Button): Block {
  const value = JSON.stringify(button.data);
  if (value.length > SLACK.buttonValue)
    throw new RangeError(
      `slack: button "${button.label}" value is ${value.length} characters; Slack accepts ${SLACK.buttonValue} (ids too long?)`,
    );
  const el: Block = {
    type: 'button',
    text: { type: 'plain_text', text: clip(button.label, SLACK.buttonText), emoji: true },
    action_id: button.data.verb,
    value,
  };
  if (button.style) el.style = button.style;
  return el;
}

function linkElement(link: Link, n: number): Block {
  return {
    type: 'button',
    text: { type: 'plain_text', text: clip(link.label, SLACK.buttonText), emoji: true },
    action_id: `link.${n}`,
    url: link.url.slice(0, SLACK.buttonUrl),
  };
}

/** An actions block (empty list → no block); block_id names the version so updates get new ids. */
export function actions(buttons: readonly Button[], links: readonly Link[], blockId: string): Block[] {
  const elements = [...buttons.map(buttonElement), ...links.map(linkElement)].slice(0, SLACK.actionsElements);
  return elements.length > 0 ? [{ type: 'actions', block_id: clip(blockId, SLACK.blockId), elements }] : [];
}

/** Every text string in a block tree (what Slack's undocumented total counts). */
export function textLength(value: unknown): number {
  if (typeof value === 'string') return value.length;
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + textLength(v), 0);
  if (value && typeof value === 'object')
    return Object.entries(value).reduce(
      (n, [k, v]) => n + (k === 'text' || typeof v === 'object' ? textLength(v) : 0),
      0,
    );
  return 0;
}

/** Whether blocks are within the block count and the total text budget as they are. */
export function fits(blocks: readonly Block[]): boolean {
  return blocks.length <= SLACK.maxBlocks && textLength(blocks) <= SLACK.totalText;
}

/** Make action_ids unique in the message: the verb, then "verb:value" or "verb#n" on repeats. */
function uniqueActionIds(blocks: Block[]): void {
  const seen = new Set<string>();
  for (const block of blocks) {
    if (block.type !== 'actions') continue;
    for (const el of block.elements as Block[]) {
      let id = el.action_id as string;
      if (seen.has(id)) {
        const data =
          typeof el.value === 'string' ? (JSON.parse(el.value) as { value?: string; stepId?: string }) : {};
        const tag = data.value ?? data.stepId;
        id = clip(tag ? `${id}:${tag}` : id, SLACK.actionId);
        for (let n = 2; seen.has(id); n++) id = `${el.action_id as string}#${n}`;
        el.action_id = id;
      }
      seen.add(id);
    }
  }
}

/**
 * Fit a message: keep the first blocks and the trailing actions within 50 blocks and the total
 * text budget, replacing what was dropped by one context line saying so.
 */
export function finalize(blocks: Block[]): Block[] {
  const tail =
    blocks.length > 0 && blocks[blocks.length - 1].type === 'actions' ? [blocks[blocks.length - 1]] : [];
  const content = tail.length > 0 ? blocks.slice(0, -1) : blocks.slice();
  const room = SLACK.maxBlocks - tail.length - 1;
  let budget = SLACK.totalText - textLength(tail) - 100;
  const kept: Block[] = [];
  for (const block of content) {
    const size = textLength(block);
    if (kept.length >= room || size > budget) break;
    kept.push(block);
    budget -= size;
  }
  const dropped = content.length - kept.length;
  if (dropped > 0)
    kept.push(context([`${ELLIPSIS} ${dropped} more part${dropped === 1 ? '' : 's'} did not fit here.`]));
  const out = [...kept, ...tail];
  uniqueActionIds(out);
  return out;
}
