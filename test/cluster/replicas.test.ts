/**
 * Two replicas of the assembled bot and one real redis-server, all on loopback (issue 13):
 *
 * - a web chat conversation whose turns alternate between the replicas, its stream held by
 *   one of them, reaches resolved with its cards updated in place;
 * - four deliveries of one Slack event, two to each replica at once, move the session once;
 * - Redis restarted mid-conversation: requests in the gap answer 503 with Retry-After (never
 *   500), and the conversation carries on afterwards, with no turn lost.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { RunningBot } from '../../bot/app.ts';
import { conversationKey } from '../../bot/core/types.ts';
import { until } from '../agents/harness.ts';
import { cardOf, openChat, paste, submitsOf } from '../bot/conversation-driver.ts';
import { call, tempDataDir } from '../bot/directline-client.ts';
import { type RedisServer, startRedis } from '../lab/redis.ts';
import { type SlackApiLab, startSlackApi } from '../lab/slack-api.ts';
import { BOT_TOKEN, directMessage, postSigned, SIGNING_SECRET } from '../slack/harness.ts';
import { startReplica } from './replicas.ts';

const data = tempDataDir();
let redis: RedisServer;
let slackApi: SlackApiLab;
let a: RunningBot;
let b: RunningBot;

before(async () => {
  redis = await startRedis({ persist: true });
  slackApi = await startSlackApi({ botToken: BOT_TOKEN });
  const env = {
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slackApi.apiUrl,
  };
  const slack = { retryConfig: { retries: 2, minTimeout: 10, maxTimeout: 50, factor: 2 } };
  a = await startReplica(
    { redisUrl: redis.url, dataDir: join(data.dir, 'a'), env },
    { agents: false, slack },
  );
  b = await startReplica(
    { redisUrl: redis.url, dataDir: join(data.dir, 'b'), env },
    { agents: false, slack },
  );
});
after(async () => {
  await a?.close();
  await b?.close();
  await slackApi?.close();
  await redis?.stop();
  data.remove();
});

/** Alternates A, B, A, … for each post. */
function alternate() {
  let n = 0;
  const used: string[] = [];
  return {
    next: () => {
      const url = n++ % 2 === 0 ? a.url : b.url;
      used.push(url);
      return url;
    },
    used,
  };
}

