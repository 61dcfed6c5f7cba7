/**
 * Issue 16: every limit of bot/limits.ts shows in /metrics as `reconnect_limit_hits_total{limit}`,
 * at zero until it refuses something; each HTTP-reachable limit is then hit once, answers with its
 * status, and its counter (and only its counter) moves by one. The agent limits (message size and
 * rate, pending jobs) count through the same function (bot/limit-hits.ts), the outbox's below.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { RunningBot } from '../../bot/app.ts';
import { LIMIT_SPECS } from '../../bot/limits.ts';
import { call, openConversation, openStream, tempDataDir, upgradeStatus } from '../bot/directline-client.ts';
import { rawRequest, rawSocket, requestHead, startLimitedBot } from '../bot/limits-harness.ts';

const data = tempDataDir();
after(() => data.remove());

/** The counters, read in process (an HTTP read would hold a connection of its own). */
async function hits(bot: RunningBot): Promise<Record<string, number>> {
  const text = await bot.metrics.render();
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^reconnect_limit_hits_total\{limit="(\w+)"\} (\d+)$/gm))
    out[m[1]] = Number(m[2]);
  return out;
}

test('each limit answers with its status and counts once in reconnect_limit_hits_total', async () => {
  const bot = await startLimitedBot(join(data.dir, 'hits'), {
    LIMIT_BODY_BYTES: '1024',
    LIMIT_ACTIVITY_BODY_BYTES: '4096',
    LIMIT_JSON_DEPTH: '8',
    LIMIT_HEADER_BYTES: '4096',
    LIMIT_HEADER_COUNT: '16',
    LIMIT_BODY_IDLE_MS: '400',
    LIMIT_REQUEST_TIMEOUT_MS: '1000',
    LIMIT_HEADERS_TIMEOUT_MS: '1000',
    LIMIT_STREAMS_PER_ADDRESS: '1',
    LIMIT_TURN_TEXT_CHARS: '500',
  });
  const streams: { close(): void }[] = [];
  try {
    const zero = await hits(bot);
    assert.deepEqual(Object.keys(zero).sort(), Object.keys(LIMIT_SPECS).sort(), 'every limit is listed');
    assert.ok(Object.values(zero).every((n) => n === 0));
    const expect: Record<string, number> = { ...zero };
    const hit = async (limit: string, status: number, answer: Promise<number>) => {
      assert.equal(await answer, status, limit);
      expect[limit] += 1;
      assert.deepEqual(await hits(bot), expect, `only ${limit} moved`);
    };
    const json = (path: string, body: string, headers: Record<string, string> = {}) =>
      fetch(`${bot.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });

    await hit(
      'bodyBytes',
      413,
      json('/api/webchat/token', JSON.stringify({ pad: 'x'.repeat(2000) })).then((r) => r.status),
    );
    await hit(
      'jsonDepth',
      400,
      json('/api/webchat/token', `${'['.repeat(20)}${']'.repeat(20)}`).then((r) => r.status),
    );
    await hit(
      'headerCount',
      431,
      rawRequest(
        bot.url,
        requestHead(
          'GET',
          '/healthz',
          Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`X-H${i}`, 'v'])),
        ),
      ).then((a) => a.status),
    );
    await hit(
      'headerBytes',
      431,
      rawRequest(bot.url, requestHead('GET', '/healthz', { 'X-Pad': 'p'.repeat(5000) })).then(
        (a) => a.status,
      ),
    );
    // A body announced and never sent: cut off after the idle limit.
    await hit(
      'bodyIdleMs',
      408,
      rawRequest(
        bot.url,
        requestHead('POST', '/api/webchat/token', {
          'Content-Type': 'application/json',
          'Content-Length': 10,
        }),
      ).then((a) => a.status),
    );
    // Headers that never end: Node's request timeout.
    const stuck = await rawSocket(bot.url);
    stuck.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    await hit(
      'requestTimeoutMs',
      408,
      stuck.answer().then((a) => a.status),
    );

    const { started } = await openConversation(bot.url);
    const { conversationId, token, streamUrl } = started.body;
    const post = (body: unknown) =>
      call(bot.url, 'POST', `/v3/directline/conversations/${conversationId}/activities`, {
        auth: token,
        body,
      }).then((r) => r.status);
    await hit('turnTextChars', 413, post({ type: 'message', text: 'x'.repeat(501) }));
    await hit(
      'activityBodyBytes',
      413,
      post({ type: 'message', text: 'hi', channelData: { pad: 'x'.repeat(5000) } }),
    );
    streams.push(await openStream(streamUrl));
    await hit('streamsPerAddress', 429, upgradeStatus(streamUrl));
  } finally {
    for (const s of streams) s.close();
    await bot.close();
  }
});

test('connections per address: the one past the limit answers 429 and counts', async () => {
  const bot = await startLimitedBot(join(data.dir, 'connections'), { LIMIT_CONNECTIONS_PER_ADDRESS: '2' });
  const held = await Promise.all([1, 2].map(() => rawSocket(bot.url)));
  try {
    assert.equal((await hits(bot)).connectionsPerAddress, 0);
    const third = await rawSocket(bot.url);
    const answer = await third.answer();
    assert.equal(answer.status, 429);
    assert.equal(answer.headers['retry-after'], '1');
    assert.equal((await hits(bot)).connectionsPerAddress, 1);
  } finally {
    for (const h of held) h.socket.destroy();
    await bot.close();
  }
});
