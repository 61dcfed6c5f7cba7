/**
 * Issue 16: the agent's socket cut in every phase of a job, over the real gateway with a raw
 * agent. Before hello the code is not used up; after the job was sent, the reconnected agent
 * that no longer has it gets it again; mid-result (half a message, then the socket dies) and
 * after the result but before the agent could know it arrived, the agent reconnects holding
 * the job and sends the result (again): every time the case hears exactly one report, and the
 * job is never reported lost. "Everything the gateway read was handled" is observed through the
 * presence going offline, which the gateway records only after the connection's queued messages.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { wireJobId } from '../../bot/agents/job-message.ts';
import type { Session } from '../../bot/core/types.ts';
import type { Store } from '../../bot/store/types.ts';
import { inspectedReport } from '../agents/fakes.ts';
import {
  confirmDevice,
  gatewaySetup,
  LAB_DEVICE,
  pairedAgent,
  pairingSession,
  type RunningGateway,
  tempDir,
  until,
} from '../agents/harness.ts';
import { type RawAgent, rawAgent } from '../agents/raw-agent.ts';

const data = tempDir();
const running: RunningGateway[] = [];
after(async () => {
  for (const g of running) await g.close();
  data.remove();
});

/** Closes `agent` and resolves once the gateway has handled all it read from it (presence offline). */
async function gone(store: Store<Session>, agent: RawAgent, agentId: string, how: 'close' | 'terminate') {
  agent.ws[how]();
  await until(async () => (await store.agents.get(agentId))?.online === false, 5000, 'offline presence');
}

/** A paired, confirmed agent with one check job sent to it. */
async function withJob() {
  const p = await pairedAgent(data.dir, running);
  const session = await confirmDevice(p.store, p.session.id, p.event);
  await p.g.gateway.dispatch(session, { type: 'check', jobId: 'c1', sessionId: session.id });
  const job = await p.agent.next('job');
  assert.equal(job.jobId, wireJobId('c1'));
  const back = async (runningJobs: string[]) => {
    const agent = await rawAgent(p.g.url);
    agent.send({
      v: 1,
      type: 'hello',
      agentId: p.ok.agentId,
      secret: p.ok.secret,
      device: LAB_DEVICE,
      running: runningJobs,
    });
    await agent.next('hello.ok');
    return agent;
  };
  const reports = () => p.g.events.list.filter((e) => e.kind === 'report').length;
  const lost = () => p.g.events.list.filter((e) => e.kind === 'agentJobEnded' && e.outcome !== 'done').length;
  return { ...p, job, back, reports, lost };
}

test('cut before hello: the code is not used up, and pairs on the next connection', async () => {
  const { store, g } = await gatewaySetup(data.dir, running);
  const session = await pairingSession(store, 's-before-hello');
  const { code } = await g.gateway.issuePairing(session);
  const first = await rawAgent(g.url);
  first.ws.terminate();
  await first.closed;
  const second = await rawAgent(g.url);
  second.send({ v: 1, type: 'hello', code, device: LAB_DEVICE });
  assert.ok((await second.next('hello.ok')).agentId);
  assert.equal(g.events.list.filter((e) => e.kind === 'paired').length, 1);
});

test('cut after the job was sent: the agent back without it gets the same job again, one report', async () => {
  const p = await withJob();
  await gone(p.store, p.agent, p.ok.agentId, 'terminate');
  const agent = await p.back([]);
  const again = await agent.next('job');
  assert.equal(again.jobId, p.job.jobId, 'the same job, not a new one');
  agent.send({ v: 1, type: 'result', jobId: again.jobId, report: inspectedReport() });
  await p.g.events.next('report');
  await gone(p.store, agent, p.ok.agentId, 'close');
  assert.equal(p.reports(), 1);
  assert.equal(p.lost(), 0, 'the job was never reported lost');
});

test('cut mid-result: the half message is dropped, the agent back with the job sends it whole, one report', async () => {
  const p = await withJob();
  const result = JSON.stringify({ v: 1, type: 'result', jobId: p.job.jobId, report: inspectedReport() });
  // The first fragment of the message, then the socket dies before the rest.
  p.agent.ws.send(result.slice(0, result.length / 2), { fin: false });
  await gone(p.store, p.agent, p.ok.agentId, 'terminate');
  assert.equal(p.reports(), 0, 'half a result is no result');
  const agent = await p.back([p.job.jobId]);
  agent.send(JSON.parse(result));
  await p.g.events.next('report');
  await gone(p.store, agent, p.ok.agentId, 'close');
  assert.equal(
    agent.inbox.filter((m) => m.type === 'job').length,
    0,
    'a job the agent holds is not sent again',
  );
  assert.equal(p.reports(), 1);
  assert.equal(p.lost(), 0);
});

test('cut after the result, before the agent could know: it sends the result again; the case hears it once', async () => {
  const p = await withJob();
  const result = { v: 1, type: 'result', jobId: p.job.jobId, report: inspectedReport() };
  p.agent.send(result);
  await gone(p.store, p.agent, p.ok.agentId, 'terminate');
  const agent = await p.back([p.job.jobId]);
  agent.send(result);
  await gone(p.store, agent, p.ok.agentId, 'close');
  assert.equal(p.reports(), 1, 'one report although the result came twice');
  assert.equal(p.lost(), 0);
});
