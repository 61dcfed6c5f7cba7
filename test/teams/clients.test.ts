/**
 * ReusingBotFrameworkAuthentication: outbound clients made once and reused across turns (per
 * app id, service URL and audience), a bounded cache, and authentication left to botbuilder.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Activity } from 'botbuilder';
import { ReusingBotFrameworkAuthentication } from '../../bot/channels/teams/clients.ts';
import { guardNetwork, type NetGuard } from './net-guard.ts';

let guard: NetGuard;
before(() => {
  guard = guardNetwork();
});
after(() => guard.release());

const activity = (serviceUrl: string) =>
  ({ type: 'message', channelId: 'msteams', serviceUrl, id: '1', text: 'hi' }) as Activity;

test('one ConnectorClient per service URL and audience, one UserTokenClient, reused across requests', async () => {
  // Authentication off (no app id): botbuilder accepts the request with an anonymous identity.
  const auth = new ReusingBotFrameworkAuthentication({});
  const url = 'http://127.0.0.1:1/';
  const first = await auth.authenticateRequest(activity(url), '');
  const second = await auth.authenticateRequest(activity(url), '');
  const a = await first.connectorFactory!.create(url, first.audience);
  const b = await second.connectorFactory!.create(url, second.audience);
  assert.equal(a, b, 'the second turn reuses the first turn’s client');
  const other = await second.connectorFactory!.create('http://127.0.0.2:1/', second.audience);
  assert.notEqual(other, a, 'another service URL gets its own client');
  assert.equal(
    await auth.createUserTokenClient(first.claimsIdentity),
    await auth.createUserTokenClient(second.claimsIdentity),
  );
});

test('the cache is bounded: the oldest client is dropped and made anew when needed', async () => {
  const auth = new ReusingBotFrameworkAuthentication({});
  const { connectorFactory, audience } = await auth.authenticateRequest(activity('http://127.0.0.1:1/'), '');
  const url = (i: number) => `http://127.0.0.1:${1000 + i}/`;
  const oldest = await connectorFactory!.create(url(0), audience);
  assert.equal(await connectorFactory!.create(url(0), audience), oldest);
  for (let i = 1; i <= 64; i++) await connectorFactory!.create(url(i), audience);
  assert.notEqual(await connectorFactory!.create(url(0), audience), oldest);
});

test('a request that fails authentication still fails: nothing is handed out', async () => {
  const auth = new ReusingBotFrameworkAuthentication({ MicrosoftAppId: 'app', MicrosoftAppPassword: 'x' });
  await assert.rejects(auth.authenticateRequest(activity('http://127.0.0.1:1/'), ''), {
    statusCode: 401,
    message: /Unauthorized/,
  });
  assert.deepEqual(guard.refused, []);
});
