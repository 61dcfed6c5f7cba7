/**
 * The web chat's translation to and from the core, and the port router, on plain objects:
 * which Direct Line activities become which core events (text, Action.Submit clicks, junk), how
 * views become activities, and that each session's views go to its own channel's port.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ADAPTIVE_CARD_TYPE,
  activityForView,
  eventFromActivity,
  WebChatInputError,
} from '../../bot/channels/directline/core-bridge.ts';
import type { Activity } from '../../bot/channels/directline/types.ts';
import { ChannelNotConfiguredError, createPortRouter } from '../../bot/channels/port-router.ts';
import type { ChannelPort, NoticeView, OutboundView, Session, View } from '../../bot/core/types.ts';

const user = { id: 'dl_amira', name: 'Amira', role: 'user' as const };
const activity = (fields: Partial<Activity>): Activity => ({
  type: 'message',
  id: 'conv1|a1',
  timestamp: '2026-11-27T10:00:00.000Z',
  from: user,
  ...fields,
});

test('typed text becomes a message event keyed by the activity id, from the token user', () => {
  assert.deepEqual(eventFromActivity('conv1', activity({ text: '  Teams says CAA20004 ' })), {
    id: 'webchat:conv1|a1',
    conversationKey: 'webchat:conv1',
    channel: 'webchat',
    conversation: { id: 'conv1' },
    actor: { id: 'dl_amira', name: 'Amira', role: 'user' },
    at: '2026-11-27T10:00:00.000Z',
    kind: 'message',
    text: 'Teams says CAA20004',
  });
});

test("an Action.Submit click becomes an action with the card's verb and data, nothing else kept", () => {
  const event = eventFromActivity(
    'conv1',
    activity({ value: { verb: 'intake.os', sessionId: 's1', version: 3, value: 'windows', extra: 'x' } }),
  );
  assert.equal(event?.kind, 'action');
  assert.ok(event?.kind === 'action');
  assert.equal(event.verb, 'intake.os');
  assert.deepEqual(event.data, { sessionId: 's1', version: 3, value: 'windows' });
});

test('a click with data that is not ours throws WebChatInputError naming the field', () => {
  assert.throws(
    () =>
      eventFromActivity('conv1', activity({ value: { verb: 'format.disk', sessionId: 's1', version: 1 } })),
    (error: unknown) =>
      error instanceof WebChatInputError && /unknown verb "format\.disk"/.test(error.message),
  );
  assert.throws(
    () => eventFromActivity('conv1', activity({ value: { verb: 'step.skip', sessionId: 's1' } })),
    (error: unknown) => error instanceof WebChatInputError && /"version"/.test(error.message),
  );
});

test('empty messages, events and typing are not for the core', () => {
  assert.equal(eventFromActivity('conv1', activity({ text: '   ' })), undefined);
  assert.equal(eventFromActivity('conv1', activity({ type: 'event', name: 'x' })), undefined);
  assert.equal(eventFromActivity('conv1', activity({ type: 'typing' })), undefined);
});

test('a notice is markdown (a list, copyable code); a screen is one Adaptive Card with Action.Submit only', () => {
  const notice: NoticeView = {
    screen: 'notice',
    sessionId: 's1',
    version: 1,
    tone: 'info',
    text: 'Sorry, I did not understand that.',
    accepts: ['the error code'],
  };
  assert.deepEqual(activityForView(notice), {
    type: 'message',
    text: 'Sorry, I did not understand that.\n\nYou can send:\n\n- the error code',
    textFormat: 'markdown',
  });
  const intake: View = { screen: 'intake', sessionId: 's1', version: 2, errorCode: 'CAA20004' };
  const card = activityForView(intake);
  assert.equal(card.attachments?.length, 1);
  assert.equal(card.attachments?.[0].contentType, ADAPTIVE_CARD_TYPE);
  const json = JSON.stringify(card.attachments?.[0].content);
  assert.match(json, /"Action\.Submit"/);
  assert.doesNotMatch(json, /Action\.Execute/, 'Web Chat cannot run Action.Execute');
});

/** A port that records what it was asked to do, under its name. */
function recording(name: string, log: string[]): ChannelPort {
  return {
    send: async (session) => {
      log.push(`${name}.send ${session.id}`);
      return `${name}-1`;
    },
    update: async (session, id) => void log.push(`${name}.update ${session.id} ${id}`),
  };
}

test("the router sends each session's views to its own channel, and names what is missing", async () => {
  const log: string[] = [];
  const router = createPortRouter({ webchat: recording('webchat', log), slack: recording('slack', log) });
  const session = (id: string, channel: Session['channel']) => ({ id, channel }) as Session;
  const view = { screen: 'notice' } as OutboundView;
  assert.equal(await router.send(session('a', 'webchat'), view), 'webchat-1');
  assert.equal(await router.send(session('b', 'slack'), view), 'slack-1');
  await router.update(session('b', 'slack'), 'ts-9', view as View);
  assert.deepEqual(log, ['webchat.send a', 'slack.send b', 'slack.update b ts-9']);
  await assert.rejects(
    router.send(session('c', 'teams'), view),
    (error: unknown) =>
      error instanceof ChannelNotConfiguredError && /session c is on channel "teams"/.test(error.message),
  );
});
