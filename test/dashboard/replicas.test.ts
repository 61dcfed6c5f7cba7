/**
 * The dashboard behind a load balancer: two replicas of the assembled bot on one real
 * redis-server (one DIRECTLINE_SECRET, as REDIS_URL requires). A link replica A posts in the Slack
 * support channel signs in on replica B, once: used on B, it is refused on A; and the session
 * cookie B set opens A's dashboard, since both derive their keys from the deployment's secret.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { RunningBot } from '../../bot/app.ts';
import { tempDir } from '../agents/harness.ts';
import { startReplica } from '../cluster/replicas.ts';
import { type RedisServer, startRedis } from '../lab/redis.ts';
import { type SlackApiLab, startSlackApi } from '../lab/slack-api.ts';
import { appMention, BOT_TOKEN, postSigned, SIGNING_SECRET } from '../slack/harness.ts';
import { SUPPORT } from './harness.ts';

const data = tempDir('reconnect-dashboard-replicas-');
let redis: RedisServer;
let api: SlackApiLab;
let a: RunningBot;
let b: RunningBot;

before(async () => {
  redis = await startRedis();
  api = await startSlackApi({ botToken: BOT_TOKEN });
  const env = {
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: api.apiUrl,
    SUPPORT_SLACK_CHANNEL: SUPPORT,
  };
  a = await startReplica({ redisUrl: redis.url, dataDir: join(data.dir, 'a'), env }, { agents: false });
  b = await startReplica({ redisUrl: redis.url, dataDir: join(data.dir, 'b'), env }, { agents: false });
});
after(async () => {
  await a?.close();
  await b?.close();
  await api?.close();
  await redis?.stop();
  data.remove();
});

const signIn = (bot: RunningBot, token: string) =>
  fetch(`${bot.url}/admin/signin`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ t: token }).toString(),
    redirect: 'manual',
  });

test("a link from replica A signs in once on B, is then refused on A, and B's cookie opens A", async () => {
  const asked = await postSigned(`${a.url}/api/slack/events`, appMention('dashboard', { channel: SUPPORT }));
  assert.equal(asked.status, 200);
  await a.slack!.idle();
  const call = await api.waitForCall(
    (c) => c.method === 'chat.postMessage' && String(c.params.text).includes('/admin/signin'),
  );
  const token = /\/admin\/signin\?t=([A-Za-z0-9_.-]+)/.exec(String(call.params.text))![1]!;

  const onB = await signIn(b, token);
  assert.equal(onB.status, 303);
  assert.equal((await signIn(a, token)).status, 401, 'the other replica knows it was used');
  const cookie = (onB.headers.get('set-cookie') ?? '').split(';')[0]!;
  assert.equal((await fetch(`${a.url}/admin/api/summary`, { headers: { cookie } })).status, 200);
});
