/**
 * The dashboard behind a load balancer: two replicas of the assembled bot on one real
 * redis-server (one DIRECTLINE_SECRET, as REDIS_URL requires). A link replica A posts in the Slack
 * support channel signs in on replica B, once: used on B, it is refused on A; and the session
 * cookie B set opens A's dashboard, since both derive their keys from the deployment's secret.
 * The history is shared too: findings, step results and a resolution from web chat turns that
 * replica A handled show in B's /admin/api/summary, the same figures A shows.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { RunningBot } from '../../bot/app.ts';
import type { DashboardSummary } from '../../bot/dashboard/types.ts';
import { tempDir } from '../agents/harness.ts';
import type { Chat } from '../bot/conversation-driver.ts';
import { startReplica } from '../cluster/replicas.ts';
import { type RedisServer, startRedis } from '../lab/redis.ts';
import { type SlackApiLab, startSlackApi } from '../lab/slack-api.ts';
import { appMention, BOT_TOKEN, postSigned, SIGNING_SECRET } from '../slack/harness.ts';
import { proxyUser, SUPPORT } from './harness.ts';

const data = tempDir('reconnect-dashboard-replicas-');
let redis: RedisServer;
let api: SlackApiLab;
let a: RunningBot;
let b: RunningBot;
const chats: Chat[] = [];

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
  for (const chat of chats) chat.close();
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

const tokenOf = (call: { method: string; params: Record<string, unknown> }) =>
  call.method === 'chat.postMessage'
    ? /\/admin\/signin\?t=([A-Za-z0-9_.-]+)/.exec(String(call.params.text))?.[1]
    : undefined;

/** Asks replica `on` for a link in the support channel; resolves with the new link's token. */
async function askLink(on: RunningBot): Promise<string> {
  const seen = new Set(api.calls.map(tokenOf));
  const asked = await postSigned(`${on.url}/api/slack/events`, appMention('dashboard', { channel: SUPPORT }));
  assert.equal(asked.status, 200);
  await on.slack!.idle();
  await on.support.idle();
  const call = await api.waitForCall((c) => tokenOf(c) !== undefined && !seen.has(tokenOf(c)));
  return tokenOf(call)!;
}

const summaryOf = async (bot: RunningBot, cookie: string): Promise<DashboardSummary> => {
  const res = await fetch(`${bot.url}/admin/api/summary`, { headers: { cookie } });
  assert.equal(res.status, 200);
  return (await res.json()) as DashboardSummary;
};
const history = (s: DashboardSummary) => ({
  findings: s.findings,
  steps: s.steps,
  cases: s.resolution.cases,
});

test("findings, steps and resolutions from turns on replica A show in B's summary", async () => {
  // One user on A whose proxy sign-in is fixed (the step verified, the case resolved), one on A
  // whose re-check still fails.
  chats.push(await proxyUser(a.url, 'fixed'), await proxyUser(a.url, 'still failing'));
  // A's turns are over and their history writes landed (B handled none).
  await a.directLine.idle();
  await a.dashboard.idle();
  const signedIn = await signIn(b, await askLink(b));
  assert.equal(signedIn.status, 303);
  const cookie = (signedIn.headers.get('set-cookie') ?? '').split(';')[0]!;

  const onB = history(await summaryOf(b, cookie));
  const proxy = onB.findings.series.find((f) => f.id === 'proxy.auth_required');
  assert.equal(
    proxy?.counts.reduce((x, y) => x + y, 0),
    2,
    'B charts the two findings A named',
  );
  assert.deepEqual(
    onB.steps.map((s) => [s.verified, s.failed]),
    [[1, 1]],
    "B tallies A's re-checks",
  );
  assert.equal(onB.cases.count, 1, "B counts A's resolution");
  assert.deepEqual(history(await summaryOf(a, cookie)), onB, 'A shows the same figures');
});
