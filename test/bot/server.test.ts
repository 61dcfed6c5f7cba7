/**
 * Server assembly: readiness follows the store, route modules plug in (the Teams hook), the
 * page is served with its CSP and precompressed bundle, nothing outside the web root can be
 * named, and a graceful close ends streams with "going away".
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { brotliCompressSync } from 'node:zlib';
import type { Request, Response, Server } from 'restify';
import { createMemoryStore } from '../../bot/store/memory.ts';
import { call, openConversation, openStream, startTestBot, tempDataDir } from './directline-client.ts';

const data = tempDataDir();
after(() => data.remove());

test('/readyz is 503 once the store stops accepting writes, while /healthz stays 200', async () => {
  const store = createMemoryStore();
  const bot = await startTestBot(join(data.dir, 'ready'), { store });
  try {
    assert.equal((await call(bot.url, 'GET', '/readyz')).status, 200);
    await store.close();
    const ready = await call(bot.url, 'GET', '/readyz');
    assert.deepEqual([ready.status, ready.body.status], [503, 'unavailable']);
    assert.equal((await call(bot.url, 'GET', '/healthz')).status, 200);
  } finally {
    await bot.close();
  }
});

test('route modules plug in (the /api/messages hook) next to Direct Line and the page', async () => {
  const teams = (server: Server) => {
    server.post('/api/messages', (req: Request, res: Response, next: () => void) => {
      res.send(200, { got: (req.body as { type?: string }).type });
      next();
    });
  };
  const bot = await startTestBot(join(data.dir, 'routes'), { routes: [teams] });
  try {
    assert.deepEqual(await call(bot.url, 'POST', '/api/messages', { body: { type: 'message' } }), {
      status: 200,
      body: { got: 'message' },
    });
  } finally {
    await bot.close();
  }
});

test('the page: CSP and no-cache on index.html, Brotli bundle when accepted, nothing outside the root', async () => {
  const webRoot = join(data.dir, 'web');
  mkdirSync(webRoot, { recursive: true });
  writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>t</title>');
  writeFileSync(join(webRoot, 'webchat.js'), 'console.log("plain")');
  writeFileSync(join(webRoot, 'webchat.js.br'), brotliCompressSync('console.log("brotli")'));
  writeFileSync(join(data.dir, 'secret.txt'), 'not for the web');
  const bot = await startTestBot(join(data.dir, 'page'), { webRoot });
  try {
    const index = await fetch(`${bot.url}/`);
    assert.equal(index.status, 200);
    assert.match(
      index.headers.get('content-security-policy') ?? '',
      /default-src 'self'.*connect-src 'self'/,
    );
    assert.equal(index.headers.get('cache-control'), 'no-cache');
    const br = await fetch(`${bot.url}/webchat.js`, { headers: { 'accept-encoding': 'br' } });
    assert.equal(br.headers.get('content-encoding'), 'br');
    assert.equal(await br.text(), 'console.log("brotli")');
    const plain = await fetch(`${bot.url}/webchat.js`, { headers: { 'accept-encoding': 'identity' } });
    assert.equal(plain.headers.get('content-encoding'), null);
    assert.equal(await plain.text(), 'console.log("plain")');
    for (const path of [
      '/..%2Fsecret.txt',
      '/%2e%2e%2fsecret.txt',
      '/.env',
      '/webchat.js.br',
      '/missing.js',
    ]) {
      assert.equal((await fetch(`${bot.url}${path}`)).status, 404, path);
    }
  } finally {
    await bot.close();
  }
});

test('an unbuilt page answers 503 naming the build command', async () => {
  const bot = await startTestBot(join(data.dir, 'unbuilt'), { webRoot: join(data.dir, 'no-such-dir') });
  try {
    const res = await call(bot.url, 'GET', '/');
    assert.equal(res.status, 503);
    assert.match(res.body.error.message, /npm run build:web/);
  } finally {
    await bot.close();
  }
});

test('a graceful close ends open streams with 1001 (going away) and stops listening', async () => {
  const bot = await startTestBot(join(data.dir, 'close'));
  const { started } = await openConversation(bot.url);
  const stream = await openStream(started.body.streamUrl);
  await bot.close();
  assert.equal(await stream.closed, 1001);
  await assert.rejects(fetch(`${bot.url}/healthz`, { signal: AbortSignal.timeout(5000) }));
});
