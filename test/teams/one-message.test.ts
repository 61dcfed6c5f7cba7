/**
 * The first Teams turn costs one call to the Bot Connector: the intake card and what the error
 * code means travel as one message (text above the card), and updating that card in place keeps
 * the text, since an update replaces the whole message.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createEngine } from '../../bot/core/engine.ts';
import { loadBuiltinPlaybooks } from '../../bot/playbooks/load.ts';
import type { ConnectorRecord } from '../lab/bot-connector.ts';
import { executeActivity, messageActivity } from './activities.ts';
import { startTeamsLab, type TeamsLab } from './harness.ts';
import { guardNetwork, type NetGuard } from './net-guard.ts';

const APP_ID = '33333333-4444-4555-8666-777777777777';
const CARD = 'application/vnd.microsoft.card.adaptive';
type Card = Record<string, unknown>;

const cardOf = (record: ConnectorRecord): Card | undefined =>
  (record.body.attachments as { contentType: string; content: Card }[] | undefined)?.find(
    (a) => a.contentType === CARD,
  )?.content;

/** The data of the card's Action.Execute for `verb` and `value`, as a click sends it. */
function executeData(node: unknown, verb: string, value: string): Record<string, unknown> | undefined {
  if (typeof node !== 'object' || node === null) return undefined;
  const o = node as Record<string, unknown>;
  const data = o.data as Record<string, unknown> | undefined;
  if (o.type === 'Action.Execute' && data?.verb === verb && data.value === value) return data;
  for (const child of Object.values(o)) {
    const found = executeData(child, verb, value);
    if (found) return found;
  }
  return undefined;
}

let guard: NetGuard;
let lab: TeamsLab;

before(async () => {
  guard = guardNetwork();
  const playbooks = await loadBuiltinPlaybooks();
  lab = await startTeamsLab({
    appId: APP_ID,
    core: (port, store) => createEngine({ store, port, playbooks, clock: Date.now }),
  });
});
after(async () => {
  await lab?.close();
  guard.release();
});

test('"Teams says CAA20004": one reply carrying the meaning and the intake card; the update keeps the meaning', async () => {
  const o = { serviceUrl: lab.connector.url, appId: APP_ID, conversationId: 'a:one-message' };
  assert.equal((await lab.post(messageActivity('Teams says CAA20004', o))).status, 200);
  const sent = lab.connector.records.filter((r) => r.conversationId === o.conversationId);
  assert.equal(sent.length, 1, 'one call to the connector for the whole turn');
  const [message] = sent;
  assert.equal(message.op, 'reply');
  assert.match(String(message.body.text), /^CAA20004: /);
  assert.equal(message.body.textFormat, 'markdown');
  const card = cardOf(message);
  assert.ok(card, 'the intake card is in the same message');

  const data = executeData(card, 'intake.os', 'windows');
  assert.ok(data, 'the card offers Windows');
  const mark = lab.connector.records.length;
  const click = await lab.post(executeActivity(data, message.activityId!, o));
  assert.equal(click.status, 200);
  const [put] = lab.connector.records.slice(mark).filter((r) => r.op === 'update');
  assert.equal(put.activityId, message.activityId);
  assert.equal(put.body.text, message.body.text, 'the meaning stays above the updated card');
  assert.match(JSON.stringify(cardOf(put)), /✓ Windows/);
});

test('nothing tried to leave loopback', () => {
  assert.deepEqual(guard.refused, []);
});
