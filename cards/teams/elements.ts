/**
 * Adaptive Card building blocks shared by the screen data builders. Text from outside (facts,
 * hosts, instructions, the user's own words) goes into RichTextBlock/TextRun, which no client
 * runs markdown over, so `*.contoso.com` stays a host pattern and not italics; our own wording
 * goes into TextBlocks with `wrap: true`.
 */
import type { Button, Link } from '../actions.ts';
import { type MdBlock, parseInline, type Run } from '../markdown.ts';

export type Ac = Record<string, unknown>;
export type ActionMode = 'execute' | 'submit';

/**
 * Neutralise the client-side `{{DATE(…)}}`/`{{TIME(…)}}` functions in text from outside, so a
 * user's message is shown as typed. A zero-width space between the braces is invisible.
 */
export function acSafe(text: string): string {
  return text.replace(/\{\{/g, '{\u200b{');
}

export function textBlock(text: string, extra: Ac = {}): Ac {
  return { type: 'TextBlock', text, wrap: true, ...extra };
}

const HTTP = /^https?:\/\//i;

function textRun(run: Run): Ac {
  const el: Ac = { type: 'TextRun', text: acSafe(run.text) };
  if (run.bold) el.weight = 'Bolder';
  if (run.italic) el.italic = true;
  if (run.code) el.fontType = 'Monospace';
  if (run.url && HTTP.test(run.url)) {
    el.selectAction = { type: 'Action.OpenUrl', url: run.url };
    el.color = 'Accent';
  }
  return el;
}

/** A RichTextBlock from runs; empty text becomes a single space (TextRun needs text). */
export function richText(runs: readonly Run[], extra: Ac = {}): Ac {
  const inlines = runs.filter((r) => r.text !== '').map(textRun);
  return {
    type: 'RichTextBlock',
    inlines: inlines.length > 0 ? inlines : [{ type: 'TextRun', text: ' ' }],
    ...extra,
  };
}

/** Plain text from outside, shown literally. */
export function plain(text: string, extra: Ac = {}): Ac {
  return richText([{ text }], extra);
}

/** "Label: value" on one wrapping line; phones get no squeezed two-column FactSet. */
export function fact(title: string, value: string): Ac {
  return richText([{ text: `${title}: `, bold: true }, { text: value }], { spacing: 'None' });
}

/** Copy-paste lines: one monospace RichTextBlock per line in a shaded box. */
export function codeBox(lines: readonly string[]): Ac {
  return {
    type: 'Container',
    style: 'emphasis',
    items: lines.map((line) =>
      richText([{ text: line === '' ? ' ' : line, code: true }], { spacing: 'None' }),
    ),
  };
}

function blockElements(block: MdBlock): Ac[] {
  switch (block.kind) {
    case 'paragraph':
      return [richText(parseInline(block.text))];
    case 'heading':
      return [richText([{ text: block.text, bold: true }])];
    case 'list':
      return block.items.map((item, i) =>
        richText([{ text: block.ordered ? `${i + 1}. ` : '• ' }, ...parseInline(item)], { spacing: 'Small' }),
      );
    case 'code':
      return [codeBox(block.lines)];
  }
}

/** Markdown blocks → elements (inline formatting as TextRun properties). */
export function mdElements(blocks: readonly MdBlock[]): Ac[] {
  return blocks.flatMap(blockElements);
}

const STYLE: Readonly<Record<NonNullable<Button['style']>, string>> = {
  primary: 'positive',
  danger: 'destructive',
};

/**
 * A bot-bound button. In `execute` mode an Action.Execute (Universal Actions) carrying an
 * Action.Submit `fallback` with the same data, as Teams recommends for older clients; in `submit`
 * mode a plain Action.Submit. `data` is identical in both.
 */
export function acAction(button: Button, mode: ActionMode): Ac {
  const submit: Ac = { type: 'Action.Submit', title: button.label, data: { ...button.data } };
  if (button.style) submit.style = STYLE[button.style];
  if (mode === 'submit') return submit;
  return { ...submit, type: 'Action.Execute', verb: button.data.verb, fallback: { ...submit } };
}

export function acLink(link: Link): Ac {
  return { type: 'Action.OpenUrl', title: link.label, url: link.url };
}

/** An ActionSet inside the body, or nothing when there are no actions. */
export function actionSet(actions: readonly Ac[], extra: Ac = {}): Ac[] {
  return actions.length > 0 ? [{ type: 'ActionSet', actions, ...extra }] : [];
}
