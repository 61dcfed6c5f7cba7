/**
 * Issue 14, "Fast taps and returns": a second tap on the same button of the same card moments
 * later is ignored quietly (no second Skip, no "out of date"); later, or on another button, the
 * usual rules hold; coming back to an expired pairing card shows it expired with a new code offered.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DOUBLE_TAP_MS } from '../../bot/core/actions.ts';
import { transition } from '../../bot/core/transition.ts';
import type { CoreEvent, Session } from '../../bot/core/types.ts';
import { buttonsFor } from '../../cards/actions.ts';
import type { StepView, View } from '../../cards/views.ts';
import { deps, ev, NOW, Walk } from './walk.ts';

let n = 0;
function tap(view: View, label: string, at: string): CoreEvent {
  const b = buttonsFor(view).find((x) => x.label === label);
  assert.ok(b, label);
  const { verb, ...data } = b.data;
  return ev({ id: `tap-${++n}`, at, kind: 'action', verb, data });
}
const later = (ms: number) => new Date(Date.parse(NOW) + ms).toISOString();

test('a double tap on Skip skips one step, quietly', () => {
  const w = new Walk().say('Teams says CAA82EE7 on windows at home');
  const card = w.card() as StepView;
  const first = transition(w.session, tap(card, 'Skip', later(0)), deps);
  const second = transition(first.session, tap(card, 'Skip', later(400)), deps);
  assert.deepEqual(second.effects, [], 'nothing said, nothing moved');
  assert.equal(second.session, first.session);
  assert.equal(first.session.stepIndex, 1);
  assert.equal(first.session.plan.filter((p) => p.status === 'skipped').length, 1);
});

test('the same old button much later, or another old button, still says the card is out of date', () => {
  const w = new Walk().say('Teams says CAA82EE7 on windows at home');
  const card = w.card() as StepView;
  const first = transition(w.session, tap(card, 'Skip', later(0)), deps);
  const late = transition(first.session, tap(card, 'Skip', later(DOUBLE_TAP_MS + 1000)), deps);
  assert.ok(
    late.effects.some(
      (e) => e.type === 'send' && e.view.screen === 'notice' && /out of date/.test(e.view.text),
    ),
  );
  const other = transition(first.session, tap(card, 'Still failing', later(300)), deps);
  assert.ok(
    other.effects.some(
      (e) => e.type === 'send' && e.view.screen === 'notice' && /out of date/.test(e.view.text),
    ),
  );
});

test('two different intake buttons tapped fast both count (only the same button is a double tap)', () => {
  const w = new Walk().say('Teams says CAA82EE7');
  const card = w.card() as View;
  const a = transition(w.session, tap(card, 'Windows', later(0)), deps);
  const b = transition(a.session, tap(card, 'Home', later(200)), deps);
  assert.equal(b.session.os, 'windows');
  assert.equal(b.session.where, 'home');
  assert.equal(b.session.state, 'step');
});

test('coming back to an expired pairing card: it says expired, offers a new code, and one tap gets it', () => {
  const w = new Walk().say('Teams says CAA82EE7 on windows at home');
  const s: Session = {
    ...w.session,
    state: 'pairing',
    pairing: { code: '7K3M9QXT4H', expiresAt: later(10 * 60_000) },
  };
  const back = transition(
    s,
    ev({ id: 'back', at: later(11 * 60_000), kind: 'message', text: 'hello? I am back' }),
    { ...deps, now: later(11 * 60_000), agents: true },
  );
  const card = back.effects.find((e) => e.type === 'update');
  assert.ok(card?.type === 'update' && card.view.screen === 'pairing' && card.view.expired === true);
  assert.deepEqual(
    buttonsFor(card.view).map((b) => b.label),
    ['Get a new code', 'No computer access? Continue manually'],
  );
  const said = back.effects.find((e) => e.type === 'send');
  assert.ok(said?.type === 'send' && said.view.screen === 'notice');
  assert.match(said.view.text, /7K3M9QXT4H has expired.*"Get a new code"/);
  const renewed = transition(s, tap(card.view, 'Get a new code', later(11 * 60_000 + 1000)), {
    ...deps,
    now: later(11 * 60_000 + 1000),
    agents: true,
    pairingCode: { code: 'NEWC0DE123', expiresAt: later(21 * 60_000) },
  });
  assert.equal(renewed.session.pairing?.code, 'NEWC0DE123');
});