test('a web chat conversation whose turns alternate between the replicas reaches resolved', async () => {
  const turns = alternate();
  // The stream is held by A; every other turn runs on B and its answers reach A's stream.
  const chat = await openChat(a.url, undefined, { postTo: turns.next });
  try {
    await chat.say('Teams says CAA20004');
    await chat.card(/Let's get Teams working again/);
    await chat.click('Windows');
    await chat.click('Home');
    await chat.card(/What CAA20004 means/);
    await chat.say(paste('nslookup-windows-nxdomain.txt'));
    const findings = await chat.card(/name lookup \(DNS\) cannot find/);
    await chat.click('Show me the fix');
    const step = await chat.card(/Flush the DNS cache[\s\S]*To do/);
    assert.equal(
      step.activity.id,
      findings.activity.id,
      'the card changed in place, whichever replica wrote it',
    );
    await chat.click('Done — check again');
    await chat.text(/run this command[\s\S]*nslookup login\.microsoftonline\.com/);
    await chat.say(paste('nslookup-windows-ok.txt'));
    await chat.card(/Teams should work again/);
    const verified = chat.transcript().find((e) => e.activity.id === step.activity.id);
    assert.deepEqual(
      submitsOf(cardOf(verified!.activity)).map((s) => s.title),
      ['Next step'],
    );
    assert.ok(turns.used.includes(a.url) && turns.used.includes(b.url), 'both replicas took turns');
    const key = conversationKey('webchat', chat.conversationId);
    const onA = await a.store.sessions.findByConversation(key);
    const onB = await b.store.sessions.findByConversation(key);
    assert.equal(onA?.state, 'resolved');
    assert.deepEqual(onB, onA, 'both replicas read the one session in Redis');
  } finally {
    chat.close();
  }
});

test('four deliveries of one Slack event over both replicas move the session once', async () => {
  const event = directMessage('Teams says CAA20004', { user: 'U0FOURX01', channel: 'D0FOURX01' });
  const posts = [a, b, a, b].map((replica, i) =>
    postSigned(`${replica.url}/api/slack/events`, event, {
      headers: i === 0 ? {} : { 'X-Slack-Retry-Num': String(i), 'X-Slack-Retry-Reason': 'http_timeout' },
    }),
  );
  // The baseline: the same message delivered once, in another DM.
  const once = directMessage('Teams says CAA20004', { user: 'U0ONCEX01', channel: 'D0ONCEX01' });
  posts.push(postSigned(`${a.url}/api/slack/events`, once));
  const answers = await Promise.all(posts);
  assert.deepEqual(
    answers.map((r) => r.status),
    [200, 200, 200, 200, 200],
  );
  /** The session once its turn is over (the card's ts recorded), with what the turn wrote. */
  const settled = async (dm: string) => {
    const key = conversationKey('slack', dm);
    // Over once the card's ts is recorded and the turn outbox is empty (Session.undelivered).
    await until(async () => {
      const s = await a.store.sessions.findByConversation(key);
      return s?.cardActivityId !== undefined && s.undelivered === undefined;
    });
    const session = (await a.store.sessions.findByConversation(key))!;
    const audit = await a.store.audit.list(session.id);
    const cards = slackApi.calls.filter((c) => c.method === 'chat.postMessage' && c.params.channel === dm);
    return { version: session.version, view: session.viewVersion, audit: audit.length, posts: cards.length };
  };
  const four = await settled('D0FOURX01');
  const single = await settled('D0ONCEX01');
  assert.deepEqual(four, single, 'four deliveries did what one does');
  assert.ok(single.posts >= 1 && single.audit >= 1);
});

test('Redis restarted mid-conversation: 503 with Retry-After in the gap, never 500, and the conversation goes on', async () => {
  const turns = alternate();
  const chat = await openChat(b.url, undefined, { postTo: turns.next });
  try {
    await chat.say('Teams says CAA20004');
    await chat.card(/Let's get Teams working again/);
    await chat.click('Windows');
    await chat.waitUntil('✓ Windows on the intake card', (entries) =>
      entries.find((e) => submitsOf(cardOf(e.activity)).some((s) => s.title === '✓ Windows')),
    );
    await a.directLine.idle();
    await b.directLine.idle();

    await redis.kill();
    // Both replicas have noticed (a request in flight at the very moment gets 503 as well, from
    // the 5xx rewrite, but with its route's own body).
    for (const replica of [a, b])
      await until(
        async () => (await call(replica.url, 'GET', '/readyz')).status === 503,
        20_000,
        'not ready',
      );
    const where = `/v3/directline/conversations/${chat.conversationId}/activities`;
    const home = chat
      .transcript()
      .flatMap((e) => submitsOf(cardOf(e.activity)))
      .find((s) => s.title === 'Home');
    assert.ok(home, 'the intake card offers "Home"');
    for (const replica of [a, b]) {
      const posted = await rawPost(replica.url, where, chat.token, { type: 'message', value: home.data });
      assert.equal(posted.status, 503, `POST on ${replica.url} during the gap`);
      assert.equal(posted.headers.get('retry-after'), '2');
      assert.match(posted.text, /ServiceUnavailable/);
      const read = await call(replica.url, 'GET', where, { auth: chat.token });
      assert.equal(read.status, 503, 'GET activities during the gap');
      const ready = await call(replica.url, 'GET', '/readyz');
      assert.equal(ready.status, 503);
      assert.equal((await call(replica.url, 'GET', '/healthz')).status, 200, 'alive, only not ready');
      const stream = await upgradeStatus(
        replica.url,
        `/v3/directline/conversations/${chat.conversationId}/stream?t=${chat.token}`,
      );
      assert.match(stream, /^HTTP\/1\.1 503 [\s\S]*Retry-After: 2/, 'a stream opened in the gap');
    }

    await redis.restart();
    for (const replica of [a, b])
      await until(
        async () => (await call(replica.url, 'GET', '/readyz')).status === 200,
        20_000,
        'ready again',
      );
    // The click the gap refused, sent again as Web Chat does: it lands, and the case goes on.
    await chat.click('Home');
    await chat.card(/What CAA20004 means/);
    await chat.say(paste('nslookup-windows-nxdomain.txt'));
    await chat.card(/name lookup \(DNS\) cannot find/);
    const session = await a.store.sessions.findByConversation(
      conversationKey('webchat', chat.conversationId),
    );
    assert.equal(session?.state, 'plan');
    assert.deepEqual([session?.os, session?.where], ['windows', 'home'], 'no turn was lost');
  } finally {
    chat.close();
  }
});

/** A POST with the raw response (status, headers, text). */
async function rawPost(base: string, path: string, token: string, body: unknown) {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** The raw answer to a WebSocket upgrade request. */
function upgradeStatus(base: string, path: string): Promise<string> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () =>
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: ${hostname}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
      ),
    );
    let text = '';
    socket.on('data', (chunk) => {
      text += chunk.toString();
    });
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
}
