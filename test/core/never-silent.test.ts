/**
 * Issue 14, "Never silent": a card changed in place (Skip, Still failing, a pasted output's
 * verdict, an agent's re-check, a paired computer) always comes with a short new line at the
 * bottom saying what changed and what is next; intake taps and replays add none; a check in
 * progress has a way out and a time limit, and past it the step shows as to do again.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { transition } from '../../bot/core/transition.ts';
import type { Effect } from '../../bot/core/types.ts';
import { viewFor } from '../../bot/core/views.ts';
import { buttonsFor } from '../../cards/actions.ts';
import type { StepView } from '../../cards/views.ts';
import { PLAYBOOKS } from './fake-channel.ts';
import { deps, ev, NOW, Walk } from './walk.ts';

const paste = (name: string) => readFileSync(new URL(`../fixtures/paste/${name}`, import.meta.url), 'utf8');
const lastText = (w: Walk) => {
  const v = w.views.at(-1);
  assert.ok(v?.screen === 'notice', `the last message is a line at the bottom, not ${v?.screen}`);
  return v.text;
};

test('Skip and Still failing: the card changes above, a line at the bottom names the next step', () => {
  const w = new Walk().say('Teams says CAA82EE7 on windows at home');
  w.press('Skip');
  const card = w.card() as StepView;
  assert.equal(
    lastText(w),
    `Next, step ${card.index} of ${card.total}: "${card.title}". It is on the card above.`,
  );
  w.press('Still failing');
  assert.match(lastText(w), /did not fix it\. Next: "/);
});

test('a pasted output that verifies the step on screen: the result comes at the bottom', () => {
  const w = new Walk().say('Teams says CAA82EE7 on windows at home');
  while ((w.card() as StepView).stepId !== 'flush-dns-cache') assert.ok(w.press('Skip'));
  w.say(paste('nslookup-windows-nxdomain.txt'));
  w.press('Show me the fix');
  w.press('Done — check again');
  const checking = w.card() as StepView;
  assert.equal(checking.status, 'checking');
  assert.deepEqual(
    buttonsFor(checking).map((b) => b.label),
    ['Skip', 'Escalate'],
    'a way out while waiting',
  );
  assert.equal(checking.checkBy, 'paste');
  assert.ok(checking.checkUntil && Date.parse(checking.checkUntil) > Date.parse(NOW), 'a time limit');
  w.say(paste('nslookup-windows-ok.txt'));
  // The fix resolved the case: the news comes as a new card at the bottom, not only above.
  assert.equal(w.views.at(-1)?.screen, 'resolved');
  assert.equal((w.views.at(-2) as StepView).status, 'verified', 'the step card above shows it verified');
});

test('a check past its time limit shows as to do again, with why, instead of "Checking…" forever', () => {
  const w = new Walk().say('Teams says CAA82EE7 on windows at home');
  w.press('Done — check again');
  assert.equal((w.card() as StepView).status, 'checking');
  const late = new Date(Date.parse(NOW) + 11 * 60_000).toISOString();
  const view = viewFor(w.session, { playbooks: PLAYBOOKS, now: late });
  assert.ok(view.screen === 'step');
  assert.equal(view.status, 'pending');
  assert.match(view.evidence?.summary ?? '', /no answer in time/);
  assert.ok(
    buttonsFor(view).some((b) => b.label === 'Done — check again'),
    'the step can be checked again',
  );
  const early = viewFor(w.session, {
    playbooks: PLAYBOOKS,
    now: new Date(Date.parse(NOW) + 9 * 60_000).toISOString(),
  });
  assert.ok(early.screen === 'step' && early.status === 'checking', 'still waiting inside the limit');
});

test('an agent re-check and a paired computer also say so at the bottom', () => {
  const w = new Walk().say('Teams says CAA82EE7 on windows at home');
  const s = { ...w.session, state: 'pairing' as const, pairing: { code: '7K3M9QXT4H', expiresAt: NOW } };
  const paired = transition(
    s,
    ev({
      kind: 'paired',
      actor: { id: 'agent-1', role: 'agent' },
      device: { hostname: 'LAPTOP-42', os: 'Windows 11' },
    }),
    deps,
  );
  const said = (effects: Effect[]) =>
    effects.flatMap((e) => (e.type === 'send' && e.view.screen === 'notice' ? [e.view.text] : []));
  assert.deepEqual(said(paired.effects), [
    'A computer connected: LAPTOP-42. Is it yours? Answer on the card above.',
  ]);
});

test('intake taps and replays add no line', () => {
  const w = new Walk().say('Teams says CAA82EE7');
  const before = w.views.length;
  w.press('Windows');
  assert.equal(w.views.length, before + 1, 'only the intake card update');
  assert.equal(w.views.at(-1)?.screen, 'intake');
  const event = ev({ id: 'again', kind: 'message', text: 'home' });
  const once = transition(w.session, event, deps);
  const twice = transition(once.session, event, deps);
  assert.deepEqual(twice.effects, [], 'a replay says nothing');
});
