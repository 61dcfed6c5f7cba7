/**
 * Every screen × every channel: render, then check the structure each platform requires, that
 * every channel sends identical action data, and that the key facts reach every channel.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buttonsFor, parseActionData } from '../../cards/actions.ts';
import { watchTitle } from '../../cards/format.ts';
import { ADAPTIVE } from '../../cards/limits.ts';
import { renderSlack } from '../../cards/slack.ts';
import { renderTeams } from '../../cards/teams.ts';
import { renderText } from '../../cards/text.ts';
import type { ActionData, View } from '../../cards/views.ts';
import { SCREENS } from '../../cards/views.ts';
import { renderWebChat } from '../../cards/webchat.ts';
import { allStrings, checkAdaptiveCard, elementsOfType } from './adaptive-schema.ts';
import { VIEWS } from './fixtures.ts';
import { checkSlackMessage } from './slack-schema.ts';

/** Facts a reader of this view must get on any channel. */
function keyFacts(view: View): string[] {
  switch (view.screen) {
    case 'intake':
      return view.errorCode ? [view.errorCode] : ['CAA20004'];
    case 'pairing':
      return view.pairedDevice ? [view.pairedDevice.hostname] : [view.code];
    case 'progress':
      if (view.watch) return [watchTitle(view.watch), `${view.watch.rounds} rounds of checks so far`];
      return [`${view.counts.done} of ${view.counts.total}`, ...view.areas.map((a) => a.label)];
    case 'findings':
      return [
        ...view.findings.flatMap((f) => [f.id, f.evidence[0]]),
        ...(view.watchResult ? [view.watchResult] : []),
      ];
    case 'step':
      return [
        view.title,
        `Step ${view.index} of ${view.total}`,
        ...(view.evidence ? [view.evidence.summary] : []),
      ];
    case 'resolved':
      return [view.summary];
    case 'handoff':
      return view.sections.map((s) => s.title);
    case 'escalated':
      return [view.caseRef];
    case 'escalation':
      return [
        view.caseRef,
        view.user,
        view.errorCode ?? '',
        ...view.findings.map((f) => f.id),
        ...view.steps.map((s) => s.title),
      ];
  }
}

const byJson = (a: ActionData, b: ActionData) => JSON.stringify(a).localeCompare(JSON.stringify(b));
const sorted = (list: ActionData[]) => [...list].sort(byJson);

test('the fixtures cover every screen', () => {
  assert.deepEqual([...new Set(VIEWS.map((v) => v.view.screen))].sort(), [...SCREENS].sort());
});

