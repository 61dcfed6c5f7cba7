/**
 * The small markdown dialect playbook instructions are written in (paragraphs, headings, bullet
 * and numbered lists, fenced code, **bold**, _italic_, `code`, [links](url)), parsed into blocks
 * so each channel can render it its own way: Adaptive Cards have no code blocks, Slack's mrkdwn
 * has no headings, plain text has neither.
 */
import { ELLIPSIS } from './limits.ts';
import { clip } from './truncate.ts';

export type MdBlock =
  | { kind: 'paragraph'; text: string }
  | { kind: 'heading'; text: string }
  | { kind: 'list'; ordered: boolean; items: string[] }
  | { kind: 'code'; lines: string[] };

const FENCE = /^\s*(```|~~~)/;
const HEADING = /^\s*#{1,6}\s+(.*)$/;
const BULLET = /^\s*[-*+]\s+(.*)$/;
const NUMBERED = /^\s*\d+[.)]\s+(.*)$/;

/** Parse `md` into blocks. Never throws: anything unrecognised is paragraph text. */
export function parseMarkdown(md: string): MdBlock[] {
  const blocks: MdBlock[] = [];
  const lines = md.replace(/\r\n?/g, '\n').split('\n');
  let paragraph: string[] = [];
  let list: { ordered: boolean; items: string[] } | undefined;
  const flush = (): void => {
    if (paragraph.length > 0) blocks.push({ kind: 'paragraph', text: paragraph.join(' ') });
    if (list) blocks.push({ kind: 'list', ...list });
    paragraph = [];
    list = undefined;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const fence = FENCE.exec(line);
    if (fence) {
      flush();
      const code: string[] = [];
      for (i++; i < lines.length && !lines[i].trimStart().startsWith(fence[1]); i++) code.push(lines[i]);
      blocks.push({ kind: 'code', lines: code });
      continue;
    }
    if (line.trim() === '') {
      flush();
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      flush();
      blocks.push({ kind: 'heading', text: heading[1].trim() });
      continue;
    }
    const bullet = BULLET.exec(line);
    const numbered = bullet ? null : NUMBERED.exec(line);
    const item = bullet ?? numbered;
    if (item) {
      const ordered = numbered !== null;
      if (paragraph.length > 0 || (list && list.ordered !== ordered)) flush();
      list ??= { ordered, items: [] };
      list.items.push(item[1].trim());
      continue;
    }
    if (list) list.items[list.items.length - 1] += ` ${line.trim()}`;
    else paragraph.push(line.trim());
  }
  flush();
  return blocks;
}

function blockSize(block: MdBlock): number {
  switch (block.kind) {
    case 'paragraph':
    case 'heading':
      return block.text.length + 1;
    case 'list':
      return block.items.reduce((n, item) => n + item.length + 3, 0);
    case 'code':
      return block.lines.reduce((n, line) => n + line.length + 1, 0);
  }
}

/**
 * Keep blocks up to `budget` characters; the block that crosses the budget is cut (text clipped,
 * list items or code lines dropped, with "…" marking the cut). `cut` tells the caller to point at
 * the full text.
 */
export function fitBlocks(blocks: readonly MdBlock[], budget: number): { blocks: MdBlock[]; cut: boolean } {
  const kept: MdBlock[] = [];
  let left = budget;
  for (const block of blocks) {
    const size = blockSize(block);
    if (size <= left) {
      kept.push(block);
      left -= size;
      continue;
    }
    if (left > 40) kept.push(cutBlock(block, left));
    return { blocks: kept, cut: true };
  }
  return { blocks: kept, cut: false };
}

function cutBlock(block: MdBlock, room: number): MdBlock {
  switch (block.kind) {
    case 'paragraph':
    case 'heading':
      return { ...block, text: clip(block.text, room) };
    case 'list': {
      const items: string[] = [];
      for (const item of block.items) {
        if (item.length + 3 > room) {
          items.push(clip(item, Math.max(room - 3, 2)));
          break;
        }
        items.push(item);
        room -= item.length + 3;
      }
      return { ...block, items };
    }
    case 'code': {
      const lines: string[] = [];
      for (const line of block.lines) {
        if (line.length + 1 > room) break;
        lines.push(line);
        room -= line.length + 1;
      }
      return { kind: 'code', lines: [...lines, ELLIPSIS] };
    }
  }
}

/** A piece of inline text with its formatting: what every channel renders its own way. */
export interface Run {
  text: string;
  bold?: boolean;
  italic?: boolean;
  code?: boolean;
  url?: string;
}

const INLINE =
  /<(https?:\/\/[^\s>]+)>|`([^`]+)`|\[([^\]]+)\]\(([^)\s]+)\)|\*\*(.+?)\*\*|__(.+?)__|(?<![\w*])\*(?![\s*])([^*]+?)\*(?![\w*])|(?<![\w_])_(?![\s_])([^_]+?)_(?![\w_])/g;

/**
 * Inline markdown → runs. An autolink `<https://host>` becomes a link whose text is the address
 * without its scheme, so no channel shows the angle brackets. Formatting does not nest: the inside of a span is taken literally. */
export function parseInline(text: string): Run[] {
  const runs: Run[] = [];
  let at = 0;
  for (const m of text.matchAll(INLINE)) {
    if (m.index > at) runs.push({ text: text.slice(at, m.index) });
    if (m[1] !== undefined) runs.push({ text: m[1].replace(/^https?:\/\//, ''), url: m[1] });
    else if (m[2] !== undefined) runs.push({ text: m[2], code: true });
    else if (m[3] !== undefined) runs.push({ text: m[3], url: m[4] });
    else if (m[5] !== undefined || m[6] !== undefined) runs.push({ text: m[5] ?? m[6], bold: true });
    else runs.push({ text: m[7] ?? m[8], italic: true });
    at = m.index + m[0].length;
  }
  if (at < text.length) runs.push({ text: text.slice(at) });
  return runs;
}

/** Escape what Slack requires escaped in any text: &, < and >. */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Runs → Slack mrkdwn (`*bold*`, `_italic_`, `` `code` ``, `<url|text>`), escaped. */
export function runsToMrkdwn(runs: readonly Run[]): string {
  return runs
    .map((run) => {
      const text = escapeSlack(run.text);
      if (run.url) return `<${escapeSlack(run.url)}|${text}>`;
      if (run.code) return `\`${text}\``;
      if (run.bold) return `*${text}*`;
      if (run.italic) return `_${text}_`;
      return text;
    })
    .join('');
}

/** Runs → plain text: formatting dropped, links as "text (url)" (an address alone once). */
export function runsToPlain(runs: readonly Run[]): string {
  return runs
    .map((run) =>
      run.url && !run.url.endsWith(run.text) ? `${run.text} (${run.url})` : (run.url ?? run.text),
    )
    .join('');
}

/** Escape what CommonMark would read as formatting in text taken literally. */
export function escapeMarkdown(text: string): string {
  return text.replace(/([\\`*_[\]<>#|])/g, '\\$1');
}

/** Runs → CommonMark (Teams and Web Chat messages with textFormat markdown). */
export function runsToMarkdown(runs: readonly Run[]): string {
  return runs
    .map((run) => {
      if (run.url) return `[${escapeMarkdown(run.text)}](${run.url})`;
      if (run.code) return run.text.includes('`') ? `\`\` ${run.text} \`\`` : `\`${run.text}\``;
      const text = escapeMarkdown(run.text);
      if (run.bold) return `**${text}**`;
      if (run.italic) return `_${text}_`;
      return text;
    })
    .join('');
}

function blockToMarkdown(block: MdBlock): string {
  switch (block.kind) {
    case 'paragraph':
      return runsToMarkdown(parseInline(block.text));
    case 'heading':
      return `**${escapeMarkdown(block.text)}**`;
    case 'list':
      return block.items
        .map((item, i) => `${block.ordered ? `${i + 1}.` : '-'} ${runsToMarkdown(parseInline(item))}`)
        .join('\n');
    case 'code':
      return '```\n' + block.lines.join('\n') + '\n```';
  }
}

/** Blocks → CommonMark: code fenced (copyable), links as links. */
export function blocksToMarkdown(blocks: readonly MdBlock[]): string {
  return blocks.map(blockToMarkdown).join('\n\n');
}

export function inlineToMrkdwn(text: string): string {
  return runsToMrkdwn(parseInline(text));
}

export function inlineToPlain(text: string): string {
  return runsToPlain(parseInline(text));
}

function blockToMrkdwn(block: MdBlock): string {
  switch (block.kind) {
    case 'paragraph':
      return inlineToMrkdwn(block.text);
    case 'heading':
      return `*${escapeSlack(block.text)}*`;
    case 'list':
      return block.items
        .map((item, i) => `${block.ordered ? `${i + 1}.` : '•'} ${inlineToMrkdwn(item)}`)
        .join('\n');
    case 'code':
      return '```\n' + escapeSlack(block.lines.join('\n')) + '\n```';
  }
}

/** Blocks → Slack mrkdwn (headings bold, code fenced). */
export function blocksToMrkdwn(blocks: readonly MdBlock[]): string {
  return blocks.map(blockToMrkdwn).join('\n\n');
}

function blockToPlain(block: MdBlock): string {
  switch (block.kind) {
    case 'paragraph':
      return inlineToPlain(block.text);
    case 'heading':
      return inlineToPlain(block.text).toUpperCase();
    case 'list':
      return block.items
        .map((item, i) => `${block.ordered ? `${i + 1}.` : '-'} ${inlineToPlain(item)}`)
        .join('\n');
    case 'code':
      return block.lines.map((line) => `    ${line}`).join('\n');
  }
}

/** Blocks → plain text, code indented by four spaces so it stands out and copies cleanly. */
export function blocksToPlain(blocks: readonly MdBlock[]): string {
  return blocks.map(blockToPlain).join('\n\n');
}
