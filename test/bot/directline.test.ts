/**
 * Direct Line wire tests over real HTTP and WebSocket on 127.0.0.1, with the real SQLite store:
 * the page's token, start, post (echo with id and clientActivityID), get with watermark, the
 * stream, in-place updates, and a restart that loses nothing.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { RunningBot } from '../../bot/app.ts';
import {
  call,
  openConversation,
  openStream,
  startTestBot,
  tempDataDir,
  upgradeStatus,
} from './directline-client.ts';

const data = tempDataDir();
let bot: RunningBot;
before(async () => {
  bot = await startTestBot(data.dir, { heartbeatMs: 200 });
});
after(async () => {
  await bot?.close();
  data.remove();
});

test('/healthz and /readyz answer 200; an unknown upgrade path is refused with 404', async () => {
  assert.deepEqual(await call(bot.url, 'GET', '/healthz'), { status: 200, body: { status: 'ok' } });
  assert.deepEqual(await call(bot.url, 'GET', '/readyz'), { status: 200, body: { status: 'ready' } });
  assert.equal(await upgradeStatus(`${bot.url.replace('http', 'ws')}/agents/connect`), 404);
});

test('the page token starts ONE conversation: 201 first, 200 when started again with the same token', async () => {
  const { minted, started } = await openConversation(bot.url);
  assert.match(minted.userId, /^dl_/);
  assert.equal(minted.expires_in, 1800);
  assert.equal(started.status, 201);
  assert.equal(started.body.conversationId, minted.conversationId);
  assert.equal(started.body.expires_in, 1800);
  const streamUrl = new URL(started.body.streamUrl);
  assert.equal(streamUrl.origin, bot.url.replace('http', 'ws'));
  assert.equal(streamUrl.pathname, `/v3/directline/conversations/${minted.conversationId}/stream`);
  assert.ok(streamUrl.searchParams.get('t'));
  const again = await call(bot.url, 'POST', '/v3/directline/conversations', { auth: minted.token });
  assert.equal(again.status, 200);
  assert.equal(again.body.conversationId, minted.conversationId);
});

test('post: the user activity is echoed with its id, the token user and clientActivityID; the bot answers', async () => {
  const { minted, started } = await openConversation(bot.url);
  const token = started.body.token;
  const stream = await openStream(started.body.streamUrl);
  const posted = await call(
    bot.url,
    'POST',
    `/v3/directline/conversations/${minted.conversationId}/activities`,
    {
      auth: token,
      body: {
        type: 'message',
        text: 'hello',
        from: { id: 'someone-else', name: 'Ann' },
        channelData: { clientActivityID: 'client-1' },
      },
    },
  );
  assert.equal(posted.status, 200);
  assert.match(posted.body.id, new RegExp(`^${minted.conversationId}\\|`));

  const echo = await stream.waitFor((s) => s.activities.some((a) => a.id === posted.body.id));
  const mine = echo.activities.find((a) => a.id === posted.body.id)!;
  assert.equal(mine.text, 'hello');
  assert.deepEqual(mine.from, { id: minted.userId, name: 'Ann', role: 'user' });
  assert.equal(mine.channelData?.clientActivityID, 'client-1');
  assert.deepEqual(mine.conversation, { id: minted.conversationId });

  const reply = await stream.waitFor((s) => s.activities.some((a) => a.text === 'echo: hello'));
  assert.equal(reply.activities[0].from.role, 'bot');
  assert.equal(reply.activities[0].replyToId, posted.body.id);
  assert.ok(Number(reply.watermark) > Number(echo.watermark));
  stream.close();
});

test('get activities: all without a watermark, only newer ones after it, and a 400 for a bad one', async () => {
  const { minted, started } = await openConversation(bot.url);
  const path = `/v3/directline/conversations/${minted.conversationId}/activities`;
  const auth = started.body.token;
  const empty = await call(bot.url, 'GET', path, { auth });
  assert.deepEqual(empty, { status: 200, body: { activities: [], watermark: '0' } });

  await call(bot.url, 'POST', path, { auth, body: { type: 'message', text: 'one' } });
  await bot.directLine.idle();
  const first = await call(bot.url, 'GET', `${path}?watermark=`, { auth });
  assert.deepEqual(
    first.body.activities.map((a: { text: string }) => a.text),
    ['one', 'echo: one'],
  );
  await call(bot.url, 'POST', path, { auth, body: { type: 'message', text: 'two' } });
  await bot.directLine.idle();
  const next = await call(bot.url, 'GET', `${path}?watermark=${first.body.watermark}`, { auth });
  assert.deepEqual(
    next.body.activities.map((a: { text: string }) => a.text),
    ['two', 'echo: two'],
  );
  assert.equal((await call(bot.url, 'GET', `${path}?watermark=abc`, { auth })).status, 400);
});

test('update: the bot replaces a card in place under the same id, pushed again on the stream', async () => {
  const { minted, started } = await openConversation(bot.url);
  const cid = minted.conversationId;
  const stream = await openStream(started.body.streamUrl);
  const cardId = await bot.directLine.port.send(cid, { type: 'message', text: 'DNS step: pending' });
  await bot.directLine.port.send(cid, { type: 'message', text: 'after the card' });
  const original = await stream.waitFor((s) => s.activities.some((a) => a.id === cardId));
  const afterSend = await stream.waitFor((s) => s.activities.some((a) => a.text === 'after the card'));

  await bot.directLine.port.update(cid, cardId, { type: 'message', text: 'DNS step: verified' });
  const updated = await stream.waitFor((s) => s.activities.some((a) => a.text === 'DNS step: verified'));
  const card = updated.activities[0];
  assert.equal(card.id, cardId);
  assert.equal(card.timestamp, original.activities[0].timestamp, 'the timestamp (Web Chat position) is kept');
  assert.ok(Number(updated.watermark) > Number(afterSend.watermark));

  const path = `/v3/directline/conversations/${cid}/activities`;
  const all = await call(bot.url, 'GET', path, { auth: started.body.token });
  assert.deepEqual(
    all.body.activities.map((a: { id: string; text: string }) => [a.id === cardId, a.text]),
    [
      [true, 'DNS step: verified'],
      [false, 'after the card'],
    ],
  );
  const since = await call(bot.url, 'GET', `${path}?watermark=${afterSend.watermark}`, {
    auth: started.body.token,
  });
  assert.deepEqual(
    since.body.activities.map((a: { id: string }) => a.id),
    [cardId],
  );
  await assert.rejects(bot.directLine.port.update(cid, `${cid}|missing`, { type: 'message' }), {
    code: 'NotFound',
  });
  stream.close();
});

test('the stream catches up from its watermark and sends empty heartbeats', async () => {
  const { minted, started } = await openConversation(bot.url);
  const cid = minted.conversationId;
  await bot.directLine.port.send(cid, { type: 'message', text: 'early' });
  const reconnect = await call(bot.url, 'GET', `/v3/directline/conversations/${cid}?watermark=`, {
    auth: started.body.token,
  });
  assert.equal(reconnect.status, 200);
  const stream = await openStream(reconnect.body.streamUrl);
  const caughtUp = await stream.waitFor((s) => s.activities.some((a) => a.text === 'early'));
  await bot.directLine.port.send(cid, { type: 'message', text: 'late' });
  await stream.waitFor((s) => s.activities.some((a) => a.text === 'late'));
  await stream.waitForHeartbeat();

  const resumed = await call(
    bot.url,
    'GET',
    `/v3/directline/conversations/${cid}?watermark=${caughtUp.watermark}`,
    {
      auth: started.body.token,
    },
  );
  const second = await openStream(resumed.body.streamUrl);
  const first = await second.waitFor(() => true);
  assert.deepEqual(
    first.activities.map((a) => a.text),
    ['late'],
  );
  stream.close();
  second.close();
});

test('posting rejects what is not an activity, and typing is acknowledged without being stored', async () => {
  const { minted, started } = await openConversation(bot.url);
  const path = `/v3/directline/conversations/${minted.conversationId}/activities`;
  const auth = started.body.token;
  assert.equal((await call(bot.url, 'POST', path, { auth, rawBody: '{"type":' })).status, 400);
  const noType = await call(bot.url, 'POST', path, { auth, body: { text: 'x' } });
  assert.deepEqual([noType.status, noType.body.error.code], [400, 'MissingProperty']);
  const badType = await call(bot.url, 'POST', path, { auth, body: { type: 'conversationUpdate' } });
  assert.deepEqual([badType.status, badType.body.error.code], [400, 'BadArgument']);
  const typing = await call(bot.url, 'POST', path, { auth, body: { type: 'typing' } });
  assert.equal(typing.status, 200);
  await bot.directLine.idle();
  assert.deepEqual((await call(bot.url, 'GET', path, { auth })).body.activities, []);
});

test('a restart keeps conversations, activities and tokens (the secret persists in DATA_DIR)', async () => {
  const { minted, started } = await openConversation(bot.url);
  const cid = minted.conversationId;
  const path = `/v3/directline/conversations/${cid}/activities`;
  await call(bot.url, 'POST', path, { auth: started.body.token, body: { type: 'message', text: 'before' } });
  await bot.directLine.idle();
  await bot.close();

  bot = await startTestBot(data.dir, { heartbeatMs: 200 });
  const reconnect = await call(bot.url, 'GET', `/v3/directline/conversations/${cid}?watermark=`, {
    auth: started.body.token,
  });
  assert.equal(reconnect.status, 200);
  await call(bot.url, 'POST', path, { auth: reconnect.body.token, body: { type: 'message', text: 'after' } });
  await bot.directLine.idle();
  const all = await call(bot.url, 'GET', path, { auth: reconnect.body.token });
  assert.deepEqual(
    all.body.activities.map((a: { text: string }) => a.text),
    ['before', 'echo: before', 'after', 'echo: after'],
  );
  const watermarks = all.body.watermark;
  assert.equal(watermarks, '4');
});