for (const { name, view } of VIEWS) {
  describe(name, () => {
    const expected = sorted(buttonsFor(view).map((b) => b.data));
    const facts = keyFacts(view);

    test('Teams, universal actions: valid 1.5 card, every bot action an Action.Execute', () => {
      const card = renderTeams(view, { universalActions: true });
      const report = checkAdaptiveCard(card);
      assert.deepEqual(report.errors, []);
      assert.equal(card.type, 'AdaptiveCard');
      assert.equal(card.version, '1.5');
      const bot = report.actions.filter(
        (a) => a.type !== 'Action.OpenUrl' && a.type !== 'Action.ToggleVisibility',
      );
      for (const a of bot) {
        assert.equal(a.type, 'Action.Execute');
        assert.equal(a.verb, (a.data as ActionData).verb);
        const fb = a.fallback as Record<string, unknown>;
        assert.equal(fb.type, 'Action.Submit', 'each Execute carries an Action.Submit fallback');
        assert.deepEqual(fb.data, a.data);
      }
      assert.deepEqual(sorted(bot.map((a) => a.data as ActionData)), expected);
      assert.equal(card.refresh, undefined, 'refresh only when asked for');
    });

    for (const [channel, render] of [
      ['Teams, Action.Submit fallback', (v: View) => renderTeams(v, { universalActions: false })],
      ['web chat', renderWebChat],
    ] as const) {
      test(`${channel}: valid 1.5 card, Action.Submit only, same data`, () => {
        const card = render(view);
        const report = checkAdaptiveCard(card);
        assert.deepEqual(report.errors, []);
        assert.equal(card.version, '1.5');
        assert.equal(JSON.stringify(card).includes('Action.Execute'), false, 'no Action.Execute anywhere');
        const bot = report.actions.filter(
          (a) => a.type !== 'Action.OpenUrl' && a.type !== 'Action.ToggleVisibility',
        );
        for (const a of bot) assert.equal(a.type, 'Action.Submit');
        assert.deepEqual(sorted(bot.map((a) => a.data as ActionData)), expected);
      });
    }

    test('Adaptive Cards: phone rules (wrap, no ColumnSet, size) and the key facts', () => {
      const card = renderTeams(view, { universalActions: true });
      for (const tb of elementsOfType(card, 'TextBlock'))
        assert.equal(tb.wrap, true, `TextBlock "${tb.text}" wraps`);
      assert.deepEqual(elementsOfType(card, 'ColumnSet'), [], 'no ColumnSet on a 390 px screen');
      assert.ok(JSON.stringify(card).length <= ADAPTIVE.maxCardChars);
      const strings = allStrings(card);
      assert.equal(
        strings.some((s) => /\$\{[^}]*\}/.test(s)),
        false,
        'no unexpanded template binding',
      );
      const text = strings.join('\n');
      for (const fact of facts) assert.ok(text.includes(fact), `card shows "${fact}"`);
    });

    test('Slack: within limits, unique action_ids, value is the same data, fallback text', () => {
      const message = renderSlack(view);
      const report = checkSlackMessage(message);
      assert.deepEqual(report.errors, []);
      const bot = report.buttons.filter((b) => b.value !== undefined);
      for (const b of bot) {
        const data = parseActionData(JSON.parse(b.value as string));
        assert.ok(
          (b.action_id as string).startsWith(data.verb),
          `action_id ${b.action_id} names verb ${data.verb}`,
        );
      }
      assert.deepEqual(sorted(bot.map((b) => parseActionData(JSON.parse(b.value as string)))), expected);
      const text = allStrings(message.blocks).join('\n');
      for (const fact of facts) assert.ok(text.includes(fact), `message shows "${fact}"`);
    });

    test('plain text: non-empty, key facts, and a reply for every button', () => {
      const text = renderText(view);
      assert.ok(text.length > 0);
      for (const fact of facts) assert.ok(text.includes(fact), `text shows "${fact}"`);
      for (const b of buttonsFor(view)) assert.ok(text.includes(`"${b.reply}"`), `text offers "${b.reply}"`);
    });
  });
}

test('Teams refresh: only with universal actions, an Action.Execute, at most 60 user ids', () => {
  const view = VIEWS[0].view;
  const users = Array.from({ length: 75 }, (_, i) => `29:user-${i}`);
  const card = renderTeams(view, { universalActions: true, refreshUserIds: users });
  const refresh = card.refresh as { action: Record<string, unknown>; userIds: string[] };
  assert.equal(refresh.action.type, 'Action.Execute');
  assert.equal(refresh.action.verb, 'card.refresh');
  assert.deepEqual(parseActionData(refresh.action.data), {
    verb: 'card.refresh',
    sessionId: view.sessionId,
    version: view.version,
  });
  assert.deepEqual(refresh.userIds, users.slice(0, 60));
  assert.deepEqual(checkAdaptiveCard(card).errors, []);
  assert.equal(renderTeams(view, { universalActions: false, refreshUserIds: users }).refresh, undefined);
});

test('every button carries the version the view was rendered at', () => {
  for (const { view } of VIEWS)
    for (const b of buttonsFor(view)) {
      assert.equal(b.data.version, view.version);
      assert.equal(b.data.sessionId, view.sessionId);
      if (view.screen === 'step') assert.equal(b.data.stepId, view.stepId);
    }
});
