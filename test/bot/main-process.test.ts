/**
 * `node bot/main.ts` as a real process: a SIGKILL mid-conversation loses nothing (SQLite WAL in
 * DATA_DIR, the Direct Line secret persisted beside it), SIGTERM stops cleanly with exit 0, and
 * a production start without MicrosoftAppId refuses with exit 2 and a sentence, not a stack.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { call, openConversation, openStream, tempDataDir } from './directline-client.ts';

const MAIN = join(import.meta.dirname, '..', '..', 'bot', 'main.ts');
const data = tempDataDir();
const children: ChildProcess[] = [];
after(() => {
  for (const child of children) child.kill('SIGKILL');
  data.remove();
});

interface Started {
  child: ChildProcess;
  url: string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** Spawns the bot and resolves once it logs its URL (or rejects when it exits first / after 30 s). */
function spawnBot(env: Record<string, string>): Promise<Started> {
  // Node flags of this run (e.g. --import hooks) carry over; test-runner flags do not.
  const flags = process.execArgv.filter((flag) => !flag.startsWith('--test'));
  const child = spawn(process.execPath, [...flags, MAIN], {
    env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', NODE_ENV: 'test', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`bot did not start within 30 s: ${stderr}`)), 30_000);
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const url = /"msg":"Reconnect is listening","url":"([^"]+)"/.exec(stderr)?.[1];
      if (url !== undefined) {
        clearTimeout(timer);
        resolve({ child, url, stderr: () => stderr, exited });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(Object.assign(new Error(`bot exited with ${code}: ${stderr}`), { code, stderr }));
    });
  });
}

test('SIGKILL mid-conversation: a restarted process continues the same conversation', async () => {
  const dataDir = join(data.dir, 'kill');
  const first = await spawnBot({ DATA_DIR: dataDir });
  const { minted, started } = await openConversation(first.url);
  const cid = minted.conversationId;
  const stream = await openStream(started.body.streamUrl);
  await call(first.url, 'POST', `/v3/directline/conversations/${cid}/activities`, {
    auth: started.body.token,
    body: { type: 'message', text: 'before' },
  });
  await stream.waitFor((s) => s.activities.some((a) => a.text === 'echo: before'));
  first.child.kill('SIGKILL');
  assert.equal(await first.exited, null);

  const second = await spawnBot({ DATA_DIR: dataDir });
  const reconnect = await call(second.url, 'GET', `/v3/directline/conversations/${cid}?watermark=`, {
    auth: started.body.token,
  });
  assert.equal(reconnect.status, 200, 'the old token still verifies: the secret persisted in DATA_DIR');
  const resumed = await openStream(reconnect.body.streamUrl);
  await call(second.url, 'POST', `/v3/directline/conversations/${cid}/activities`, {
    auth: reconnect.body.token,
    body: { type: 'message', text: 'after' },
  });
  await resumed.waitFor((s) => s.activities.some((a) => a.text === 'echo: after'));
  const all = await call(second.url, 'GET', `/v3/directline/conversations/${cid}/activities`, {
    auth: reconnect.body.token,
  });
  assert.deepEqual(
    all.body.activities.map((a: { text: string }) => a.text),
    ['before', 'echo: before', 'after', 'echo: after'],
  );

  second.child.kill('SIGTERM');
  assert.equal(await second.exited, 0);
  assert.equal(await resumed.closed, 1001);
  assert.match(second.stderr(), /"msg":"stopping","signal":"SIGTERM"/);
});

test('NODE_ENV=production without MicrosoftAppId refuses to start: exit 2 and a clear sentence', async () => {
  const refused = await spawnBot({ DATA_DIR: join(data.dir, 'prod'), NODE_ENV: 'production' }).then(
    () => assert.fail('the bot started in production without an app id'),
    (error: { code: number; stderr: string }) => error,
  );
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /^Reconnect cannot start: NODE_ENV=production requires MicrosoftAppId/);
  assert.doesNotMatch(refused.stderr, /\n\s+at /, 'no stack trace');
});
