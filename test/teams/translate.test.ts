/**
 * Teams activity → core event, on the shapes Teams delivers: typed text (with the bot's
 * @mention in channels), an Action.Submit click, an Action.Execute invoke. Dedupe ids are stable
 * per activity and distinct across conversations.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Activity } from 'botbuilder';
import { eventId, invokeEvent, messageEvent, TeamsInputError } from '../../bot/channels/teams/translate.ts';
import { ADA, executeActivity, messageActivity, submitActivity } from './activities.ts';

const SERVICE = 'http://127.0.0.1:9/';
const opts = { serviceUrl: SERVICE, appId: 'app' };
const asActivity = (a: Record<string, unknown>) => a as unknown as Partial<Activity>;
const data = { verb: 'step.recheck', sessionId: 'sess-1', version: 4, stepId: 'flush-dns-cache' };

describe('Teams translation', () => {
  test('a typed message becomes a message event with the conversation reference', () => {
    const activity = messageActivity('  Teams says CAA20004 ', { ...opts, id: '1700000000001' });
    const event = messageEvent(asActivity(activity));
    assert.ok(event && event.kind === 'message');
    assert.equal(event.text, 'Teams says CAA20004');
    assert.equal(event.id, 'teams:a:lab-personal-ada:1700000000001');
    assert.equal(event.conversationKey, 'teams:a:lab-personal-ada');
    assert.equal(event.channel, 'teams');
    assert.deepEqual(event.actor, { id: ADA.id, name: ADA.name, role: 'user' });
    const ref = event.conversation.ref as {
      serviceUrl: string;
      conversation: { id: string };
      bot: { id: string };
    };
    assert.equal(ref.serviceUrl, SERVICE);
    assert.equal(ref.conversation.id, 'a:lab-personal-ada');
    assert.equal(ref.bot.id, '28:app');
    assert.equal(event.at, activity.timestamp);
  });

  test("the bot's @mention is removed from channel messages", () => {
    const activity = {
      ...messageActivity('<at>Reconnect</at> proxy blocks Teams', opts),
      entities: [
        { type: 'mention', text: '<at>Reconnect</at>', mentioned: { id: '28:app', name: 'Reconnect' } },
      ],
    };
    const event = messageEvent(asActivity(activity));
    assert.equal(event?.kind === 'message' && event.text, 'proxy blocks Teams');
  });

  test('an empty message is nothing for the core', () => {
    assert.equal(messageEvent(asActivity(messageActivity('   ', opts))), undefined);
  });

  test('an Action.Submit click becomes an action event carrying the card data', () => {
    const event = messageEvent(asActivity(submitActivity(data, 'lab-7', opts)));
    assert.ok(event && event.kind === 'action');
    assert.equal(event.verb, 'step.recheck');
    assert.deepEqual(event.data, { sessionId: 'sess-1', version: 4, stepId: 'flush-dns-cache' });
  });

  test('an Action.Execute invoke becomes the same action event', () => {
    const event = invokeEvent(asActivity(executeActivity(data, 'lab-7', opts)));
    assert.ok(event.kind === 'action');
    assert.equal(event.verb, 'step.recheck');
    assert.deepEqual(event.data, { sessionId: 'sess-1', version: 4, stepId: 'flush-dns-cache' });
  });

  test('card data that is not ours is refused with invalid_action_data', () => {
    const bad = submitActivity({ verb: 'rm -rf', sessionId: 'x', version: 1 }, 'lab-7', opts);
    assert.throws(
      () => messageEvent(asActivity(bad)),
      (e: Error) =>
        e instanceof TeamsInputError && e.code === 'invalid_action_data' && /unknown verb/.test(e.message),
    );
    const submitInInvoke = executeActivity(data, 'lab-7', opts);
    (submitInInvoke.value.action as { type: string }).type = 'Action.Submit';
    assert.throws(
      () => invokeEvent(asActivity(submitInInvoke)),
      (e: Error) => e instanceof TeamsInputError,
    );
  });

  test('dedupe ids: a retry keeps its id, the same id in another conversation does not collide', () => {
    const first = messageActivity('hi', { ...opts, id: '1700000000002' });
    const retry = messageActivity('hi', { ...opts, id: '1700000000002' });
    const elsewhere = messageActivity('hi', {
      ...opts,
      id: '1700000000002',
      conversationId: 'a:lab-personal-bob',
    });
    assert.equal(eventId(asActivity(first)), eventId(asActivity(retry)));
    assert.notEqual(eventId(asActivity(first)), eventId(asActivity(elsewhere)));
    assert.throws(() => eventId({ conversation: { id: 'c' } as never }), TeamsInputError);
  });
});
