/**
 * Edges: text from outside is shown as typed (no template or date-function evaluation, no
 * markdown), the last-resort compact card, Slack's safety net, and the test validators
 * themselves catching broken payloads.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ADAPTIVE, SLACK } from '../../cards/limits.ts';
import { finalize, section, textLength } from '../../cards/slack/blocks.ts';
import { renderSlack } from '../../cards/slack.ts';
import { renderTeams } from '../../cards/teams.ts';
import { renderText } from '../../cards/text.ts';
import type { EscalatedView, IntakeView, View } from '../../cards/views.ts';
import { renderWebChat } from '../../cards/webchat.ts';
import { allStrings, checkAdaptiveCard } from './adaptive-schema.ts';
import { VIEWS } from './fixtures.ts';
import { checkSlackMessage } from './slack-schema.ts';

const view = (name: string): View => {
  const found = VIEWS.find((v) => v.name === name);
  assert.ok(found, name);
  return found.view;
};

/** Template bindings as a user might type them (built by concatenation so they stay literal here). */
const TITLE = '$' + '{title}';
const ROOT = '$' + '{$root.title}';

test('template syntax and date functions in user text are shown literally', () => {
  const symptom = `It says ${TITLE} and {{DATE(2020-01-01T00:00:00Z, SHORT)}} then <b>&</b> *.contoso.com`;
  const intake: View = { ...(view('intake, answered') as IntakeView), symptom, userName: ROOT };
  const card = renderTeams(intake, { universalActions: true });
  const strings = allStrings(card);
  const shown = strings.find((s) => s.startsWith('It says'));
  assert.equal(
    shown,
    `It says ${TITLE} and {\u200b{DATE(2020-01-01T00:00:00Z, SHORT)}} then <b>&</b> *.contoso.com`,
  );
  assert.ok(strings.includes(`Hi ${ROOT} 👋`));
  const runs = JSON.stringify(card);
  assert.ok(
    runs.includes('"type":"RichTextBlock"'),
    'outside text goes into TextRuns, which no client reads as markdown',
  );
  const slack = allStrings(renderSlack(intake).blocks).join('\n');
  assert.ok(
    slack.includes(
      `\`It says ${TITLE} and {{DATE(2020-01-01T00:00:00Z, SHORT)}} then &lt;b&gt;&amp;&lt;/b&gt; *.contoso.com\``,
    ),
  );
  assert.ok(renderText(intake).includes(symptom));
});

test('a card that would pass the size budget even when tight degrades to a compact card that still works', () => {
  const huge = 'https://bot.example.test/' + 'x'.repeat(20_000);
  const pairing = view('pairing, waiting');
  assert.equal(pairing.screen, 'pairing');
  if (pairing.screen !== 'pairing') return;
  const v: View = {
    ...pairing,
    commands: pairing.commands.map((c) => ({ ...c, download: huge })),
  };
  for (const card of [renderTeams(v, { universalActions: true }), renderWebChat(v)]) {
    assert.ok(JSON.stringify(card).length <= ADAPTIVE.maxCardChars);
    assert.deepEqual(checkAdaptiveCard(card).errors, []);
    assert.ok(allStrings(card).includes('Some details did not fit on this card.'));
    assert.ok(JSON.stringify(card.actions).includes('pairing.manual'), 'the way forward survives');
  }
  const slack = renderSlack(v);
  assert.deepEqual(checkSlackMessage(slack).errors, []);
});

test('Slack finalize: at most 50 blocks, text budget kept, actions kept last, the cut said', () => {
  const blocks = Array.from({ length: 80 }, (_, i) => section(`part ${i} ${'y'.repeat(400)}`));
  const actions = {
    type: 'actions',
    block_id: 'a',
    elements: [{ type: 'button', text: { type: 'plain_text', text: 'Go' }, action_id: 'x', value: '{}' }],
  };
  const out = finalize([...blocks, actions]);
  assert.ok(out.length <= SLACK.maxBlocks);
  assert.ok(textLength(out) <= SLACK.totalText);
  assert.equal(out[out.length - 1], actions);
  assert.match(JSON.stringify(out[out.length - 2]), /more parts did not fit here/);
});

