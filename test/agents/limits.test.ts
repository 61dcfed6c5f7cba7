/**
 * The agent gateway's limits (issue 16): one message's size (close 1009 past it), messages per
 * second per agent (close 1008 past the burst), and open jobs per session (the next job is
 * refused, and the chat hears so). Each at the limit and one past it, on an injected clock.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { WebSocket } from 'ws';
import { wireJobId } from '../../bot/agents/job-message.ts';
import { createPairing } from '../../bot/agents/pairing.ts';
import type { Session } from '../../bot/core/types.ts';
import { DEFAULT_LIMITS } from '../../bot/limits.ts';
import { createMemoryStore } from '../../bot/store/memory.ts';
import { AGENTS_PATH } from '../../probes/agent/protocol.ts';
import { fakeTimers } from './fakes.ts';
import { confirmDevice, pairingSession, type RunningGateway, startGateway, tempDir } from './harness.ts';

const data = tempDir();
const running: RunningGateway[] = [];
after(async () => {
  for (const g of running) await g.close();
  data.remove();
});

const device = { name: 'LAB-PC', os: 'linux', osVersion: '6.8.0', agentVersion: '0.1.0' };

/** A gateway with `limits`, and an agent paired and confirmed; `jobs` collects the jobs it gets. */
async function pairedAgent(limits: Partial<typeof DEFAULT_LIMITS>) {
  const timers = fakeTimers(Date.now());
  const store = createMemoryStore<Session>({ now: timers.now });
  const pairing = createPairing({ store, now: timers.now });
  const g = await startGateway(store, {
    dataDir: data.dir,
    timers,
    heartbeatMs: 0,
    pairing,
    limits: { ...DEFAULT_LIMITS, ...limits },
  });
  running.push(g);
  const session = await pairingSession(store, `s-${Math.random().toString(36).slice(2)}`);
  const { code } = await g.gateway.issuePairing(session);
  const ws = new WebSocket(g.url.replace('http', 'ws') + AGENTS_PATH);
  const jobs: string[] = [];
  let wake = () => {};
  ws.on('message', (d) => {
    const message = JSON.parse(d.toString()) as { type: string; jobId?: string };
    if (message.type === 'job') jobs.push(String(message.jobId));
    wake();
  });
  const closed = new Promise<number>((resolve) => ws.on('close', (c) => resolve(c)));
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  ws.send(JSON.stringify({ v: 1, type: 'hello', code, device }));
  const confirmed = await confirmDevice(store, session.id, await g.events.next('paired'));
  /** Dispatches a job and resolves when the agent has it (proof the connection is open). */
  const job = async (jobId: string) => {
    await g.gateway.dispatch((await store.sessions.get(confirmed.id))!, {
      type: 'check',
      jobId,
      sessionId: confirmed.id,
    });
    while (!jobs.includes(wireJobId(jobId))) await new Promise<void>((r) => (wake = r));
  };
  return { g, ws, jobs, closed, job, timers, store, session: confirmed };
}

test('message size: a frame at the limit is read (and refused as no protocol message), one byte more closes with 1009', async () => {
  const limit = 64 * 1024;
  const a = await pairedAgent({ agentMessageBytes: limit });
  a.ws.send(Buffer.alloc(limit));
  await a.job('after-big');
  a.ws.send(Buffer.alloc(limit + 1));
  assert.equal(await a.closed, 1009);
});

test('message rate: a burst of twice the rate passes, the next message closes with 1008; the budget refills', async () => {
  const a = await pairedAgent({ agentMessagesPerSec: 2 });
  // The hello was one of the burst of 4.
  for (let i = 0; i < 3; i++) a.ws.send(JSON.stringify({ v: 1, type: 'pong' }));
  await a.job('within-burst');
  await a.timers.advance(1000);
  // A second later two more fit.
  for (let i = 0; i < 2; i++) a.ws.send(JSON.stringify({ v: 1, type: 'pong' }));
  await a.job('after-refill');
  a.ws.send(JSON.stringify({ v: 1, type: 'pong' }));
  assert.equal(await a.closed, 1008);
});

test('open jobs per session: at the limit the jobs go out, one more is refused and the chat hears so', async () => {
  const a = await pairedAgent({ pendingJobsPerSession: 2 });
  await a.job('one');
  await a.job('two');
  await a.g.gateway.dispatch(a.session, { type: 'check', jobId: 'three', sessionId: a.session.id });
  const ended = await a.g.events.next('agentJobEnded');
  assert.ok(ended.kind === 'agentJobEnded');
  assert.equal(ended.jobId, 'three');
  assert.equal(ended.outcome, 'refused');
  assert.match(ended.message, /2 checks are still running/);
  assert.equal(a.jobs.length, 2);
  a.ws.close();
});
