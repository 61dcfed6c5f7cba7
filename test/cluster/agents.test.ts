/**
 * The agent across replicas (issue 13), with the real agent process and the lab, two replicas
 * and one redis-server on loopback, a TCP balancer in front standing in for the Ingress:
 *
 * - an agent paired through replica A runs the check and the re-checks that button presses on
 *   replica B asked for, and B's web chat stream shows every card change;
 * - replica A drains (closes) while the agent checks: the agent hears 1001, reconnects through
 *   the balancer to B, and the person sees one result;
 * - replica A, as its own process, is SIGKILLed while the agent checks: the same.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { RunningBot } from '../../bot/app.ts';
import { conversationKey, type Session } from '../../bot/core/types.ts';
import { openRedisStore } from '../../bot/store/redis.ts';
import { connectRedis } from '../../bot/store/redis-client.ts';
import type { Store } from '../../bot/store/types.ts';
import type { AgentProcess } from '../agents/agent-process.ts';
import { FIRST_PROGRESS, pairFromCard } from '../agents/chat-bot.ts';
import { tempDir } from '../agents/harness.ts';
import { type Chat, cardOf, cardText, openChat } from '../bot/conversation-driver.ts';
import { type RedisServer, startRedis } from '../lab/redis.ts';
import { type Scenario, startScenario } from '../lab/scenario.ts';
import { type Balancer, startBalancer } from './balancer.ts';
import { portOf, spawnReplica, startReplica } from './replicas.ts';

const data = tempDir('reconnect-cluster-agents-');
const cleanup: Array<() => unknown> = [];
after(async () => {
  for (const fn of cleanup.reverse()) await fn();
  data.remove();
});

const KNOBS = { heartbeatMs: 300, heartbeatTimeoutMs: 3000, reconnectGraceMs: 5000, progressIntervalMs: 300 };
const LONG = 90_000;

async function world(stun?: 'silence') {
  const redis: RedisServer = await startRedis();
  cleanup.push(() => redis.stop());
  const lab: Scenario = await startScenario({
    endpoints: { auth: { cert: 'inspection' } },
    trustInspection: true,
    ...(stun ? { stun } : {}),
  });
  cleanup.push(() => lab.close());
  const balancer: Balancer = await startBalancer();
  cleanup.push(() => balancer.close());
  return { redis, lab, balancer };
}

async function replica(
  redisUrl: string,
  name: string,
  publicUrl: string,
  extra: { watchMs?: number } = {},
): Promise<RunningBot> {
  const running = await startReplica(
    { redisUrl, dataDir: join(data.dir, name), publicUrl },
    { agents: KNOBS, ...extra },
  );
  cleanup.push(() => running.close());
  return running;
}

const pair = (chat: Chat, lab: Scenario): Promise<AgentProcess> =>
  pairFromCard(chat, lab, (agent) => cleanup.push(() => agent.kill()), LONG);

/**
 * The person's page on B, its stream too (the stream URL names PUBLIC_URL, the balancer, which
 * sends it to B then); the agent paired and confirmed through A (the balancer's only backend
 * then). Afterwards the balancer still sends new connections to A only.
 */
async function pageOnBAgentOnA(balancer: Balancer, aUrl: string, bUrl: string, lab: Scenario) {
  balancer.setBackends([portOf(bUrl)]);
  const chat = await openChat(bUrl);
  cleanup.push(() => chat.close());
  balancer.setBackends([portOf(aUrl)]);
  const agent = await pair(chat, lab);
  return { chat, agent };
}

async function redisStore(url: string): Promise<Store<Session>> {
  const store = openRedisStore<Session>({ client: await connectRedis({ url, name: 'test' }) });
  cleanup.push(() => store.close());
  return store;
}

/** What the person saw and what the store kept: exactly one result of the one check. */
async function assertOneResult(store: Store<Session>, chat: Chat) {
  const session = await store.sessions.findByConversation(conversationKey('webchat', chat.conversationId));
  assert.ok(session);
  const results = (await store.audit.list(session.id)).filter((e) => e.kind === 'agent_job_result');
  assert.equal(results.length, 1, 'one result for the one check');
  assert.equal(session.timeline.filter((t) => t.text === 'Report from the agent').length, 1);
  const findingsCards = chat
    .transcript()
    .filter((e) => /I found what is getting in the way/.test(cardText(cardOf(e.activity) ?? {})));
  assert.equal(findingsCards.length, 1, 'one findings card');
}

