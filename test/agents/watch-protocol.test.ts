/**
 * The watch job on the wire (issue 15): the protocol takes a watch job only with a whole
 * `watchMs` inside its bounds, a round of progress only with sane figures, and a cancel only
 * with a plain job id, on both ends. The gateway, over a real socket with a raw client playing
 * the agent, sends a watch with a deadline that covers the window and a full check, refuses an
 * out-of-bounds one before it reaches the agent, turns rounds into progress the chat can show,
 * and passes a Stop on as a cancel of that very job.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { checkOutgoing, JOB_DEADLINES_MS, jobMessage, wireJobId } from '../../bot/agents/job-message.ts';
import { createPairing } from '../../bot/agents/pairing.ts';
import type { AgentJob, Session } from '../../bot/core/types.ts';
import { createMemoryStore } from '../../bot/store/memory.ts';
import {
  MAX_DEADLINE_MS,
  MAX_WATCH_MS,
  MIN_WATCH_MS,
  ProtocolError,
  parseAgentMessage,
  parseServerMessage,
} from '../../probes/agent/protocol.ts';
import { fakeTimers, inspectedReport } from './fakes.ts';
import { confirmDevice, pairingSession, type RunningGateway, startGateway, tempDir } from './harness.ts';
import { rawAgent } from './raw-agent.ts';

const watchJob = { v: 1, type: 'job', jobId: 'w-1', kind: 'watch', watchMs: 120_000, deadlineMs: 240_000 };
const round = {
  v: 1,
  type: 'progress',
  jobId: 'w-1',
  event: { stage: 'round', round: 3, failed: 1, leftMs: 9000 },
};

function refused(parse: (raw: string) => unknown, message: object, code: string) {
  assert.throws(
    () => parse(JSON.stringify(message)),
    (err: unknown) => err instanceof ProtocolError && err.code === code,
    `expected ${code} for ${JSON.stringify(message)}`,
  );
}

describe('the watch job in the protocol', () => {
  test('the agent accepts a watch job at both bounds, and a cancel', () => {
    for (const watchMs of [MIN_WATCH_MS, 120_000, MAX_WATCH_MS])
      assert.deepEqual(parseServerMessage(JSON.stringify({ ...watchJob, watchMs })), {
        ...watchJob,
        watchMs,
      });
    assert.deepEqual(parseServerMessage('{"v":1,"type":"cancel","jobId":"w-1"}'), {
      v: 1,
      type: 'cancel',
      jobId: 'w-1',
    });
  });

  test('the agent refuses a watch out of bounds, without its window, or a window on another kind', () => {
    refused(parseServerMessage, { ...watchJob, watchMs: MIN_WATCH_MS - 1 }, 'bad_value');
    refused(parseServerMessage, { ...watchJob, watchMs: MAX_WATCH_MS + 1 }, 'bad_value');
    refused(parseServerMessage, { ...watchJob, watchMs: 30_000.5 }, 'bad_value');
    refused(parseServerMessage, { ...watchJob, watchMs: '2m' }, 'bad_value');
    refused(parseServerMessage, { ...watchJob, watchMs: undefined }, 'missing_field');
    refused(parseServerMessage, { ...watchJob, kind: 'check' }, 'unknown_field');
    refused(parseServerMessage, { ...watchJob, probes: ['dns'] }, 'unknown_field');
    refused(parseServerMessage, { v: 1, type: 'cancel', jobId: '../x' }, 'bad_value');
    refused(parseServerMessage, { v: 1, type: 'cancel' }, 'missing_field');
    refused(parseServerMessage, { v: 1, type: 'cancel', jobId: 'w-1', all: true }, 'unknown_field');
  });

  test('the gateway accepts a round of progress and refuses one with wrong figures', () => {
    assert.deepEqual(parseAgentMessage(JSON.stringify(round)), round);
    const bad = (event: object) => ({ ...round, event: { ...round.event, ...event } });
    refused(parseAgentMessage, bad({ round: 0 }), 'bad_value');
    refused(parseAgentMessage, bad({ failed: -1 }), 'bad_value');
    refused(parseAgentMessage, bad({ leftMs: MAX_WATCH_MS + 1 }), 'bad_value');
    refused(parseAgentMessage, bad({ leftMs: 1.5 }), 'bad_value');
    refused(parseAgentMessage, bad({ rounds: 3 }), 'unknown_field');
    refused(parseAgentMessage, { ...round, event: { stage: 'round', round: 1, failed: 0 } }, 'missing_field');
  });

  test('the server builds a watch job whose deadline covers the window and a full check, and checks it', () => {
    const session = { report: undefined } as unknown as Session;
    for (const watchMs of [MIN_WATCH_MS, MAX_WATCH_MS]) {
      const job: AgentJob = { type: 'watch', jobId: 'core:watch', sessionId: 's', watchMs };
      const message = jobMessage(job);
      assert.equal(message.watchMs, watchMs);
      assert.equal(message.deadlineMs, watchMs + JOB_DEADLINES_MS.check);
      assert.ok(message.deadlineMs <= MAX_DEADLINE_MS);
      checkOutgoing(session, job, message);
    }
    for (const watchMs of [5000, MAX_WATCH_MS + 60_000]) {
      const job: AgentJob = { type: 'watch', jobId: 'core:watch', sessionId: 's', watchMs };
      assert.throws(
        () => checkOutgoing(session, job, jobMessage(job)),
        (err: unknown) => err instanceof ProtocolError && err.code === 'bad_value',
      );
    }
  });
});

const data = tempDir();
const running: RunningGateway[] = [];
after(async () => {
  for (const g of running) await g.close();
  data.remove();
});

test('the gateway: a watch goes out with its window, rounds come back as progress, Stop is a cancel of that job', async () => {
  const timers = fakeTimers(Date.now());
  const store = createMemoryStore<Session>({ now: timers.now });
  const pairing = createPairing({ store, now: timers.now });
  const g = await startGateway(store, {
    dataDir: data.dir,
    timers,
    heartbeatMs: 0,
    pairing,
    progressIntervalMs: 0,
  });
  running.push(g);
  const session = await pairingSession(store, 's-watch');
  const { code } = await g.gateway.issuePairing(session);
  const agent = await rawAgent(g.url);
  agent.send({
    v: 1,
    type: 'hello',
    code,
    device: { name: 'LAB-PC', os: 'linux', osVersion: '6.8.0', agentVersion: '0.1.0' },
  });
  await agent.next('hello.ok');
  const s = await confirmDevice(store, session.id, await g.events.next('paired'));

  // Out of bounds: refused at dispatch, and nothing reaches the agent.
  await g.gateway.dispatch(s, { type: 'watch', jobId: 'short:watch', sessionId: s.id, watchMs: 1000 });
  const refusedEnd = await g.events.next('agentJobEnded', 5000, (e) => e.jobId === 'short:watch');
  assert.equal(refusedEnd.outcome, 'refused');
  assert.equal(refusedEnd.jobType, 'watch');

  await g.gateway.dispatch(s, { type: 'watch', jobId: 'w:watch', sessionId: s.id, watchMs: 60_000 });
  const job = await agent.next('job');
  assert.deepEqual(job, {
    v: 1,
    type: 'job',
    jobId: wireJobId('w:watch'),
    kind: 'watch',
    watchMs: 60_000,
    deadlineMs: 60_000 + JOB_DEADLINES_MS.check,
  });
  assert.equal(agent.inbox.length, 0, 'the refused watch never went out');

  for (const [n, failed] of [
    [1, 2],
    [2, 0],
    [3, 1],
  ])
    agent.send({
      v: 1,
      type: 'progress',
      jobId: job.jobId,
      event: { stage: 'round', round: n, failed, leftMs: 60_000 - n * 1000 },
    });
  const third = await g.events.next('agentProgress', 5000, (e) => e.progress.watch?.rounds === 3);
  assert.equal(third.jobType, 'watch');
  assert.equal(third.jobId, 'w:watch', 'the core hears of its own job id');
  assert.deepEqual(third.progress.watch, { rounds: 3, failedRounds: 2, leftMs: 57_000 });
  const ids = g.events.list.filter((e) => e.kind === 'agentProgress').map((e) => e.id);
  assert.equal(new Set(ids).size, ids.length, 'each round is its own event, none deduplicated away');

  // Stop: the agent gets a cancel naming the wire id of that job; an unknown job gets none.
  await g.gateway.cancel?.(s, 'other:watch');
  await g.gateway.cancel?.(s, 'w:watch');
  assert.deepEqual(await agent.next('cancel'), { v: 1, type: 'cancel', jobId: job.jobId });
  assert.equal(agent.inbox.length, 0, 'no cancel for a job the agent does not run');

  agent.send({ v: 1, type: 'result', jobId: job.jobId, report: inspectedReport() });
  const report = await g.events.next('report');
  assert.ok(report.kind === 'report' && report.source === 'agent');
});