test('Slack action_ids: the verb, made unique with the choice when a verb repeats', () => {
  const ids = renderSlack(view('intake, empty')).blocks.flatMap((b) =>
    b.type === 'actions' ? (b.elements as { action_id: string }[]).map((e) => e.action_id) : [],
  );
  assert.deepEqual(ids, [
    'intake.code',
    'intake.code:CAA70004',
    'intake.os',
    'intake.os:macos',
    'intake.os:linux',
    'intake.where',
    'intake.where:home',
    'intake.where:vpn',
    'intake.where:hotspot',
  ]);
});

test('button labels and headers past Slack limits are clipped, not refused', () => {
  const long: View = { ...(view('escalated') as EscalatedView), caseRef: 'R'.repeat(500) };
  const message = renderSlack(long);
  assert.deepEqual(checkSlackMessage(message).errors, []);
  assert.ok(message.text.length <= SLACK.fallbackText);
});

test('the Adaptive Card validator catches what it claims to', () => {
  const broken = {
    type: 'AdaptiveCard',
    version: '1.4',
    body: [
      { type: 'CodeBlock', codeSnippet: 'x' },
      { type: 'TextBlock' },
      {
        type: 'Container',
        items: [
          { type: 'TextBlock', text: 'a', id: 'dup' },
          { type: 'TextBlock', text: 'b', id: 'dup' },
        ],
      },
      { type: 'TextBlock', text: 'x', $when: TITLE },
      { type: 'TextBlock', text: 'x', size: 'Huge' },
      {
        type: 'ActionSet',
        actions: [{ type: 'Action.ToggleVisibility', title: 't', targetElements: ['missing'] }],
      },
      { type: 'RichTextBlock', inlines: [{ type: 'TextRun' }] },
    ],
    actions: [
      { type: 'Action.Execute', title: 'no verb', data: {} },
      { type: 'Action.Http', title: 'old' },
      { type: 'Action.OpenUrl', title: 'js', url: 'javascript:alert(1)' },
    ],
  };
  const { errors } = checkAdaptiveCard(broken);
  const expect = [
    /version must be "1.5"/,
    /CodeBlock" not in 1.5/,
    /TextBlock needs text/,
    /duplicate id dup/,
    /template leftover \$when/,
    /size "Huge"/,
    /toggle target missing does not exist/,
    /TextRun needs text/,
    /Execute needs a verb/,
    /Action.Http" not in 1.5/,
    /OpenUrl needs an http\(s\) url/,
  ];
  for (const re of expect)
    assert.ok(
      errors.some((e) => re.test(e)),
      `validator reports ${re}: ${errors.join('; ')}`,
    );
});

test('the Slack checker catches what it claims to', () => {
  const button = (id: string, text = 'ok') => ({
    type: 'button',
    text: { type: 'plain_text', text },
    action_id: id,
    value: '{}',
  });
  const { errors } = checkSlackMessage({
    text: '',
    blocks: [
      ...Array.from({ length: 50 }, () => ({ type: 'divider' })),
      { type: 'header', text: { type: 'mrkdwn', text: 'h'.repeat(151) } },
      { type: 'section', text: { type: 'mrkdwn', text: 's'.repeat(3001) } },
      { type: 'actions', elements: [button('a'), button('a', 'b'.repeat(76))] },
      { type: 'rich_text' },
    ],
  });
  for (const re of [
    /fallback text required/,
    /54 blocks, limit 50/,
    /text type mrkdwn/,
    /limit 150/,
    /limit 3000/,
    /duplicate action_id a/,
    /limit 75/,
    /rich_text/,
  ])
    assert.ok(
      errors.some((e) => re.test(e)),
      `checker reports ${re}: ${errors.join('; ')}`,
    );
});
