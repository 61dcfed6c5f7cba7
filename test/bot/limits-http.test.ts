/**
 * Request limits at the HTTP layer (issue 16, defects 1, 2, 3 and 7): bodies that lie about
 * their encoding, gzip bombs, deep JSON, headers too many or too large, clients that trickle
 * their headers or body, and too many connections from one address. Each limit is held at its
 * value (accepted) and one past it (refused with its status), and the bot keeps serving others.
 * Timeouts are injected small through the operators' settings; the tests wait on the server's
 * answer, never on a clock.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { DEFAULT_LIMITS } from '../../bot/limits.ts';
import { call, openConversation, tempDataDir } from './directline-client.ts';
import { jsonOfSize, rawRequest, rawSocket, requestHead, startLimitedBot } from './limits-harness.ts';

const data = tempDataDir();
after(() => data.remove());

const TOKEN = '/api/webchat/token';
const json = (body: Buffer | string, extra: Record<string, string | number> = {}) =>
  requestHead('POST', TOKEN, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
    ...extra,
  });

test('defect 1: a body marked gzip that is not gzip answers 400, and the process lives on', async () => {
  const bot = await startLimitedBot(join(data.dir, 'not-gzip'));
  try {
    const body = Buffer.from('this is not gzip at all');
    const answer = await rawRequest(bot.url, json(body, { 'Content-Encoding': 'gzip' }), body);
    assert.equal(answer.status, 400);
    assert.equal(JSON.parse(answer.body).error.code, 'bad_encoding');
    // A truncated gzip stream too.
    const cut = gzipSync(jsonOfSize(2000)).subarray(0, 30);
    const truncated = await rawRequest(bot.url, json(cut, { 'Content-Encoding': 'gzip' }), cut);
    assert.equal(truncated.status, 400);
    assert.equal((await call(bot.url, 'GET', '/healthz')).status, 200);
    const brotli = await rawRequest(bot.url, json(body, { 'Content-Encoding': 'br' }), body);
    assert.deepEqual([brotli.status, brotli.headers['accept-encoding']], [415, 'gzip']);
  } finally {
    await bot.close();
  }
});

test('defect 2: the body limit counts decoded bytes: at the limit accepted, one past refused 413, gzip or not', async () => {
  const bot = await startLimitedBot(join(data.dir, 'bomb'));
  const limit = DEFAULT_LIMITS.bodyBytes;
  try {
    for (const encoding of ['identity', 'gzip']) {
      for (const [size, status] of [
        [limit, 200],
        [limit + 1, 413],
      ] as const) {
        const text = jsonOfSize(size);
        const body = encoding === 'gzip' ? gzipSync(text) : Buffer.from(text);
        const answer = await rawRequest(bot.url, json(body, { 'Content-Encoding': encoding }), body);
        assert.equal(answer.status, status, `${encoding} body of ${size} bytes`);
      }
    }
    // 100 MiB of zeros is about 100 KB of gzip: refused without inflating it all.
    const bomb = gzipSync(Buffer.alloc(100 * 1024 * 1024));
    const big = await rawRequest(bot.url, json(bomb, { 'Content-Encoding': 'gzip' }), bomb);
    assert.equal(big.status, 413);
    const small = gzipSync(Buffer.alloc(10 * 1024 * 1024, ' '));
    assert.ok(small.length < limit, 'the small bomb is under the limit on the wire');
    const answer = await rawRequest(bot.url, json(small, { 'Content-Encoding': 'gzip' }), small);
    assert.equal(answer.status, 413);
    assert.equal(JSON.parse(answer.body).error.code, 'body_too_large');
  } finally {
    await bot.close();
  }
});

test('the route limits: an activity may be bigger than a token request, up to its own limit', async () => {
  const bot = await startLimitedBot(join(data.dir, 'routes'), {
    LIMIT_BODY_BYTES: '4096',
    LIMIT_ACTIVITY_BODY_BYTES: '16384',
  });
  try {
    const { started } = await openConversation(bot.url);
    const path = `/v3/directline/conversations/${started.body.conversationId}/activities`;
    const post = (bytes: number) => {
      const shell = JSON.stringify({ type: 'message', from: { id: 'u' }, text: '' });
      const body = JSON.stringify({
        type: 'message',
        from: { id: 'u' },
        text: 'x'.repeat(bytes - shell.length),
      });
      return call(bot.url, 'POST', path, { auth: started.body.token, rawBody: body });
    };
    assert.equal((await post(16384)).status, 200);
    assert.equal((await post(16385)).status, 413);
    assert.equal((await rawRequest(bot.url, json(jsonOfSize(4096)), jsonOfSize(4096))).status, 200);
    assert.equal((await rawRequest(bot.url, json(jsonOfSize(4097)), jsonOfSize(4097))).status, 413);
    // A declared length past the limit is refused before the body is sent.
    const early = await rawRequest(bot.url, json('x'.repeat(10), { 'Content-Length': 999_999 }));
    assert.equal(early.status, 413);
  } finally {
    await bot.close();
  }
});

test('defect 3: JSON nested past the depth limit is refused with 400 at intake; at the limit it is accepted', async () => {
  const bot = await startLimitedBot(join(data.dir, 'deep'));
  try {
    const { started } = await openConversation(bot.url);
    const path = `/v3/directline/conversations/${started.body.conversationId}/activities`;
    // The activity object is one level; channelData adds `levels` more.
    const post = (levels: number) =>
      call(bot.url, 'POST', path, {
        auth: started.body.token,
        rawBody: `{"type":"message","from":{"id":"u"},"text":"hi","channelData":${'['.repeat(levels)}${']'.repeat(levels)}}`,
      });
    const limit = DEFAULT_LIMITS.jsonDepth;
    assert.equal((await post(limit - 1)).status, 200);
    const past = await post(limit);
    assert.deepEqual([past.status, past.body.error.code], [400, 'json_too_deep']);
    const deep = await post(5000);
    assert.deepEqual([deep.status, deep.body.error.code], [400, 'json_too_deep']);
    // Brackets inside strings are text, not nesting.
    const inString = await call(bot.url, 'POST', path, {
      auth: started.body.token,
      rawBody: JSON.stringify({ type: 'message', from: { id: 'u' }, text: '['.repeat(5000) }),
    });
    assert.equal(inString.status, 200);
  } finally {
    await bot.close();
  }
});

test('header count: at the limit served, one more answers 431', async () => {
  const bot = await startLimitedBot(join(data.dir, 'header-count'), { LIMIT_HEADER_COUNT: '20' });
  try {
    // Host and Connection are two of them.
    const headers = (n: number) =>
      Object.fromEntries(Array.from({ length: n - 2 }, (_, i) => [`X-H${i}`, 'v']));
    assert.equal((await rawRequest(bot.url, requestHead('GET', '/healthz', headers(20)))).status, 200);
    assert.equal((await rawRequest(bot.url, requestHead('GET', '/healthz', headers(21)))).status, 431);
  } finally {
    await bot.close();
  }
});

test('header size: under the limit served, past it answers 431', async () => {
  const bot = await startLimitedBot(join(data.dir, 'header-size'), { LIMIT_HEADER_BYTES: '8192' });
  try {
    const head = (bytes: number) => requestHead('GET', '/healthz', { 'X-Pad': 'p'.repeat(bytes) });
    assert.equal((await rawRequest(bot.url, head(8000))).status, 200);
    assert.equal((await rawRequest(bot.url, head(8192))).status, 431);
  } finally {
    await bot.close();
  }
});

test('defect 7: headers or a body trickled past the timeouts are cut off with 408 while others are served', async () => {
  const bot = await startLimitedBot(join(data.dir, 'slow'), {
    LIMIT_HEADERS_TIMEOUT_MS: '300',
    LIMIT_BODY_IDLE_MS: '300',
  });
  try {
    // Headers that never end.
    const headers = await rawSocket(bot.url);
    headers.socket.write('POST /api/webchat/token HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: a');
    // A body that stops after 10 of 100 bytes.
    const body = await rawSocket(bot.url);
    body.socket.write(json('x'.repeat(100)));
    body.socket.write('{"pad":"xx');
    // Meanwhile the bot answers everyone else.
    assert.equal((await call(bot.url, 'GET', '/healthz')).status, 200);
    assert.equal((await call(bot.url, 'POST', TOKEN)).status, 200);
    const [slowHeaders, slowBody] = await Promise.all([headers.answer(), body.answer()]);
    assert.equal(slowHeaders.status, 408);
    assert.deepEqual([slowBody.status, JSON.parse(slowBody.body).error.code], [408, 'body_timeout']);
  } finally {
    await bot.close();
  }
});

/** Writes one byte of `text` at a time, every `everyMs`, until the socket closes. */
function trickle(socket: import('node:net').Socket, text: string, everyMs: number): void {
  let at = 0;
  const timer = setInterval(() => {
    if (at < text.length && !socket.destroyed) socket.write(text[at++]!);
  }, everyMs);
  socket.once('close', () => clearInterval(timer));
}

