/**
 * The channel's signing keys are fetched once at a time (issue 16, defect 9): a burst of forged
 * tokens right after start, with known and unknown key ids, costs one fetch of the OpenID
 * document and the keys, plus at most one refetch for the unknown key id; a metadata host that
 * fails is asked once per burst, not once per request. In production those fetches go to
 * Microsoft. The clock of the cache itself is injected in the unit test below.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { Agent, fetch as undiciFetch } from 'undici';
import { CoalescingOpenIdMetadata } from '../../bot/channels/teams/openid.ts';
import { messageActivity } from './activities.ts';
import { startTeamsLab, type TeamsLab } from './harness.ts';
import { startLabIssuer } from './issuer.ts';
import { guardNetwork, type NetGuard } from './net-guard.ts';
import { recordingCore } from './recording-core.ts';

const APP_ID = '55555555-6666-4777-8888-999999999999';
let guard: NetGuard;
let lab: TeamsLab;

before(async () => {
  guard = guardNetwork();
  lab = await startTeamsLab({ appId: APP_ID, core: (port) => recordingCore(port) });
});
after(async () => {
  await lab?.close();
  guard.release();
});

test('300 forged tokens at once right after start: one metadata fetch, at most one refetch for the unknown kid', async () => {
  const issuer = lab.issuer!;
  const o = { serviceUrl: lab.connector.url, appId: APP_ID, conversationId: 'a:forged' };
  const claims = (i: number) => ({
    iss: issuer.issuer,
    aud: APP_ID,
    serviceurl: lab.connector.url,
    nbf: Math.floor(Date.now() / 1000) - 60,
    exp: Math.floor(Date.now() / 1000) + 3600,
    jti: `forged-${i}`,
  });
  // All at once over 20 connections (the bot limits connections per address; these all come from 127.0.0.1).
  const dispatcher = new Agent({ connections: 20 });
  const answers = await Promise.all(
    Array.from({ length: 300 }, async (_, i) => {
      const token = issuer.sign(claims(i), {
        key: issuer.foreignKey,
        ...(i % 2 === 0 ? {} : { kid: `unknown-kid-${i}` }),
      });
      const res = await undiciFetch(`${lab.url}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(messageActivity('hi', o)),
        dispatcher,
      });
      await res.arrayBuffer();
      return { status: res.status };
    }),
  );
  await dispatcher.close();
  assert.deepEqual(new Set(answers.map((a) => a.status)), new Set([401]));
  assert.equal(issuer.fetches.metadata, 2, 'the first fetch, and one refetch for an unknown key id');
  assert.equal(issuer.fetches.keys, 2);
  // A genuine token is still served from the cache.
  assert.equal((await lab.post(messageActivity('hi', o))).status, 200);
  assert.equal(issuer.fetches.metadata, 2);
  assert.deepEqual(guard.refused, []);
});

test('a metadata host that fails is asked once for a burst of lookups', async () => {
  let hits = 0;
  const down = createServer((_req, res) => {
    hits++;
    res.writeHead(503);
    res.end();
  });
  down.listen(0, '127.0.0.1');
  await once(down, 'listening');
  const url = `http://127.0.0.1:${(down.address() as AddressInfo).port}/.well-known/openid-configuration`;
  try {
    const metadata = new CoalescingOpenIdMetadata(url);
    const results = await Promise.allSettled(Array.from({ length: 100 }, () => metadata.getKey('k')));
    assert.ok(results.every((r) => r.status === 'rejected'));
    assert.match(
      String((results[0] as PromiseRejectedResult).reason.message),
      /Failed to load openID config: 503/,
    );
    assert.equal(hits, 1);
  } finally {
    down.close();
  }
});

test('the cache: a failure is remembered for its TTL, an unknown kid refetches once per interval', async () => {
  const issuer = await startLabIssuer();
  let t = 0;
  try {
    const metadata = new CoalescingOpenIdMetadata(issuer.metadataUrl, {
      now: () => t,
      unknownKidIntervalMs: 1000,
      refreshMs: 10_000,
    });
    assert.ok(await metadata.getKey(issuer.keyId));
    assert.equal(issuer.fetches.keys, 1);
    assert.equal(await metadata.getKey('nope'), null);
    assert.equal(issuer.fetches.keys, 2);
    assert.equal(await metadata.getKey('nope-again'), null);
    assert.equal(issuer.fetches.keys, 2, 'within the interval: no refetch');
    t = 1000;
    assert.equal(await metadata.getKey('nope-again'), null);
    assert.equal(issuer.fetches.keys, 3, 'after it: one');
    t = 20_000;
    assert.ok(await metadata.getKey(issuer.keyId));
    assert.equal(issuer.fetches.keys, 4, 'stale keys are refreshed');
  } finally {
    await issuer.close();
  }
});