test('an agent paired through replica A runs the re-check a button press on replica B asked for', async () => {
  const { redis, lab, balancer } = await world();
  const a = await replica(redis.url, 'a', balancer.url);
  const b = await replica(redis.url, 'b', balancer.url);
  const { chat, agent } = await pageOnBAgentOnA(balancer, a.url, b.url, lab);
  const findings = await chat.card(/re-signs the secure connection/, LONG);
  assert.deepEqual([a.agents?.connections, b.agents?.connections], [1, 0], 'the agent is held by A');

  await chat.click('Show me the fix');
  await chat.card(/To do/);
  await chat.click('Done — check again');
  const failing = await chat.card(/Still failing/, LONG);
  assert.equal(failing.activity.id, findings.activity.id, 'the re-check updated the card in place');
  assert.deepEqual([a.agents?.connections, b.agents?.connections], [1, 0], 'B asked, A ran it');

  lab.setCertificate('auth', 'genuine');
  await chat.click('Done — check again');
  await chat.card(/Fixed \(verified\)/, LONG);
  await chat.card(/Teams should work again/);
  await agent.waitFor(/The helpdesk closed the case/, 30_000);
  assert.equal(await agent.exited, 0);
  const session = await b.store.sessions.findByConversation(conversationKey('webchat', chat.conversationId));
  assert.equal(session?.state, 'resolved');
  assert.equal(session?.reportSource, 'agent');
});

test('replica A drains while the agent checks: 1001, the agent reconnects to B, one result', async () => {
  const { redis, lab, balancer } = await world('silence');
  const a = await replica(redis.url, 'drain-a', balancer.url);
  const b = await replica(redis.url, 'drain-b', balancer.url);
  const { chat, agent } = await pageOnBAgentOnA(balancer, a.url, b.url, lab);
  await chat.card(FIRST_PROGRESS, LONG);
  assert.equal(a.agents?.connections, 1);
  balancer.setBackends([portOf(a.url), portOf(b.url)]);

  const session = await b.store.sessions.findByConversation(conversationKey('webchat', chat.conversationId));
  const agentId = session?.pairing?.device?.agentId ?? '';
  const onA = (await b.store.agents.get(agentId))?.replicaId;
  assert.ok(onA);
  await a.close();
  const record = await b.store.agents.get(agentId);
  assert.notEqual(
    record?.replicaId,
    onA,
    'once drained, A no longer claims the agent (offline, or on B already)',
  );
  // 1001 "going away", with the gateway's reason.
  await agent.waitFor(/Lost the connection to the helpdesk bot at \S+ \(server shutting down\)/, LONG);
  await chat.card(/re-signs the secure connection/, LONG);
  assert.equal(b.agents?.connections, 1, 'the agent is on B now');
  await assertOneResult(b.store, chat);
});

test('SIGKILL of the replica holding the agent mid-check: the agent reconnects to the other, one result', async () => {
  const { redis, lab, balancer } = await world('silence');
  const options = (name: string) => ({
    redisUrl: redis.url,
    dataDir: join(data.dir, name),
    publicUrl: balancer.url,
  });
  const a = await spawnReplica(options('kill-a'));
  const b = await spawnReplica(options('kill-b'));
  cleanup.push(() => {
    for (const r of [a, b])
      if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGKILL');
  });
  const { chat, agent } = await pageOnBAgentOnA(balancer, a.url, b.url, lab);
  await chat.card(FIRST_PROGRESS, LONG);
  const store = await redisStore(redis.url);
  const session = await store.sessions.findByConversation(conversationKey('webchat', chat.conversationId));
  const agentId = session?.pairing?.device?.agentId;
  assert.ok(agentId);
  const holder = (await store.agents.get(agentId))?.replicaId ?? '';
  assert.match(holder, new RegExp(`-${a.child.pid}-`), 'A (by its pid) holds the agent');
  balancer.setBackends([portOf(a.url), portOf(b.url)]);

  a.child.kill('SIGKILL');
  assert.equal(await a.exited, null, 'killed by the signal');
  await chat.card(/re-signs the secure connection/, LONG);
  const now = await store.agents.get(agentId);
  assert.match(now?.replicaId ?? '', new RegExp(`-${b.child.pid}-`), 'B holds the agent now');
  assert.equal(now?.online, true);
  await assertOneResult(store, chat);
  assert.match(agent.output, /Lost the connection to the helpdesk bot/);
});

test('Stop pressed on replica B ends the watch the agent on replica A runs', async () => {
  const { redis, lab, balancer } = await world();
  const watchMs = 5 * 60_000;
  const a = await replica(redis.url, 'watch-a', balancer.url, { watchMs });
  const b = await replica(redis.url, 'watch-b', balancer.url, { watchMs });
  const { chat } = await pageOnBAgentOnA(balancer, a.url, b.url, lab);
  await chat.card(/re-signs the secure connection/, LONG);
  await chat.click('Keep checking while I try to sign in');
  await chat.card(/[1-9]\d* rounds? of checks so far/, LONG);
  assert.deepEqual([a.agents?.connections, b.agents?.connections], [1, 0], 'the agent is held by A');
  await chat.click('Stop');
  // B marks the job; A, which holds the agent, sends the cancel: the agent ends its rounds.
  await chat.card(/Watched the connection for .*no drop-outs in \d+ rounds/, LONG);
  const session = await b.store.sessions.findByConversation(conversationKey('webchat', chat.conversationId));
  assert.equal(session?.watch, undefined);
  const summary = session?.report?.watch;
  assert.ok(summary && summary.durationMs < watchMs, JSON.stringify(summary));
});
