/**
 * Slack payload → core event rules, on plain objects: which messages count, where a
 * conversation's key comes from, what a click carries, and what is refused.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  conversationOf,
  fromAppMention,
  fromBlockAction,
  fromDirectMessage,
  fromSlashCommand,
  refOf,
  type SlackBlockActions,
} from '../../bot/channels/slack/translate.ts';
import { ActionDataError } from '../../cards/actions.ts';

const common = { deliveryId: 'Ev001', at: '2026-11-27T10:00:00.000Z' };

test('a DM becomes a message event keyed by the DM channel, threads or not', () => {
  const event = fromDirectMessage(
    {
      type: 'message',
      channel: 'D123',
      channel_type: 'im',
      user: 'U1',
      text: '  CAA20004 again ',
      ts: '1.1',
    },
    common,
  );
  assert.deepEqual(event, {
    id: 'slack:Ev001',
    channel: 'slack',
    conversationKey: 'slack:D123',
    conversation: { id: 'D123', ref: { channel: 'D123' }, place: { channelId: 'D123' } },
    actor: { id: 'U1', role: 'user' },
    at: common.at,
    kind: 'message',
    text: 'CAA20004 again',
  });
  const threaded = fromDirectMessage(
    {
      type: 'message',
      channel: 'D123',
      channel_type: 'im',
      user: 'U1',
      text: 'x',
      ts: '1.2',
      thread_ts: '1.1',
    },
    common,
  );
  assert.equal(threaded?.conversationKey, 'slack:D123');
});

test('edits, bot posts and messages outside a DM are not user turns', () => {
  const dm = { type: 'message', channel: 'D123', channel_type: 'im', user: 'U1', text: 'x', ts: '1.1' };
  assert.equal(fromDirectMessage({ ...dm, subtype: 'message_changed' }, common), undefined);
  assert.equal(fromDirectMessage({ ...dm, bot_id: 'B1' }, common), undefined);
  assert.equal(fromDirectMessage({ ...dm, channel: 'C9', channel_type: 'channel' }, common), undefined);
  assert.equal(fromDirectMessage({ ...dm, user: undefined }, common), undefined);
});

test('a mention starts (or continues) a thread; the mention text is dropped', () => {
  const top = fromAppMention(
    { type: 'app_mention', channel: 'C1', user: 'U1', text: '<@UBOT> Teams says CAA20004', ts: '5.5' },
    common,
  );
  assert.equal(top?.conversationKey, 'slack:C1:5.5');
  assert.deepEqual(top?.conversation.ref, { channel: 'C1', threadTs: '5.5' });
  assert.equal(top?.kind === 'message' && top.text, 'Teams says CAA20004');
  const inThread = fromAppMention(
    {
      type: 'app_mention',
      channel: 'C1',
      user: 'U1',
      text: 'hi <@UBOT|reconnect>',
      ts: '6.6',
      thread_ts: '5.5',
    },
    common,
  );
  assert.equal(inThread?.conversationKey, 'slack:C1:5.5');
  assert.equal(inThread?.kind === 'message' && inThread.text, 'hi');
});

test('/reconnect runs in the DM it was given, with the user name Slack sent', () => {
  const event = fromSlashCommand({ user_id: 'U1', user_name: 'ana', text: ' CAA20004 ' }, 'D77', common);
  assert.equal(event.conversationKey, 'slack:D77');
  assert.deepEqual(event.actor, { id: 'U1', name: 'ana', role: 'user' });
  assert.equal(event.kind === 'message' && event.text, 'CAA20004');
});

function click(value: string | undefined, extra: Partial<SlackBlockActions> = {}): SlackBlockActions {
  return {
    type: 'block_actions',
    trigger_id: 't1',
    user: { id: 'U1', username: 'ana' },
    channel: { id: 'D123' },
    container: { channel_id: 'D123', message_ts: '1.1' },
    message: { ts: '1.1' },
    actions: [{ action_id: 'intake.os', ...(value === undefined ? {} : { value }), action_ts: '2.2' }],
    ...extra,
  };
}

test('a button click carries the verb and data of the button', () => {
  const value = JSON.stringify({ verb: 'intake.os', sessionId: 's1', version: 3, value: 'windows' });
  const event = fromBlockAction(click(value), common);
  assert.equal(event?.kind, 'action');
  assert.equal(event?.conversationKey, 'slack:D123');
  assert.deepEqual(event?.kind === 'action' && { verb: event.verb, data: event.data }, {
    verb: 'intake.os',
    data: { sessionId: 's1', version: 3, value: 'windows' },
  });
  assert.deepEqual(event?.actor, { id: 'U1', name: 'ana', role: 'user' });
  const inThread = fromBlockAction(
    click(value, {
      message: { ts: '1.3', thread_ts: '1.1' },
      channel: { id: 'C5' },
      container: { channel_id: 'C5' },
    }),
    common,
  );
  assert.equal(inThread?.conversationKey, 'slack:C5:1.1');
});

test('a link button moves nothing; a value that is not our data is refused by name', () => {
  assert.equal(fromBlockAction(click(undefined), common), undefined);
  assert.throws(() => fromBlockAction(click('not json'), common), ActionDataError);
  assert.throws(
    () =>
      fromBlockAction(click(JSON.stringify({ verb: 'admin.delete', sessionId: 's', version: 1 })), common),
    (e: Error) => e instanceof ActionDataError && /unknown verb "admin\.delete"/.test(e.message),
  );
});

test('refOf rebuilds the post target from the conversation id when no ref was stored', () => {
  assert.deepEqual(refOf({ id: 'C1:5.5' }), { channel: 'C1', threadTs: '5.5' });
  assert.deepEqual(refOf({ id: 'D1' }), { channel: 'D1' });
  assert.deepEqual(refOf(conversationOf('C2', '7.7')), { channel: 'C2', threadTs: '7.7' });
});
