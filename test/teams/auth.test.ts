/**
 * /api/messages with JWT validation on (MicrosoftAppId set): botbuilder validates tokens against
 * a signing key this test made, published as OpenID metadata on loopback. Every bad token is a
 * 401 and reaches neither the core nor the connector; a good one is a 200 and the bot replies.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startEchoBot } from '../../bench/echo-bot.ts';
import { executeActivity, messageActivity } from './activities.ts';
import { startTeamsLab, type TeamsLab } from './harness.ts';
import { guardNetwork, type NetGuard } from './net-guard.ts';
import { type RecordingCore, recordingCore, sessionFor } from './recording-core.ts';

const APP_ID = '11111111-2222-3333-4444-555555555555';

describe('Teams authentication', () => {
  let guard: NetGuard;
  let lab: TeamsLab;
  let core: RecordingCore;

  before(async () => {
    guard = guardNetwork();
    lab = await startTeamsLab({
      appId: APP_ID,
      core: (port) => {
        core = recordingCore(port);
        return core;
      },
    });
  });
  after(async () => {
    await lab?.close();
    guard.release();
  });

  const message = (text: string) => messageActivity(text, { serviceUrl: lab.connector.url, appId: APP_ID });
  const token = (overrides: Record<string, unknown> = {}, options = {}) =>
    `Bearer ${lab.issuer!.channelToken(APP_ID, lab.connector.url, overrides, options)}`;
  const now = () => Math.floor(Date.now() / 1000);

  /** Posts with `authorization` and asserts a 401/403 with nothing reaching the core or the connector. */
  async function refused(authorization: string | null, activity = message('Teams says CAA20004')) {
    const before = { events: core.events.length, records: lab.connector.records.length };
    const res = await lab.post(activity, authorization);
    assert.ok(res.status === 401 || res.status === 403, `expected 401 or 403, got ${res.status}`);
    assert.equal(
      (res.body as { error: { code: string } }).error.code,
      res.status === 401 ? 'unauthorized' : 'forbidden',
    );
    assert.equal(core.events.length, before.events, 'the core saw the activity');
    assert.equal(lab.connector.records.length, before.records, 'the bot talked to the connector');
  }

  test('no Authorization header: 401', async () => {
    await refused(null);
  });

  test('wrong audience (another app id): 401', async () => {
    await refused(token({ aud: '99999999-2222-3333-4444-555555555555' }));
  });

  test('wrong issuer: 401', async () => {
    // Not an Azure AD issuer either: that would send botbuilder down its emulator path.
    await refused(token({ iss: 'https://issuer.lab.invalid' }));
  });

  test('expired beyond the 5-minute clock tolerance: 401', async () => {
    await refused(token({ nbf: now() - 7200, exp: now() - 3600 }));
  });

  test('not yet valid beyond the tolerance: 401', async () => {
    await refused(token({ nbf: now() + 3600, exp: now() + 7200 }));
  });

  test('unknown key id: 401', async () => {
    await refused(token({}, { kid: 'lab-key-unknown' }));
  });

  test('forged signature with the known key id (signed by another key): 401, not 500', async () => {
    await refused(token({}, { key: lab.issuer!.foreignKey }));
  });

  test('forged Action.Execute invoke: 401, no invoke reaches the core', async () => {
    const invoke = executeActivity({ verb: 'step.skip', sessionId: 's', version: 1 }, 'lab-1', {
      serviceUrl: lab.connector.url,
      appId: APP_ID,
    });
    await refused(token({}, { key: lab.issuer!.foreignKey }), invoke);
  });

  test('token for another service URL than the activity names: 401', async () => {
    await refused(token({ serviceurl: 'http://127.0.0.1:9/' }));
  });

  test('unsigned (alg none) and malformed tokens: 401', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT', kid: lab.issuer!.keyId })).toString(
      'base64url',
    );
    const claims = { iss: lab.issuer!.issuer, aud: APP_ID, serviceurl: lab.connector.url, exp: now() + 600 };
    await refused(`Bearer ${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`);
    await refused('Bearer not-a-jwt');
    await refused(`Basic ${Buffer.from('a:b').toString('base64')}`);
  });

  test('a valid token: 200, the core gets the message and the reply reaches the connector signed', async () => {
    const activity = message('Teams says CAA20004');
    const res = await lab.post(activity);
    assert.equal(res.status, 200);
    assert.equal(core.events.length, 1);
    const event = core.events[0];
    assert.equal(event.kind, 'message');
    assert.equal(event.kind === 'message' && event.text, 'Teams says CAA20004');
    assert.equal(event.id, `teams:a:lab-personal-ada:${activity.id}`);
    const [reply] = lab.connector.find('reply');
    assert.equal(reply.replyToId, activity.id);
    assert.equal(reply.body.text, 'heard message: Teams says CAA20004');
    assert.match(reply.authorization ?? '', /^Bearer lab-token-\d+$/);
    assert.ok(lab.connector.find('token').length >= 1, 'the outbound token came from the lab connector');
    assert.ok(lab.issuer!.fetches.keys >= 1, 'keys were fetched from the lab issuer');
  });

  test("why authentication runs apart: botbuilder's own CloudAdapter.process answers 500 to the same forgery", async () => {
    const echo = await startEchoBot({
      settings: {
        MicrosoftAppId: APP_ID,
        ToBotFromChannelOpenIdMetadataUrl: lab.issuer!.metadataUrl,
        ToBotFromChannelTokenIssuer: lab.issuer!.issuer,
      },
    });
    try {
      const res = await fetch(`${echo.url}/api/messages`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: token({}, { key: lab.issuer!.foreignKey }),
        },
        body: JSON.stringify(message('forged')),
      });
      assert.equal(res.status, 500, 'if botbuilder starts answering 401 here, auth.ts can be simplified');
    } finally {
      await echo.close();
    }
  });

  test('nothing tried to leave loopback (MSAL, OpenID metadata, connector)', () => {
    assert.deepEqual(guard.refused, []);
  });
});

