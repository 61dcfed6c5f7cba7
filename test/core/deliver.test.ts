/**
 * Delivery with channels that combine a new live card and the notices next to it into one
 * message (ChannelPort.sendCard): which effects combine, what the session records so an update
 * keeps the notices, and the fallback for channels (or moments) that do not combine.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cardRun } from '../../bot/core/deliver.ts';
import type { Effect, NoticeView, Session, View } from '../../bot/core/types.ts';
import { chat, FakeChannel } from './fake-channel.ts';

const notice = (text: string): NoticeView => ({
  screen: 'notice',
  sessionId: 's',
  version: 1,
  tone: 'info',
  text,
});
const card: View = { screen: 'escalated', sessionId: 's', version: 1, caseRef: 'RC-1' };
const send = (view: View | NoticeView, live = false): Effect => ({ type: 'send', view, live });

test('cardRun: one live card and its neighbouring notices; nothing else combines', () => {
  assert.equal(cardRun([send(card, true), send(notice('a'))], 0), 2);
  assert.equal(cardRun([send(notice('a')), send(card, true), send(notice('b'))], 0), 3);
  assert.equal(cardRun([send(card, true)], 0), 0, 'a card alone is an ordinary send');
  assert.equal(cardRun([send(notice('a')), send(notice('b'))], 0), 0, 'no card, nothing to combine with');
  assert.equal(cardRun([send(card), send(notice('a'))], 0), 0, 'only the live card');
  assert.equal(cardRun([send(card, true), send(card, true), send(notice('a'))], 0), 0);
  assert.equal(cardRun([send(card, true), send(card, true), send(notice('a'))], 1), 2);
  const update: Effect = { type: 'update', view: card };
  assert.equal(cardRun([send(notice('a')), update, send(card, true), send(notice('b'))], 0), 0);
  assert.equal(cardRun([send(notice('a')), update, send(card, true), send(notice('b'))], 2), 2);
});

/** A channel whose messages carry text above a card; it records what each update would keep. */
class CombiningChannel extends FakeChannel {
  readonly combined: Array<{ id: string; screen: string; notices: string[] }> = [];
  readonly kept: Array<{ id: string; notices: string[] }> = [];
  answer: 'combine' | 'decline' | 'fail' = 'combine';

  async sendCard(session: Session, view: View, notices: NoticeView[]): Promise<string | undefined> {
    if (this.answer === 'decline') return undefined;
    if (this.answer === 'fail') throw new Error('connector answered 502');
    const id = await this.send(session, view);
    this.combined.push({ id, screen: view.screen, notices: notices.map((n) => n.text) });
    return id;
  }

  override async update(session: Session, activityId: string, view: View): Promise<void> {
    if (activityId === session.cardActivityId)
      this.kept.push({ id: activityId, notices: (session.cardNotices ?? []).map((n) => n.text) });
    await super.update(session, activityId, view);
  }
}

test('the first turn is one message: the intake card with what the code means; updates keep it', async () => {
  const port = new CombiningChannel();
  const c = chat({ port });
  await c.say('Teams says CAA20004');
  assert.equal(port.log.length, 1, 'one message for the card and the notice');
  assert.equal(port.combined.length, 1);
  assert.equal(port.combined[0].screen, 'intake');
  assert.match(port.combined[0].notices[0], /^CAA20004: /);
  const s = await c.session();
  assert.equal(s.cardActivityId, port.combined[0].id);
  assert.match(s.cardNotices?.[0].text ?? '', /^CAA20004: /);

  await c.engine.handle(c.click('Windows', { view: port.card('intake').view }));
  assert.deepEqual(port.kept.at(-1), { id: port.combined[0].id, notices: port.combined[0].notices });

  // Intake done: the old card is updated, the first step comes with the manual-path tip.
  await c.engine.handle(c.click('Home', { view: port.card('intake').view }));
  const step = port.combined.at(-1);
  assert.equal(step?.screen, 'step');
  assert.match(step?.notices.join(' ') ?? '', /No agent needed/);
  const after = await c.session();
  assert.equal(after.cardActivityId, step?.id);
  assert.deepEqual(
    after.cardNotices?.map((n) => n.text),
    step?.notices,
    'the live card is the step card now, with its own notices',
  );
});

test('a channel that declines sends the card, then the notice, as before', async () => {
  const port = new CombiningChannel();
  port.answer = 'decline';
  const c = chat({ port });
  await c.say('Teams says CAA20004');
  assert.deepEqual(
    port.log.map((l) => [l.op, l.view.screen]),
    [
      ['send', 'intake'],
      ['send', 'notice'],
    ],
  );
  const s = await c.session();
  assert.equal(s.cardActivityId, port.log[0].id);
  assert.equal(s.cardNotices, undefined);
});

test('a failed combined send fails each of its effects, audited; the session is saved regardless', async () => {
  const port = new CombiningChannel();
  port.answer = 'fail';
  const c = chat({ port });
  const r = await c.say('Teams says CAA20004');
  assert.equal(r.outcome, 'applied');
  assert.deepEqual(
    r.failures.map((f) => [f.effect.type, f.error]),
    [
      ['send', 'connector answered 502'],
      ['send', 'connector answered 502'],
    ],
  );
  const s = await c.session();
  assert.equal(s.state, 'intake');
  const audit = await c.store.audit.list(s.id);
  assert.equal(audit.filter((a) => a.kind === 'delivery_failed').length, 2);
});
