/**
 * Signed but malformed Slack deliveries (issue 16, defect 5): null or mistyped channel, user and
 * text, block_actions without a user, shortcuts and other interaction types the bot has no
 * listener for. Slack signed them, so the signature passes; each must still answer 4xx (a shape
 * the bot cannot read) or 200 (a type it ignores), never 500, and no listener may throw on one.
 * The shape check sits in the route, in front of the support front (thread replies in a support
 * channel) and Bolt alike.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { fromAppMention, fromDirectMessage } from '../../bot/channels/slack/translate.ts';
import type { InboundEvent } from '../../bot/core/types.ts';
import {
  DM,
  directMessage,
  eventRequest,
  type Harness,
  postSigned,
  type SlackRequest,
  startHarness,
  USER,
} from './harness.ts';

const heard: InboundEvent[] = [];
let h: Harness;

before(async () => {
  h = await startHarness({ handle: async (event) => void heard.push(event) });
});
after(async () => h?.close());

const form = (payload: unknown): SlackRequest => ({
  contentType: 'application/x-www-form-urlencoded',
  body: new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
});
const message = (fields: Record<string, unknown>) =>
  eventRequest({
    type: 'message',
    channel: DM,
    channel_type: 'im',
    user: USER,
    text: 'hi',
    ts: '1700000000.000001',
    ...fields,
  });
const mention = (fields: Record<string, unknown>) =>
  eventRequest({
    type: 'app_mention',
    channel: 'C0LABCHAN1',
    user: USER,
    text: '<@UBOTLAB01> hi',
    ts: '1700000000.000002',
    ...fields,
  });
const button = (fields: Record<string, unknown>) =>
  form({
    type: 'block_actions',
    user: { id: USER },
    trigger_id: 'trig.1',
    container: { type: 'message', message_ts: '1.2', channel_id: DM },
    actions: [{ type: 'button', action_id: 'reconnect', value: '{}', action_ts: '1.3' }],
    ...fields,
  });

const CASES: Record<string, SlackRequest> = {
  'event.channel null': message({ channel: null }),
  'event.channel a number': message({ channel: 5 }),
  'event.channel_type a number': message({ channel_type: 5 }),
  'event.user null': message({ user: null }),
  'event.user an object': message({ user: { id: USER } }),
  'event.text a number': message({ text: 5 }),
  'event.text an object': message({ text: { a: 1 } }),
  'event.ts null': message({ ts: null }),
  'event.thread_ts a number': message({ thread_ts: 7 }),
  'mention text a number': mention({ text: 5 }),
  'mention channel null': mention({ channel: null }),
  'event null': {
    contentType: 'application/json',
    body: JSON.stringify({ type: 'event_callback', event_id: 'Ev1', event: null }),
  },
  'event a string': {
    contentType: 'application/json',
    body: JSON.stringify({ type: 'event_callback', event_id: 'Ev2', event: 'x' }),
  },
  'an array': { contentType: 'application/json', body: '[1,2]' },
  'block_actions without user': button({ user: undefined }),
  'block_actions user a string': button({ user: USER }),
  'block_actions actions not an array': button({ actions: 'x' }),
  'block_actions actions [null]': button({ actions: [null] }),
  'block_actions channel a string': button({ container: undefined, channel: 'x' }),
  // Found by the fuzz suite: an interaction of no kind, or an unknown one, made Bolt's routing throw.
  'an interaction without a type': button({ type: undefined }),
  'an interaction of an unknown type': button({ type: 'foo' }),
  // Also found by it: Bolt keys its client pool by team id in a plain object.
  'a team id of constructor': {
    contentType: 'application/json',
    body: JSON.parse(JSON.stringify(message({}))).body.replace(
      '"team_id":"TLAB00001"',
      '"team_id":"constructor"',
    ),
  },
  'a team id of __proto__': button({ team: { id: '__proto__' } }),
  shortcut: form({
    type: 'shortcut',
    callback_id: 'x',
    trigger_id: 't',
    user: { id: USER },
    team: { id: 'T' },
  }),
  message_action: form({
    type: 'message_action',
    callback_id: 'x',
    trigger_id: 't',
    user: { id: USER },
    channel: { id: DM },
    message: { ts: '1.1' },
  }),
  view_submission: form({
    type: 'view_submission',
    user: { id: USER },
    view: { id: 'V', callback_id: 'x', state: { values: {} } },
  }),
  'a payload that is not JSON': { contentType: 'application/x-www-form-urlencoded', body: 'payload=%7Bnope' },
  'a command without user_id': {
    contentType: 'application/x-www-form-urlencoded',
    body: new URLSearchParams({
      command: '/reconnect',
      text: 'hi',
      channel_id: 'C0LABCHAN1',
      trigger_id: 't.1',
      response_url: 'http://127.0.0.1:9/',
    }).toString(),
  },
};

test('signed but malformed deliveries answer 4xx or 200, never 5xx, and no listener throws', async () => {
  const fivexx: string[] = [];
  for (const [name, request] of Object.entries(CASES)) {
    const answer = await postSigned(h.endpoint, request);
    if (answer.status >= 500) fivexx.push(`${name}: ${answer.status}`);
    assert.doesNotMatch(answer.text, /at .*\.ts:\d+|node_modules/, name);
  }
  assert.deepEqual(fivexx, []);
  await h.channel.idle();
  const failures = h.logs.filter((line) => line.level === 'error');
  assert.deepEqual(
    failures.map((l) => `${l.message} ${JSON.stringify(l.fields ?? {})}`.slice(0, 300)),
    [],
  );
  assert.deepEqual(heard, [], 'nothing malformed reached the core');
  // A well-formed message still does.
  assert.equal((await postSigned(h.endpoint, directMessage('hello'))).status, 200);
  await h.channel.idle();
  assert.equal(heard.length, 1);
});

test('Socket Mode skips the route: the translators read a non-string text as empty instead of throwing', () => {
  const common = { deliveryId: 'Ev9', at: new Date(0).toISOString() };
  const dm = {
    type: 'message',
    channel: DM,
    channel_type: 'im',
    user: USER,
    ts: '1.1',
    text: 5 as unknown as string,
  };
  assert.equal((fromDirectMessage(dm, common) as { text: string }).text, '');
  const at = { ...dm, type: 'app_mention', channel: 'C0LABCHAN1', text: { a: 1 } as unknown as string };
  assert.equal((fromAppMention(at, common) as { text: string }).text, '');
});