describe('Teams authentication without its signing keys', () => {
  test('the OpenID metadata cannot be fetched: 503 (retry later), never 500, and the core sees nothing', async () => {
    const guard = guardNetwork();
    let core: RecordingCore | undefined;
    const lab = await startTeamsLab({
      appId: APP_ID,
      core: (port) => {
        core = recordingCore(port);
        return core;
      },
    });
    try {
      await lab.issuer!.close();
      const res = await lab.post(
        messageActivity('Teams says CAA20004', { serviceUrl: lab.connector.url, appId: APP_ID }),
      );
      assert.equal(res.status, 503);
      assert.equal((res.body as { error: { code: string } }).error.code, 'auth_metadata_unavailable');
      assert.equal(core!.events.length, 0);
      assert.equal(lab.connector.records.length, 0);
    } finally {
      await lab.close();
      guard.release();
    }
  });
});

describe('Teams with authentication off (no MicrosoftAppId, development only)', () => {
  test('unsigned activities are accepted, replies go out without a token, proactive sends work', async () => {
    const guard = guardNetwork();
    let core: RecordingCore | undefined;
    const lab = await startTeamsLab({
      core: (port) => {
        core = recordingCore(port);
        return core;
      },
    });
    try {
      const res = await lab.post(messageActivity('hello', { serviceUrl: lab.connector.url }));
      assert.equal(res.status, 200);
      assert.equal(core!.events.length, 1);
      const [reply] = lab.connector.find('reply');
      assert.equal(reply.authorization, undefined);
      assert.equal(lab.connector.find('token').length, 0);
      const session = sessionFor(core!.events[0]);
      const notice = {
        screen: 'notice' as const,
        sessionId: session.id,
        version: 0,
        tone: 'info' as const,
        text: 'later',
      };
      const id = await lab.teams.port.send(session, notice);
      assert.equal(lab.connector.records.at(-1)?.activityId, id);
      assert.deepEqual(guard.refused, []);
    } finally {
      await lab.close();
      guard.release();
    }
  });
});
