/**
 * Slack through the assembled bot: startBot with Slack settings (the real config loader)
 * pointing SLACK_API_URL at the local Slack Web API. A signed DM to /api/slack/events gets the
 * intake card posted to the fake; a click on it updates that message in place (chat.update at
 * the same ts). A web chat conversation on the same bot meanwhile gets its cards over Direct
 * Line: one engine, the port router sending each session's views to its own channel.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { RunningBot } from '../../bot/app.ts';
import { startBot } from '../../bot/app.ts';
import { loadBotConfig } from '../../bot/config.ts';
import { conversationKey } from '../../bot/core/types.ts';
import { silentLogger } from '../../bot/log.ts';
import { type SlackApiLab, startSlackApi } from '../lab/slack-api.ts';
import { BOT_TOKEN, blockAction, DM, directMessage, postSigned, SIGNING_SECRET } from '../slack/harness.ts';
import { openChat } from './conversation-driver.ts';
import { tempDataDir } from './directline-client.ts';

const data = tempDataDir();
let api: SlackApiLab;
let bot: RunningBot;
let endpoint: string;

before(async () => {
  api = await startSlackApi({ botToken: BOT_TOKEN });
  const config = loadBotConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    NODE_ENV: 'test',
    DATA_DIR: join(data.dir, 'state'),
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: api.apiUrl,
  });
  bot = await startBot({
    config,
    log: silentLogger,
    slack: { retryConfig: { retries: 2, minTimeout: 10, maxTimeout: 50, factor: 2 } },
  });
  endpoint = `${bot.url}/api/slack/events`;
});
after(async () => {
  await bot?.close();
  await api?.close();
  data.remove();
});

interface Button {
  action_id: string;
  value?: string;
  text: { text: string };
}
const buttonsOf = (blocks: unknown) =>
  ((blocks as { type: string; elements?: Button[] }[]) ?? [])
    .filter((b) => b.type === 'actions')
    .flatMap((b) => b.elements ?? []);

test('a signed Slack DM gets the intake card posted; a click updates that message in place', async () => {
  assert.ok(bot.slack, 'Slack runs when config.slack is set');
  assert.ok(
    api.calls.some((c) => c.method === 'auth.test' && c.status === 200),
    'the bot token was checked at start',
  );
  const answer = await postSigned(endpoint, directMessage('Teams says CAA20004'));
  assert.equal(answer.status, 200);
  const posted = await api.waitForCall(
    (c) =>
      c.method === 'chat.postMessage' && buttonsOf(c.params.blocks).some((b) => b.text.text === 'Windows'),
    20_000,
  );
  assert.equal(posted.params.channel, DM);
  const ts = [...api.messages.values()].find(
    (m) => m.channel === DM && buttonsOf(m.blocks).some((b) => b.text.text === 'Windows'),
  )?.ts;
  assert.ok(ts, 'the fake kept the posted card');

  const windows = buttonsOf(posted.params.blocks).find((b) => b.text.text === 'Windows')!;
  assert.equal((await postSigned(endpoint, blockAction({ channel: DM, ts }, windows))).status, 200);
  await api.waitForCall((c) => c.method === 'chat.update' && c.params.ts === ts, 20_000);
  await bot.slack.idle();
  assert.ok((api.messages.get(`${DM}/${ts}`)?.updates ?? 0) >= 1, 'the same message was updated');
  const session = await bot.store.sessions.findByConversation(conversationKey('slack', DM));
  assert.equal(session?.os, 'windows');
  assert.equal(session?.cardActivityId, ts);
});

test('one engine, two channels: a web chat conversation on the same bot gets its card over Direct Line, not Slack', async () => {
  const before = api.calls.filter((c) => c.method === 'chat.postMessage').length;
  const chat = await openChat(bot.url);
  try {
    await chat.say('Teams says CAA20004');
    const card = await chat.card(/Let's get Teams working again/);
    const session = await bot.store.sessions.findByConversation(
      conversationKey('webchat', chat.conversationId),
    );
    assert.equal(session?.cardActivityId, card.activity.id);
    assert.equal(api.calls.filter((c) => c.method === 'chat.postMessage').length, before);
  } finally {
    chat.close();
  }
});
