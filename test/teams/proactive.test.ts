/**
 * The support relay's proactive sender on the real CloudAdapter, against the local Bot Connector:
 * a post to a channel starts a thread (create conversation with the channel in channelData) and
 * resolves with the post's id; a post to a thread and an update go to the thread's conversation;
 * connector failures keep their HTTP status and a 429's Retry-After the way the support outbox
 * reads them (asDeliveryError), so it waits, backs off or stops as it should.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createTeamsChannel } from '../../bot/channels/teams/index.ts';
import {
  createTeamsProactive,
  deliveryError,
  TeamsDeliveryError,
} from '../../bot/channels/teams/proactive.ts';
import type { TeamsProactive } from '../../bot/channels/teams/support-transport.ts';
import { loadBotConfig } from '../../bot/config.ts';
import { silentLogger } from '../../bot/log.ts';
import { asDeliveryError } from '../../bot/support/retry.ts';
import { type BotConnector, startBotConnector } from '../lab/bot-connector.ts';
import { labCredentials } from './credentials.ts';
import { LAB_PASSWORD } from './harness.ts';
import { guardNetwork, type NetGuard } from './net-guard.ts';

const APP_ID = '44444444-5555-6666-7777-888888888888';
const CHANNEL = '19:proactive-support@thread.tacv2';

describe('the Teams proactive sender', () => {
  let guard: NetGuard;
  let connector: BotConnector;
  let proactive: TeamsProactive;
  /** Answers 429 with Retry-After: 7 to everything: a throttled Bot Connector. */
  let throttled: Server;
  let throttledUrl: string;
  let throttledRequests = 0;

  const ref = (conversationId: string, serviceUrl = connector.url) => ({
    channelId: 'msteams',
    serviceUrl,
    bot: { id: `28:${APP_ID}`, name: 'Reconnect' },
    conversation: { id: conversationId, conversationType: 'channel', isGroup: true, tenantId: 'lab-tenant' },
  });
  const message = { type: 'message', text: 'Case RC-1 needs a person' };

  before(async () => {
    guard = guardNetwork();
    connector = await startBotConnector();
    const config = loadBotConfig({
      NODE_ENV: 'test',
      DIRECTLINE_SECRET: 'lab-direct-line-secret-0123456789abcdef',
      DATA_DIR: '/nonexistent-unused',
      MicrosoftAppId: APP_ID,
      MicrosoftAppPassword: LAB_PASSWORD,
    });
    const teams = createTeamsChannel({
      settings: config.botFramework,
      log: silentLogger,
      credentialsFactory: labCredentials({
        appId: APP_ID,
        password: LAB_PASSWORD,
        tokenUrl: `${connector.url}botframework.com/oauth2/v2.0/token`,
      }),
    });
    proactive = createTeamsProactive(teams.adapter, APP_ID);
    throttled = createServer((req, res) => {
      throttledRequests++;
      req.resume();
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '7' });
      res.end('{"error":{"code":"Throttled"}}');
    });
    throttled.listen(0, '127.0.0.1');
    await once(throttled, 'listening');
    throttledUrl = `http://127.0.0.1:${(throttled.address() as AddressInfo).port}/`;
  });
  after(async () => {
    throttled?.closeAllConnections();
    throttled?.close();
    await connector?.close();
    guard.release();
  });

  test('a post to the channel starts a thread and resolves with the post id', async () => {
    const id = await proactive.send(ref(CHANNEL), message);
    const [created] = connector.find('create');
    assert.equal(id, created.activityId);
    const body = created.body as Record<string, unknown>;
    assert.deepEqual(body.channelData, { channel: { id: CHANNEL }, tenant: { id: 'lab-tenant' } });
    assert.deepEqual(
      [body.isGroup, (body.bot as { id: string }).id, body.tenantId],
      [true, `28:${APP_ID}`, 'lab-tenant'],
    );
    assert.equal((body.activity as { text: string }).text, 'Case RC-1 needs a person');
    assert.match(created.authorization ?? '', /^Bearer lab-token-/);
  });

  test("a post to a thread is a message in the thread's conversation; an update replaces one", async () => {
    const thread = `${CHANNEL};messageid=1700000000123`;
    const id = await proactive.send(ref(thread), { type: 'message', text: 'Taken by Sam.' });
    const sent = connector.records.find((r) => r.activityId === id)!;
    assert.deepEqual([sent.op, sent.conversationId, sent.body.text], ['reply', thread, 'Taken by Sam.']);
    await proactive.update(ref(thread), '1700000000123', { type: 'message', text: 'Case RC-1 (taken)' });
    const [put] = connector.find('update', thread);
    assert.deepEqual([put.activityId, put.body.text], ['1700000000123', 'Case RC-1 (taken)']);
  });

  test('a 429 keeps its Retry-After: the outbox waits exactly that long', async () => {
    const error = await proactive.send(ref(CHANNEL, throttledUrl), message).then(
      () => assert.fail('a throttled send resolved'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof TeamsDeliveryError, String(error));
    assert.deepEqual([error.statusCode, error.retryAfter], [429, 7]);
    const decided = asDeliveryError(error);
    assert.deepEqual([decided.status, decided.retryAfterMs, decided.permanent], [429, 7000, false]);
    assert.equal(throttledRequests, 1, "botbuilder's client did not wait and retry by itself");
  });

  test('a 502 is passing trouble that may have landed; a 403 is for good', async () => {
    const replies = connector.find('reply').length;
    connector.failNext('reply', 502);
    const bad = await proactive.send(ref(`${CHANNEL};messageid=1`), message).catch((e: unknown) => e);
    assert.deepEqual(
      [asDeliveryError(bad).status, asDeliveryError(bad).ambiguous, asDeliveryError(bad).permanent],
      [502, true, false],
    );
    assert.equal(connector.find('reply').length, replies, 'not posted again behind the outbox’s back');
    connector.failNext('update', 403);
    const denied = await proactive
      .update(ref(`${CHANNEL};messageid=1`), '1', message)
      .catch((e: unknown) => e);
    assert.deepEqual([asDeliveryError(denied).status, asDeliveryError(denied).permanent], [403, true]);
  });

  test('no answer at all is status 0 (retried, may have landed); a reference without serviceUrl is refused by name', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/`;
    closed.close();
    await once(closed, 'close');
    const refused = await proactive
      .send(ref(`${CHANNEL};messageid=1`, deadUrl), message)
      .catch((e: unknown) => e);
    assert.deepEqual([asDeliveryError(refused).status, asDeliveryError(refused).ambiguous], [0, true]);

    const { serviceUrl: _, ...noUrl } = ref(CHANNEL);
    await assert.rejects(proactive.send(noUrl, message), (e: TeamsDeliveryError) => {
      assert.match(e.message, /no serviceUrl/);
      assert.equal(asDeliveryError(e).permanent, true);
      return true;
    });
  });

  test('Retry-After as an HTTP date, or missing', () => {
    const at = new Date(Date.now() + 30_000).toUTCString();
    const dated = deliveryError('send', { statusCode: 429, response: { headers: { 'retry-after': at } } });
    assert.ok(
      dated.retryAfter !== undefined && dated.retryAfter > 25 && dated.retryAfter <= 30,
      String(dated.retryAfter),
    );
    assert.equal(deliveryError('send', { statusCode: 429 }).retryAfter, undefined);
    assert.equal(
      asDeliveryError(deliveryError('send', { statusCode: 429 })).retryAfterMs,
      1000,
      "the outbox's default",
    );
  });

  test('nothing tried to leave loopback', () => {
    assert.deepEqual(guard.refused, []);
  });
});
