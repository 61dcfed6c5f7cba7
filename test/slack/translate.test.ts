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
  fromRegisterCommand,
  fromSlashCommand,
  fromThreadReply,
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

test('a reply in a channel thread is a threadReply keyed by the message; DMs, top-level posts and mentions of the bot are not', () => {
  const reply = {
    type: 'message',
    channel: 'C0SUPPORT1',
    channel_type: 'channel',
    user: 'U9',
    text: ' Does a proxy prompt show? ',
    ts: '1700009000.000002',
    thread_ts: '1700009000.000001',
  };
  assert.deepEqual(fromThreadReply(reply, common, 'UBOT'), {
    id: 'slack:msg:C0SUPPORT1:1700009000.000002',
    channel: 'slack',
    conversationKey: 'slack:C0SUPPORT1:1700009000.000001',
    conversation: {
      id: 'C0SUPPORT1:1700009000.000001',
      ref: { channel: 'C0SUPPORT1', threadTs: '1700009000.000001' },
      place: { channelId: 'C0SUPPORT1', threadId: '1700009000.000001' },
    },
    actor: { id: 'U9', role: 'user' },
    at: common.at,
    kind: 'threadReply',
    text: 'Does a proxy prompt show?',
  });
  assert.equal(fromThreadReply({ ...reply, channel: 'D1', channel_type: 'im' }, common, 'UBOT'), undefined);
  assert.equal(fromThreadReply({ ...reply, thread_ts: undefined }, common, 'UBOT'), undefined);
  assert.equal(fromThreadReply({ ...reply, thread_ts: reply.ts }, common, 'UBOT'), undefined);
  assert.equal(fromThreadReply({ ...reply, bot_id: 'B1' }, common, 'UBOT'), undefined);
  // A mention comes again as app_mention, which carries it: this copy is dropped.
  assert.equal(fromThreadReply({ ...reply, text: '<@UBOT> rerun please' }, common, 'UBOT'), undefined);
  assert.equal(fromThreadReply({ ...reply, text: '<@UOTHER> look' }, common, 'UBOT')?.kind, 'threadReply');
});

test('"support here" is a supportRegister event: by mention in a channel (confirmed in its thread) or by /reconnect', () => {
  const mention = {
    type: 'app_mention',
    channel: 'C0SUPPORT1',
    user: 'U9',
    text: '<@UBOT> support here',
    ts: '5.5',
  };
  const registered = fromAppMention(mention, common);
  assert.equal(registered?.kind, 'supportRegister');
  assert.ok(registered?.kind === 'supportRegister' && registered.confirm === 'thread');
  assert.deepEqual(registered?.conversation.place, { channelId: 'C0SUPPORT1', threadId: '5.5' });
  // Other words, and the same words in a DM, stay messages.
  assert.equal(fromAppMention({ ...mention, text: '<@UBOT> support is slow' }, common)?.kind, 'message');
  assert.equal(fromAppMention({ ...mention, channel: 'D1' }, common)?.kind, 'message');

  const slash = fromRegisterCommand({ user_id: 'U9', user_name: 'lead', channel_id: 'C0SUPPORT1' }, common);
  assert.equal(slash.kind, 'supportRegister');
  assert.ok(slash.kind === 'supportRegister' && slash.confirm === 'reply');
  assert.deepEqual(slash.conversation.place, { channelId: 'C0SUPPORT1' });
  assert.deepEqual(slash.actor, { id: 'U9', name: 'lead', role: 'user' });
});
