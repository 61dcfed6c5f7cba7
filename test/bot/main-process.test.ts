/**
 * `node bot/main.ts` as a real process: a SIGKILL mid-conversation loses nothing (SQLite WAL in
 * DATA_DIR, the Direct Line secret persisted beside it), SIGTERM stops cleanly with exit 0, and
 * a production start without MicrosoftAppId refuses with exit 2 and a sentence, not a stack.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { killAll, spawnBot } from './bot-process.ts';
import { call, openConversation, openStream, tempDataDir } from './directline-client.ts';

const data = tempDataDir();
after(() => {
  killAll();
  data.remove();
});

type Said = { text?: string; from: { role?: string } };
/** True when a bot reply follows the user's message `said` (the core answers every message). */
const answered = (said: string, activities: Said[]) => {
  const at = activities.findIndex((a) => a.text === said);
  return at >= 0 && activities.slice(at + 1).some((a) => a.from.role === 'bot');
};
/** Everything a stream has received so far, in order. */
const received = (stream: { sets: { activities: Said[] }[] }) => stream.sets.flatMap((set) => set.activities);

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
  await stream.waitFor(() => answered('before', received(stream)));
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
  await resumed.waitFor(() => answered('after', received(resumed)));
  const all = await call(second.url, 'GET', `/v3/directline/conversations/${cid}/activities`, {
    auth: reconnect.body.token,
  });
  const said = all.body.activities.filter((a: { from: { role: string } }) => a.from.role === 'user');
  assert.deepEqual(
    said.map((a: { text: string }) => a.text),
    ['before', 'after'],
    'the log kept what was said before the kill',
  );
  assert.ok(answered('after', all.body.activities), 'and the restarted bot answered the message after it');

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