test('defect 7: headers or a body that keep coming, a byte at a time, are cut off by the request timeouts', async () => {
  // Each byte comes well within the body idle timeout: only the whole-request deadlines can end these.
  const bot = await startLimitedBot(join(data.dir, 'trickle'), {
    LIMIT_HEADERS_TIMEOUT_MS: '400',
    LIMIT_REQUEST_TIMEOUT_MS: '800',
    LIMIT_BODY_IDLE_MS: '5000',
  });
  try {
    const headers = await rawSocket(bot.url);
    trickle(headers.socket, `POST ${TOKEN} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ${'a'.repeat(1000)}`, 20);
    const body = await rawSocket(bot.url);
    body.socket.write(json('x'.repeat(1000)));
    trickle(body.socket, jsonOfSize(1000), 20);
    assert.equal((await call(bot.url, 'GET', '/healthz')).status, 200);
    const [slowHeaders, slowBody] = await Promise.all([headers.answer(), body.answer()]);
    assert.equal(slowHeaders.status, 408);
    assert.equal(slowBody.status, 408);
  } finally {
    await bot.close();
  }
});

test('connections per address: at the limit accepted, one more answers 429 with Retry-After', async () => {
  const bot = await startLimitedBot(join(data.dir, 'conns'), { LIMIT_CONNECTIONS_PER_ADDRESS: '4' });
  try {
    const open = await Promise.all(Array.from({ length: 4 }, () => rawSocket(bot.url)));
    const served = await rawRequest(bot.url, requestHead('GET', '/healthz'));
    assert.equal(served.status, 429);
    assert.equal(served.headers['retry-after'], '1');
    open[0]!.socket.write(requestHead('GET', '/healthz'));
    assert.equal((await open[0]!.answer()).status, 200);
    // The closed one frees its place once the server has seen it close (a round trip or so).
    let status = 0;
    for (let attempt = 0; attempt < 50 && status !== 200; attempt++)
      status = (await rawRequest(bot.url, requestHead('GET', '/healthz'))).status;
    assert.equal(status, 200);
    for (const { socket } of open) socket.destroy();
  } finally {
    await bot.close();
  }
});
