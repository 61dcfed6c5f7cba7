/**
 * The bot serves the one-file agent with its SHA-256 (headers and a sha256sum-style file), says
 * how to build it when it is missing.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { agentDownloadRoutes } from '../../bot/agents/download.ts';
import { loadBotConfig } from '../../bot/config.ts';
import { silentLogger } from '../../bot/log.ts';
import { createServer } from '../../bot/server.ts';
import { createMemoryStore } from '../../bot/store/memory.ts';
import { tempDir } from './harness.ts';

const data = tempDir();
after(() => data.remove());

async function serve(bundlePath: string) {
  const config = loadBotConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: data.dir, NODE_ENV: 'test' });
  const app = createServer({
    config,
    store: createMemoryStore(),
    log: silentLogger,
    routes: [agentDownloadRoutes({ log: silentLogger, bundlePath })],
  });
  const { url } = await app.listen();
  return { url, close: () => app.close() };
}

test('the agent file and its SHA-256, which sha256sum accepts', async () => {
  const bundle = join(data.dir, 'reconnect-agent.js');
  const body = '#!/usr/bin/env node\nconsole.log("agent")\n';
  writeFileSync(bundle, body);
  const digest = createHash('sha256').update(body).digest('hex');
  const bot = await serve(bundle);
  try {
    const file = await fetch(`${bot.url}/agent/reconnect-agent.js`);
    assert.equal(file.status, 200);
    assert.equal(await file.text(), body);
    assert.equal(file.headers.get('x-checksum-sha256'), digest);
    assert.equal(
      file.headers.get('repr-digest'),
      `sha-256=:${Buffer.from(digest, 'hex').toString('base64')}:`,
    );
    assert.match(file.headers.get('content-type') ?? '', /^text\/javascript/);
    const sum = await fetch(`${bot.url}/agent/reconnect-agent.js.sha256`);
    const sumText = await sum.text();
    assert.equal(sumText, `${digest}  reconnect-agent.js\n`);
    writeFileSync(join(data.dir, 'reconnect-agent.js.sha256'), sumText);
    assert.match(
      execFileSync('sha256sum', ['-c', 'reconnect-agent.js.sha256'], { cwd: data.dir, encoding: 'utf8' }),
      /reconnect-agent.js: OK/,
    );
    const cached = await fetch(`${bot.url}/agent/reconnect-agent.js`, {
      headers: { 'if-none-match': `"${digest}"` },
    });
    assert.equal(cached.status, 304);

    writeFileSync(bundle, `${body}// rebuilt\n`);
    const rebuilt = await fetch(`${bot.url}/agent/reconnect-agent.js`);
    await rebuilt.arrayBuffer();
    assert.notEqual(rebuilt.headers.get('x-checksum-sha256'), digest, 'a rebuilt file gets its own digest');
  } finally {
    await bot.close();
  }
});

test('without a build the answer names the command that makes one', async () => {
  const bot = await serve(join(data.dir, 'missing.js'));
  try {
    const res = await fetch(`${bot.url}/agent/reconnect-agent.js`);
    assert.equal(res.status, 503);
    assert.match(JSON.stringify(await res.json()), /npm run build/);
  } finally {
    await bot.close();
  }
});
