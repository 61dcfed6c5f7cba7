/**
 * The small text tools under every renderer: clipping, lists with "and N more", the markdown
 * dialect of playbook instructions and its Slack and plain-text forms.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { factLabel, factText, platformOrder, utcText } from '../../cards/format.ts';
import {
  blocksToMrkdwn,
  blocksToPlain,
  escapeSlack,
  fitBlocks,
  inlineToMrkdwn,
  inlineToPlain,
  parseInline,
  parseMarkdown,
} from '../../cards/markdown.ts';
import { clip, fitLines, joinWithMore, oneLine } from '../../cards/truncate.ts';

test('clip: within the limit, ends with …, never splits an emoji', () => {
  assert.equal(clip('short', 10), 'short');
  assert.equal(clip('abcdefghij', 10), 'abcdefghij');
  assert.equal(clip('abcdefghijk', 10), 'abcdefghi…');
  const emoji = `${'a'.repeat(8)}😀tail`;
  const cut = clip(emoji, 10);
  assert.ok(cut.length <= 10);
  assert.equal(cut, 'aaaaaaaa…', 'the half surrogate pair is dropped');
  assert.throws(() => clip('x', 0), RangeError);
});

test('lists: the first n and "and N more"', () => {
  const hosts = Array.from({ length: 30 }, (_, i) => `h${i}`);
  assert.equal(joinWithMore(hosts, 8, 50), 'h0, h1, h2, h3, h4, h5, h6, h7 and 22 more');
  assert.equal(joinWithMore(['a', 'b'], 8, 50), 'a, b');
  assert.equal(factText(hosts), 'h0, h1, h2, h3, h4, h5, h6, h7 and 22 more');
  assert.equal(factText(true), 'yes');
  assert.equal(factText(`x\n\ny`), 'x y');
  assert.equal(oneLine('  a \n b\t c '), 'a b c');
});

test('fitLines keeps whole lines and reports the dropped ones', () => {
  assert.deepEqual(fitLines(['aaaa', 'bbbb', 'cccc'], 9), { lines: ['aaaa', 'bbbb'], dropped: 1 });
  assert.deepEqual(fitLines(['x'.repeat(50)], 10), { lines: [`${'x'.repeat(9)}…`], dropped: 0 });
});

test('fact labels and times read as words', () => {
  assert.equal(factLabel('offsetSeconds'), 'Offset seconds');
  assert.equal(factLabel('issuer_name'), 'Issuer name');
  assert.equal(utcText('2026-11-27T10:42:59.900Z'), '10:42 UTC');
  assert.equal(utcText('2026-11-27T10:42:00Z', true), '2026-11-27 10:42 UTC');
  assert.equal(utcText('not a date'), 'not a date');
  assert.deepEqual(platformOrder('linux'), ['linux', 'any', 'phone', 'windows', 'macos']);
  assert.deepEqual(platformOrder(undefined), ['windows', 'macos', 'linux', 'any', 'phone']);
});

test('markdown: headings, lists, code fences and paragraphs', () => {
  const md =
    '# Flush DNS\n\nOpen **PowerShell**:\n\n```powershell\nipconfig /flushdns\n  indented *.log\n```\n\n1. one\n2. two\n   more\n- bullet\n\nline one\nline two';
  assert.deepEqual(parseMarkdown(md), [
    { kind: 'heading', text: 'Flush DNS' },
    { kind: 'paragraph', text: 'Open **PowerShell**:' },
    { kind: 'code', lines: ['ipconfig /flushdns', '  indented *.log'] },
    { kind: 'list', ordered: true, items: ['one', 'two more'] },
    { kind: 'list', ordered: false, items: ['bullet'] },
    { kind: 'paragraph', text: 'line one line two' },
  ]);
  assert.deepEqual(parseMarkdown('```\nunclosed'), [{ kind: 'code', lines: ['unclosed'] }]);
});

test('inline runs: code, links, bold, italic; a host pattern in code stays literal', () => {
  assert.deepEqual(
    parseInline('Run `ipconfig /all` then **restart**, _wait_, see [docs](https://x.test/a?b=1&c=2).'),
    [
      { text: 'Run ' },
      { text: 'ipconfig /all', code: true },
      { text: ' then ' },
      { text: 'restart', bold: true },
      { text: ', ' },
      { text: 'wait', italic: true },
      { text: ', see ' },
      { text: 'docs', url: 'https://x.test/a?b=1&c=2' },
      { text: '.' },
    ],
  );
  assert.deepEqual(parseInline('Allow `*.teams.microsoft.com`'), [
    { text: 'Allow ' },
    { text: '*.teams.microsoft.com', code: true },
  ]);
  assert.deepEqual(parseInline('snake_case_name stays'), [{ text: 'snake_case_name stays' }]);
});

test('Slack mrkdwn: escaped, converted, code left alone', () => {
  assert.equal(escapeSlack('a < b & c > d'), 'a &lt; b &amp; c &gt; d');
  assert.equal(
    inlineToMrkdwn('**Bold** and *it* `a<b` [l](https://u.test/?a=1&b=2)'),
    '*Bold* and _it_ `a&lt;b` <https://u.test/?a=1&amp;b=2|l>',
  );
  assert.equal(
    blocksToMrkdwn(parseMarkdown('# Title\n\n- one\n- two\n\n```\nx < y\n```')),
    '*Title*\n\n• one\n• two\n\n```\nx &lt; y\n```',
  );
});

test('plain text: formatting dropped, links spelled out, code indented', () => {
  assert.equal(inlineToPlain('**Bold** `code` [l](https://u.test)'), 'Bold code l (https://u.test)');
  assert.equal(blocksToPlain(parseMarkdown('1. a\n\n```\ncmd\n```')), '1. a\n\n    cmd');
});

test('fitBlocks cuts at the budget and says so', () => {
  const blocks = parseMarkdown(
    Array.from({ length: 50 }, (_, i) => `Paragraph ${i} ${'x'.repeat(80)}`).join('\n\n'),
  );
  const { blocks: kept, cut } = fitBlocks(blocks, 520);
  assert.equal(cut, true);
  assert.ok(kept.length < blocks.length);
  const last = kept[kept.length - 1];
  assert.ok(last.kind === 'paragraph' && last.text.endsWith('…'));
  assert.deepEqual(fitBlocks(blocks.slice(0, 2), 5000), { blocks: blocks.slice(0, 2), cut: false });
  const code = fitBlocks([{ kind: 'code', lines: Array.from({ length: 100 }, () => 'line of code') }], 200);
  assert.ok(code.blocks[0].kind === 'code' && code.blocks[0].lines.at(-1) === '…');
});
