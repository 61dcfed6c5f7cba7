/**
 * Malformed and misdirected Teams activities (issue 16, defect 4). Without an app id nothing
 * authenticates /api/messages, so the activity's shape and its serviceUrl are all the bot has:
 * a wrong shape answers 400 (never a 500 from inside botbuilder), and replies go only to the
 * service URLs the operator allows (loopback by default), never to a URL the request names and
 * never to api.botframework.com. With an app id, the serviceUrl must be the token's claim.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { loadBotConfig } from '../../bot/config.ts';
import { messageActivity } from './activities.ts';
import { startTeamsLab, type TeamsLab } from './harness.ts';
import { guardNetwork, type NetGuard } from './net-guard.ts';
import { recordingCore } from './recording-core.ts';

const APP_ID = '44444444-5555-4666-8777-888888888888';
let guard: NetGuard;
let open: TeamsLab;
let authed: TeamsLab;

before(async () => {
  guard = guardNetwork();
  open = await startTeamsLab({ core: (port) => recordingCore(port) });
  authed = await startTeamsLab({ appId: APP_ID, core: (port) => recordingCore(port) });
});
after(async () => {
  await open?.close();
  await authed?.close();
  guard.release();
});

test('malformed activities answer 400 without an app id, and nothing is sent anywhere', async () => {
  const good = messageActivity('hi', { serviceUrl: open.connector.url, conversationId: 'a:shape' });
  const cases: Record<string, unknown>[] = [
    { type: 'message', text: 'hi' },
    { ...good, serviceUrl: -1 },
    { ...good, serviceUrl: {} },
    { ...good, serviceUrl: '' },
    { ...good, serviceUrl: 'not a url' },
    { ...good, conversation: { id: null } },
    { ...good, conversation: null },
    { ...good, from: { id: 7 } },
    { ...good, from: null },
    { ...good, text: { not: 'text' } },
    { ...good, entities: 'mention' },
    { ...good, attachments: [1, 2] },
    { ...good, type: 42 },
  ];
  for (const activity of cases) {
    const answer = await open.post(activity);
    assert.equal(answer.status, 400, JSON.stringify(activity));
  }
  assert.equal(open.connector.records.length, 0);
  assert.deepEqual(guard.refused, []);
  // The same activity well formed is served.
  assert.equal((await open.post(good)).status, 200);
  assert.equal(open.connector.records.length, 1);
});

test('without an app id the bot is no relay: replies only to allowed service URLs (403 otherwise)', async () => {
  const before = open.connector.records.length;
  for (const serviceUrl of [
    'http://10.255.255.1:9/',
    'https://api.botframework.com/',
    'https://smba.trafficmanager.net/teams/',
    'http://127.0.0.1.evil.example:80/',
  ]) {
    const answer = await open.post(messageActivity('hi', { serviceUrl, conversationId: 'a:relay' }));
    assert.deepEqual(
      [answer.status, (answer.body as { error: { code: string } }).error.code],
      [403, 'service_url_not_allowed'],
      serviceUrl,
    );
  }
  // Credentials in the URL would let "127.0.0.1" be a user name.
  const sneaky = await open.post(
    messageActivity('hi', { serviceUrl: 'http://127.0.0.1:9@evil.example/', conversationId: 'a:relay' }),
  );
  assert.equal(sneaky.status, 400);
  assert.equal(open.connector.records.length, before);
  assert.deepEqual(guard.refused, [], 'no connection was even attempted');
});

test("with an app id a serviceUrl must be present and be the token's claim", async () => {
  const o = { serviceUrl: authed.connector.url, appId: APP_ID, conversationId: 'a:claim' };
  const token = authed.issuer!.channelToken(APP_ID, authed.connector.url);
  const missing = { ...messageActivity('hi', o), serviceUrl: undefined };
  // Who is asking is settled first: the token names a service URL this activity does not carry.
  assert.equal((await authed.post(missing, `Bearer ${token}`)).status, 401);
  // A malformed activity with a forged token is an authentication failure too, not a 400.
  assert.equal((await authed.post({ type: 'message', text: 'hi' }, 'Bearer forged.token.here')).status, 401);
  const elsewhere = messageActivity('hi', { ...o, serviceUrl: 'http://127.0.0.2:9/' });
  assert.equal((await authed.post(elsewhere, `Bearer ${token}`)).status, 401);
  assert.equal(authed.connector.records.length, 0);
  assert.equal((await authed.post(messageActivity('hi', o))).status, 200);
  assert.deepEqual(guard.refused, []);
});

test('TEAMS_SERVICE_URLS: prefixes, an origin alone ended with a slash, loopback by default', () => {
  assert.deepEqual(loadBotConfig({ DATA_DIR: '/tmp', DIRECTLINE_SECRET: 'x'.repeat(40) }).teamsServiceUrls, [
    'http://127.0.0.1:',
    'http://localhost:',
    'http://[::1]:',
  ]);
  const config = loadBotConfig({
    DATA_DIR: '/tmp',
    DIRECTLINE_SECRET: 'x'.repeat(40),
    TEAMS_SERVICE_URLS: 'https://smba.trafficmanager.net/teams/, https://smba.example',
  });
  assert.deepEqual(config.teamsServiceUrls, [
    'https://smba.trafficmanager.net/teams/',
    'https://smba.example/',
  ]);
  assert.throws(
    () =>
      loadBotConfig({ DATA_DIR: '/tmp', DIRECTLINE_SECRET: 'x'.repeat(40), TEAMS_SERVICE_URLS: 'ftp://x' }),
    /TEAMS_SERVICE_URLS has "ftp:\/\/x"/,
  );
});
