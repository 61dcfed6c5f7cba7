/**
 * Direct Line credentials on the wire: a token reaches only its own conversation (403 on
 * another), a missing, garbled or forged token is a 401, an expired one a 403, and none of
 * them is ever a 500 or reaches the bot. The stream checks the same before upgrading.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { RunningBot } from '../../bot/app.ts';
import { mintToken } from '../../bot/channels/directline/tokens.ts';
import type { Activity as BotActivity } from '../../bot/channels/directline/types.ts';
import { loadBotConfig } from '../../bot/config.ts';
import { call, openConversation, startTestBot, tempDataDir, upgradeStatus } from './directline-client.ts';

const data = tempDataDir();
let bot: RunningBot;
let secret: string;
const seenByBot: BotActivity[] = [];
let a: Awaited<ReturnType<typeof openConversation>>;
let b: Awaited<ReturnType<typeof openConversation>>;

before(async () => {
  bot = await startTestBot(data.dir, {
    onActivity: async (_cid, activity) => {
      seenByBot.push(activity);
    },
  });
  secret = loadBotConfig({ DATA_DIR: data.dir }).directLineSecret;
  a = await openConversation(bot.url);
  b = await openConversation(bot.url);
});
after(async () => {
  await bot?.close();
  data.remove();
});

const paths = (cid: string) => ({
  reconnect: ['GET', `/v3/directline/conversations/${cid}`],
  post: ['POST', `/v3/directline/conversations/${cid}/activities`],
  list: ['GET', `/v3/directline/conversations/${cid}/activities`],
});
const streamUrl = (base: string, cid: string, token: string) =>
  `${base.replace('http', 'ws')}/v3/directline/conversations/${cid}/stream?t=${encodeURIComponent(token)}`;

/** Calls every conversation route of `cid` with `auth` and returns [route, status, error code]. */
async function statuses(cid: string, auth: string | undefined) {
  const out: [string, number, string][] = [];
  for (const [name, [method, path]] of Object.entries(paths(cid))) {
    const res = await call(bot.url, method, path, {
      auth,
      body: method === 'POST' ? { type: 'message', text: 'should not arrive' } : undefined,
    });
    out.push([name, res.status, res.body?.error?.code]);
  }
  return out;
}

test('a token for conversation A used on conversation B is refused with 403 everywhere, stream included', async () => {
  const tokenA = a.started.body.token;
  const cidB = b.minted.conversationId;
  assert.deepEqual(await statuses(cidB, tokenA), [
    ['reconnect', 403, 'WrongConversation'],
    ['post', 403, 'WrongConversation'],
    ['list', 403, 'WrongConversation'],
  ]);
  assert.equal(await upgradeStatus(streamUrl(bot.url, cidB, tokenA)), 403);
  assert.equal(await upgradeStatus(streamUrl(bot.url, a.minted.conversationId, tokenA)), 101);
});

test('missing, garbled and forged tokens are 401; the bot never sees their activities', async () => {
  const cid = a.minted.conversationId;
  const before = seenByBot.length;
  const forged = mintToken(
    'not-the-secret-but-long-enough-to-look-real',
    { conversationId: cid, userId: 'dl_x' },
    Date.now(),
  );
  const [prefix, payload] = a.started.body.token.split('.');
  const tampered = `${prefix}.${Buffer.from(JSON.stringify({ conv: b.minted.conversationId, user: 'dl_x', exp: 9e15 })).toString('base64url')}.${a.started.body.token.split('.')[2]}`;
  const cases: [string, string | undefined][] = [
    ['missing', undefined],
    ['garbage', 'not-a-token'],
    ['wrong prefix', `xx1.${payload}.abc`],
    ['forged signature', forged.token],
    ['payload swapped under a real signature', tampered],
  ];
  for (const [name, auth] of cases) {
    const got = await statuses(cid, auth);
    assert.ok(
      got.every(([, status]) => status === 401),
      `${name}: ${JSON.stringify(got)}`,
    );
  }
  assert.equal(await upgradeStatus(streamUrl(bot.url, cid, 'not-a-token')), 401);
  assert.equal(
    await upgradeStatus(`${bot.url.replace('http', 'ws')}/v3/directline/conversations/${cid}/stream`),
    401,
  );
  await bot.directLine.idle();
  assert.equal(seenByBot.length, before);
});

test('an expired token is 403 (TokenExpired), for the routes, the stream and refresh', async () => {
  const cid = a.minted.conversationId;
  const expired = mintToken(
    secret,
    { conversationId: cid, userId: a.minted.userId },
    Date.now() - 2 * 3600_000,
  ).token;
  assert.deepEqual(await statuses(cid, expired), [
    ['reconnect', 403, 'TokenExpired'],
    ['post', 403, 'TokenExpired'],
    ['list', 403, 'TokenExpired'],
  ]);
  assert.equal(await upgradeStatus(streamUrl(bot.url, cid, expired)), 403);
  const refresh = await call(bot.url, 'POST', '/v3/directline/tokens/refresh', { auth: expired });
  assert.deepEqual([refresh.status, refresh.body.error.code], [403, 'TokenExpired']);
});

test('refresh gives a working token for the same conversation only', async () => {
  const refreshed = await call(bot.url, 'POST', '/v3/directline/tokens/refresh', {
    auth: a.started.body.token,
  });
  assert.equal(refreshed.status, 200);
  assert.equal(refreshed.body.conversationId, a.minted.conversationId);
  const list = await call(bot.url, 'GET', paths(a.minted.conversationId).list[1], {
    auth: refreshed.body.token,
  });
  assert.equal(list.status, 200);
  const other = await call(bot.url, 'GET', paths(b.minted.conversationId).list[1], {
    auth: refreshed.body.token,
  });
  assert.equal(other.status, 403);
});

test('tokens/generate needs the secret; the secret reaches any conversation; unknown ones are 404', async () => {
  const denied = await call(bot.url, 'POST', '/v3/directline/tokens/generate', {
    auth: a.started.body.token,
  });
  assert.deepEqual([denied.status, denied.body.error.code], [403, 'Forbidden']);
  const generated = await call(bot.url, 'POST', '/v3/directline/tokens/generate', {
    auth: secret,
    body: { user: { id: 'dl_chosen' } },
  });
  assert.equal(generated.status, 200);
  const started = await call(bot.url, 'POST', '/v3/directline/conversations', { auth: generated.body.token });
  assert.equal(started.status, 201);
  assert.equal(started.body.conversationId, generated.body.conversationId);
  await bot.directLine.idle();
  const update = seenByBot.find(
    (x) => x.type === 'conversationUpdate' && x.conversation?.id === generated.body.conversationId,
  );
  assert.deepEqual(update?.membersAdded, [{ id: 'dl_chosen', role: 'user' }]);

  assert.equal(
    (await call(bot.url, 'GET', paths(b.minted.conversationId).list[1], { auth: secret })).status,
    200,
  );
  const missing = await call(bot.url, 'GET', paths('doesNotExist').list[1], { auth: secret });
  assert.deepEqual([missing.status, missing.body.error.code], [404, 'NotFound']);
  assert.equal(await upgradeStatus(streamUrl(bot.url, 'doesNotExist', secret)), 404);
});
