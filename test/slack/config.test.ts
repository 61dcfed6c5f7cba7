/**
 * Slack settings in the bot config: all or nothing, each half-configured case refused with a
 * message naming what is missing, and the receiver the settings select (HTTP or Socket Mode,
 * never connected here: no network).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { SocketModeReceiver } from '@slack/bolt';
import { createSlackChannel, selectReceiver } from '../../bot/channels/slack/channel.ts';
import { SlackHttpReceiver } from '../../bot/channels/slack/receiver.ts';
import { ConfigError, type Env, loadBotConfig } from '../../bot/config.ts';
import { silentLogger } from '../../bot/log.ts';
import { createMemoryStore } from '../../bot/store/memory.ts';
import { startSlackApi } from '../lab/slack-api.ts';

const cwd = mkdtempSync(join(tmpdir(), 'reconnect-slack-config-'));
after(() => rmSync(cwd, { recursive: true, force: true }));
const BASE: Env = { DIRECTLINE_SECRET: 's'.repeat(40) };
const load = (env: Env) => loadBotConfig({ ...BASE, ...env }, { cwd });
const TOKEN = 'xoxb-1-2-abc';

test('no Slack setting: no Slack, the rest of the server runs', () => {
  assert.equal(load({}).slack, undefined);
  assert.equal(load({ SLACK_BOT_TOKEN: '  ' }).slack, undefined, 'an empty value counts as unset');
});

test('token and signing secret: HTTP mode on slack.com', () => {
  assert.deepEqual(load({ SLACK_BOT_TOKEN: TOKEN, SLACK_SIGNING_SECRET: 'sec' }).slack, {
    botToken: TOKEN,
    signingSecret: 'sec',
    apiUrl: 'https://slack.com/api/',
    mode: 'http',
  });
});

test('an app token selects Socket Mode; SLACK_API_URL points elsewhere (GovSlack)', () => {
  const slack = load({
    SLACK_BOT_TOKEN: TOKEN,
    SLACK_APP_TOKEN: 'xapp-1-A1-xyz',
    SLACK_API_URL: 'https://slack-gov.com/api',
  }).slack;
  assert.equal(slack?.mode, 'socket');
  assert.equal(slack?.apiUrl, 'https://slack-gov.com/api/');
  assert.equal(slack?.signingSecret, undefined);
});

const refusals: [string, Env, RegExp][] = [
  [
    'token without signing secret',
    { SLACK_BOT_TOKEN: TOKEN },
    /SLACK_BOT_TOKEN is set but SLACK_SIGNING_SECRET is not/,
  ],
  [
    'signing secret without token',
    { SLACK_SIGNING_SECRET: 'sec' },
    /SLACK_SIGNING_SECRET set but SLACK_BOT_TOKEN is not/,
  ],
  [
    'app token without bot token',
    { SLACK_APP_TOKEN: 'xapp-1' },
    /SLACK_APP_TOKEN set but SLACK_BOT_TOKEN is not/,
  ],
  ['API URL alone', { SLACK_API_URL: 'https://slack-gov.com/api/' }, /SLACK_API_URL set but SLACK_BOT_TOKEN/],
  [
    'a user token as bot token',
    { SLACK_BOT_TOKEN: 'xoxp-1', SLACK_SIGNING_SECRET: 's' },
    /SLACK_BOT_TOKEN must be a bot token \(starting xoxb-\)/,
  ],
  [
    'a bot token as app token',
    { SLACK_BOT_TOKEN: TOKEN, SLACK_APP_TOKEN: TOKEN },
    /SLACK_APP_TOKEN must be an app-level token/,
  ],
  [
    'an API URL that is not a URL',
    { SLACK_BOT_TOKEN: TOKEN, SLACK_SIGNING_SECRET: 's', SLACK_API_URL: 'slack-gov' },
    /SLACK_API_URL is "slack-gov"/,
  ],
  [
    'plain http API URL in production',
    {
      NODE_ENV: 'production',
      MicrosoftAppId: 'a',
      MicrosoftAppPassword: 'p',
      SLACK_BOT_TOKEN: TOKEN,
      SLACK_SIGNING_SECRET: 's',
      SLACK_API_URL: 'http://127.0.0.1:1/api/',
    },
    /SLACK_API_URL .*expected a https URL/,
  ],
];
for (const [name, env, message] of refusals) {
  test(`refused: ${name}`, () => {
    assert.throws(
      () => load(env),
      (e: Error) => e instanceof ConfigError && message.test(e.message),
    );
  });
}

test('the settings select the receiver: HTTP by default, Socket Mode with an app token', () => {
  const http = load({ SLACK_BOT_TOKEN: TOKEN, SLACK_SIGNING_SECRET: 'sec' }).slack!;
  const socket = load({ SLACK_BOT_TOKEN: TOKEN, SLACK_APP_TOKEN: 'xapp-1-A1-xyz' }).slack!;
  assert.ok(selectReceiver(http, { logger: silentLogger }) instanceof SlackHttpReceiver);
  assert.ok(selectReceiver(socket, { logger: silentLogger }) instanceof SocketModeReceiver);
  const store = createMemoryStore();
  const options = { handle: async () => {}, dedupe: store.dedupe, logger: silentLogger };
  const httpChannel = createSlackChannel({ settings: http, ...options });
  const socketChannel = createSlackChannel({ settings: socket, ...options });
  assert.equal(httpChannel.mode, 'http');
  assert.equal(typeof httpChannel.dispatch, 'function');
  assert.equal(socketChannel.mode, 'socket');
  assert.equal(socketChannel.dispatch, undefined, 'no HTTP endpoint in Socket Mode');
});

test('start: a bot token Slack refuses stops the start with a config error naming it', async () => {
  const api = await startSlackApi({ botToken: 'xoxb-the-real-one' });
  try {
    const store = createMemoryStore();
    const channel = createSlackChannel({
      settings: { botToken: TOKEN, signingSecret: 'sec', apiUrl: api.apiUrl, mode: 'http' },
      handle: async () => {},
      dedupe: store.dedupe,
      logger: silentLogger,
    });
    await assert.rejects(
      channel.start(),
      (e: Error) =>
        e instanceof ConfigError &&
        /SLACK_BOT_TOKEN was refused by .*\(auth\.test: invalid_auth\)/.test(e.message),
    );
    assert.equal(api.calls[0]?.authorization, `Bearer ${TOKEN}`);
  } finally {
    await api.close();
  }
});

test('start: an unreachable Slack API only warns; the bot starts without it', async () => {
  // A port that was just free on loopback: connections are refused, no packet leaves the host.
  const api = await startSlackApi();
  const deadUrl = api.apiUrl;
  await api.close();
  const warnings: string[] = [];
  const store = createMemoryStore();
  const channel = createSlackChannel({
    settings: { botToken: TOKEN, signingSecret: 'sec', apiUrl: deadUrl, mode: 'http' },
    handle: async () => {},
    dedupe: store.dedupe,
    logger: { ...silentLogger, warn: (message) => void warnings.push(message) },
    retryConfig: { retries: 1, minTimeout: 1, maxTimeout: 5 },
  });
  await channel.start();
  assert.ok(
    warnings.some((w) => /auth\.test failed; starting anyway/.test(w)),
    warnings.join('\n'),
  );
});
