/**
 * `npm start` with REDIS_URL pointing where no Redis listens: the bot does not start, and its
 * one line on standard error names REDIS_URL, the address (password hidden) and what was tried.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { killAll, spawnBot } from '../bot/bot-process.ts';
import { tempDataDir } from '../bot/directline-client.ts';
import { freePort } from '../lab/redis.ts';
import { SHARED_SECRET } from './replicas.ts';

const data = tempDataDir();
after(() => {
  killAll();
  data.remove();
});

test('an unreachable REDIS_URL stops the start with a message naming it', async () => {
  const port = await freePort();
  const failed = await spawnBot({
    DATA_DIR: data.dir,
    REDIS_URL: `redis://:s3cret@127.0.0.1:${port}`,
    DIRECTLINE_SECRET: SHARED_SECRET,
  }).then(
    () => assert.fail('the bot started without its Redis'),
    (error: { code: number | null; stderr: string }) => error,
  );
  assert.equal(failed.code, 1);
  assert.match(
    failed.stderr,
    new RegExp(
      `^Reconnect cannot start: cannot reach Redis at REDIS_URL=redis://:\\*\\*\\*@127\\.0\\.0\\.1:${port}`,
      'm',
    ),
  );
  assert.match(failed.stderr, /ECONNREFUSED/);
  assert.doesNotMatch(failed.stderr, /s3cret/);
});
