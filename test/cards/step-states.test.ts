/**
 * The step card's five states render distinctly on every channel: pending offers the buttons,
 * checking replaces them by "Checking…", verified shows the evidence.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buttonsFor } from '../../cards/actions.ts';
import { checkingLine } from '../../cards/format.ts';
import { renderSlack } from '../../cards/slack.ts';
import { renderTeams } from '../../cards/teams.ts';
import { renderText } from '../../cards/text.ts';
import type { StepStatus } from '../../cards/views.ts';
import { renderWebChat } from '../../cards/webchat.ts';
import { allStrings, checkAdaptiveCard } from './adaptive-schema.ts';
import { stepView } from './fixtures.ts';

const STATES: StepStatus[] = ['pending', 'checking', 'verified', 'failed', 'skipped'];

function botActions(card: Record<string, unknown>) {
  return checkAdaptiveCard(card).actions.filter(
    (a) => a.type === 'Action.Execute' || a.type === 'Action.Submit',
  );
}

function slackButtons(status: StepStatus) {
  return renderSlack(stepView(status)).blocks.flatMap((b) =>
    b.type === 'actions' ? (b.elements as Record<string, unknown>[]) : [],
  );
}

test('pending: the four buttons, "Done — check again" first and primary', () => {
  const card = renderTeams(stepView('pending'), { universalActions: true });
  const titles = botActions(card).map((a) => a.title);
  assert.deepEqual(titles, ['Done — check again', 'Still failing', 'Skip', 'Escalate']);
  assert.deepEqual(
    botActions(card).map((a) => a.verb),
    ['step.recheck', 'step.failed', 'step.skip', 'case.escalate'],
  );
  assert.equal(botActions(card)[0].style, 'positive');
  assert.deepEqual(
    slackButtons('pending').map((b) => b.action_id),
    ['step.recheck', 'step.failed', 'step.skip', 'case.escalate'],
  );
  assert.equal(allStrings(card).join('\n').includes('Checking on the computer'), false);
});

test('checking: a way out (Skip, Escalate) and a time limit on every channel, never "Checking…" alone', () => {
  const view = { ...stepView('checking'), checkUntil: '2026-11-27T10:55:00.000Z', checkBy: 'paste' as const };
  const line = checkingLine(view);
  assert.equal(line, 'Waiting for the pasted output until 10:55 UTC. Not now? Skip or Escalate below.');
  assert.deepEqual(
    buttonsFor(view).map((b) => b.data.verb),
    ['step.skip', 'case.escalate'],
  );
  for (const card of [renderTeams(view, { universalActions: true }), renderWebChat(view)]) {
    assert.deepEqual(
      botActions(card).map((a) => a.verb ?? (a.data as { verb: string }).verb),
      ['step.skip', 'case.escalate'],
    );
    assert.ok(allStrings(card).includes(line));
  }
  assert.deepEqual(
    slackButtons('checking').map((b) => b.action_id),
    ['step.skip', 'case.escalate'],
  );
  assert.ok(allStrings(renderSlack(view).blocks).some((s) => s.includes(line)));
  assert.ok(renderText(view).includes(line));
  assert.match(renderText(view), /Reply "skip", "escalate"/);
});

test('verified: shows the evidence and offers the next step, not the re-check', () => {
  const view = stepView('verified');
  const card = renderTeams(view, { universalActions: true });
  const strings = allStrings(card).join('\n');
  assert.ok(strings.includes('login.microsoftonline.com now resolves to Microsoft addresses.'));
  assert.ok(strings.includes('dns:login.microsoftonline.com: '), 'the probe that proved it');
  assert.ok(
    strings.includes('Checked at {{TIME(2026-11-27T10:45:02Z)}}.'),
    'when it was checked, in local time',
  );
  assert.deepEqual(
    botActions(card).map((a) => a.verb),
    ['step.next'],
  );
  assert.ok(renderText(view).includes('Latest check: login.microsoftonline.com now resolves'));
  assert.ok(
    allStrings(renderSlack(view).blocks).some((s) => s.includes('<!date^1795776302^{time}|10:45 UTC>')),
  );
});

test('the last step, verified, has no "Next step"', () => {
  assert.deepEqual(buttonsFor(stepView('verified', { index: 4, total: 4 })), []);
});

test('failed: shows the failing evidence and offers the buttons again', () => {
  const view = stepView('failed');
  const card = renderTeams(view, { universalActions: false });
  assert.ok(allStrings(card).join('\n').includes('still resolves to 10.0.0.1'));
  assert.equal(botActions(card).length, 4);
});

test('admin steps offer the text for the IT admin', () => {
  const view = stepView('pending', { who: 'admin' });
  assert.ok(buttonsFor(view).some((b) => b.data.verb === 'handoff.show'));
  assert.ok(renderText(view).includes('Your IT admin needs to do this.'));
});

test('each state renders differently on every channel', () => {
  const renders = {
    teams: (s: StepStatus) => JSON.stringify(renderTeams(stepView(s), { universalActions: true })),
    webchat: (s: StepStatus) => JSON.stringify(renderWebChat(stepView(s))),
    slack: (s: StepStatus) => JSON.stringify(renderSlack(stepView(s))),
    text: (s: StepStatus) => renderText(stepView(s)),
  };
  for (const [channel, render] of Object.entries(renders)) {
    const outputs = STATES.map(render);
    assert.equal(new Set(outputs).size, STATES.length, `${channel}: five different renderings`);
  }
});

test("the user's OS comes first, the others fold away behind a toggle", () => {
  const card = renderTeams(stepView('pending', { os: 'macos' }), { universalActions: true });
  const platforms = checkAdaptiveCard(card).ids.filter((id) => id.startsWith('plat-'));
  assert.deepEqual(platforms, ['plat-macos', 'plat-phone', 'plat-windows', 'plat-linux']);
  const json = JSON.stringify(card);
  assert.ok(json.indexOf('"plat-macos","isVisible":true') > 0, 'macOS open');
  for (const other of ['plat-windows', 'plat-linux', 'plat-phone'])
    assert.ok(json.includes(`"${other}","isVisible":false`), `${other} folded`);
  assert.ok(json.includes('"title":"Other computer: Windows"'), 'another OS only behind "Other computer"');
  const text = renderText(stepView('pending', { os: 'linux' }));
  assert.ok(text.includes('Linux:'));
  assert.ok(!text.includes('Windows:'), 'text clients get no other OS (they cannot fold it)');
});
