/**
 * Values past every budget never break a card: each channel stays within its limits and says
 * where it cut ("…", "and 22 more", "Shortened here").
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ADAPTIVE, ELLIPSIS, SLACK } from '../../cards/limits.ts';
import { renderSlack } from '../../cards/slack.ts';
import { renderTeams } from '../../cards/teams.ts';
import { renderText } from '../../cards/text.ts';
import type { View } from '../../cards/views.ts';
import { renderWebChat } from '../../cards/webchat.ts';
import { allStrings, checkAdaptiveCard } from './adaptive-schema.ts';
import { LONG_ISSUER, LONG_VIEWS, MANY_HOSTS } from './long-fixtures.ts';
import { checkSlackMessage } from './slack-schema.ts';

function long(name: string): View {
  const found = LONG_VIEWS.find((v) => v.name.startsWith(name));
  assert.ok(found, `fixture ${name}`);
  return found.view;
}

/** The rendered text of every channel, for one view. */
function channels(view: View): Record<string, string> {
  return {
    teams: allStrings(renderTeams(view, { universalActions: true })).join('\n'),
    webchat: allStrings(renderWebChat(view)).join('\n'),
    slack: allStrings(renderSlack(view).blocks).join('\n'),
    text: renderText(view),
  };
}

for (const { name, view } of LONG_VIEWS) {
  describe(`long: ${name}`, () => {
    test('Adaptive Cards stay valid and under the size budget', () => {
      for (const card of [renderTeams(view, { universalActions: true }), renderWebChat(view)]) {
        assert.deepEqual(checkAdaptiveCard(card).errors, []);
        const size = JSON.stringify(card).length;
        assert.ok(size <= ADAPTIVE.maxCardChars, `card is ${size} characters`);
        assert.ok(card.actions !== undefined, 'actions survive');
      }
    });

    test('Slack stays within every limit', () => {
      const message = renderSlack(view);
      assert.deepEqual(checkSlackMessage(message).errors, []);
      assert.ok(message.blocks.length <= SLACK.maxBlocks);
    });

    test('every channel marks the cut', () => {
      for (const [channel, text] of Object.entries(channels(view)))
        assert.ok(text.includes(ELLIPSIS) || /and \d+ more/.test(text), `${channel} shows where it cut`);
    });
  });
}

test('a 200-character issuer is clipped with "…" on every channel, its start kept', () => {
  const view = long('findings with a 200');
  for (const [channel, text] of Object.entries(channels(view))) {
    assert.equal(text.includes(LONG_ISSUER), false, `${channel} does not show all 200 characters`);
    assert.ok(text.includes(`${LONG_ISSUER.slice(0, 60)}`), `${channel} keeps the start of the issuer`);
    assert.match(text, /Contoso Enterprise Secure Web Gateway[^\n]*…/, `${channel} ends the issuer with …`);
  }
});

test('30 blocked hosts show the first 8 and "and 22 more" on every channel', () => {
  const view = long('findings with a 200');
  for (const [channel, text] of Object.entries(channels(view))) {
    assert.ok(text.includes(MANY_HOSTS[7]), `${channel} shows the 8th host`);
    assert.equal(text.includes(MANY_HOSTS[8]), false, `${channel} stops after 8 hosts`);
    assert.ok(text.includes('and 22 more'), `${channel} says "and 22 more"`);
  }
});

test('5,000 characters of instructions are shortened, with a pointer to the full text', () => {
  const view = long('step with 5,000');
  const texts = channels(view);
  for (const [channel, text] of Object.entries(texts)) {
    assert.ok(!text.includes('Paragraph 60:'), `${channel} drops the end`);
    assert.ok(text.includes('Paragraph 1:'), `${channel} keeps the start`);
  }
  for (const channel of ['teams', 'webchat', 'slack'] as const)
    assert.ok(
      texts[channel].includes('Open "Full instructions" for the rest.'),
      `${channel} points at the full text`,
    );
  assert.ok(texts.text.includes('(shortened)'));
  const card = renderTeams(view, { universalActions: true });
  const link = (card.actions as Record<string, unknown>[]).find((a) => a.type === 'Action.OpenUrl');
  assert.equal(link?.url, 'https://reconnect.example.test/s/sess-7f3a/steps/flush-dns');
});

test('a hand-off of 30 sections keeps the download link and counts what it left out', () => {
  const view = long('handoff with 30');
  for (const [channel, text] of Object.entries(channels(view))) {
    const more = Number(/and (\d+) more sections/.exec(text)?.[1]);
    const shown = new Set(text.match(/Section \d+ /g)).size;
    assert.ok(shown > 0 && shown + more === 30, `${channel}: ${shown} shown + ${more} counted = 30`);
    assert.match(text, /and \d+ more lines/, channel);
  }
  const slack = renderSlack(view);
  const buttons = slack.blocks.flatMap((b) =>
    b.type === 'actions' ? (b.elements as Record<string, unknown>[]) : [],
  );
  assert.ok(buttons.some((b) => b.url === 'https://reconnect.example.test/s/sess-7f3a/handoff.txt'));
});

test('an escalation of 20 findings keeps the newest events and the support buttons', () => {
  const view = long('escalation with 20');
  const text = channels(view);
  for (const [channel, t] of Object.entries(text)) {
    assert.ok(t.includes('Event 59'), `${channel} keeps the newest event`);
    assert.equal(t.includes('Event 0 '), false, `${channel} drops the oldest events`);
  }
  const slack = renderSlack(view);
  const last = slack.blocks[slack.blocks.length - 1];
  assert.equal(last.type, 'actions', 'the buttons survive the block budget');
});
