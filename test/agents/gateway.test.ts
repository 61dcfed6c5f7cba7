/**
 * The gateway over real sockets with a raw WebSocket client playing the agent: codes expired,
 * reused, wrong past the limit; secrets wrong and revoked; messages out of protocol; jobs
 * before the device is confirmed; heartbeats on an injected clock; results deduplicated;
 * progress throttled.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { wireJobId } from '../../bot/agents/job-message.ts';
import { CLOSE } from '../../probes/agent/protocol.ts';
import { inspectedReport } from './fakes.ts';
import {
  confirmDevice,
  gatewaySetup,
  LAB_DEVICE,
  pairedAgent,
  pairingSession,
  type RunningGateway,
  tempDir,
  until,
} from './harness.ts';
import { rawAgent as client } from './raw-agent.ts';

const data = tempDir();
const running: RunningGateway[] = [];
after(async () => {
  for (const g of running) await g.close();
  data.remove();
});

const device = LAB_DEVICE;
const setup = (extra: Parameters<typeof gatewaySetup>[2] = {}) => gatewaySetup(data.dir, running, extra);
const paired = (extra: Parameters<typeof pairedAgent>[2] = {}) => pairedAgent(data.dir, running, extra);

describe('pairing over the gateway', () => {
  test('a code pairs once: the agent learns whose case, the chat gets the device to confirm', async () => {
    const { store, session, code, ok, event, g } = await paired();
    assert.equal(
      ok.caseLabel,
      `Alice Example's case ${session.id
        .replace(/[^A-Za-z0-9]/g, '')
        .slice(0, 8)
        .toUpperCase()} (web chat)`,
    );
    assert.match(ok.secret ?? '', /^[A-Za-z0-9_-]{43}$/);
    assert.ok(event.kind === 'paired');
    assert.deepEqual(event.device, { hostname: 'LAB-PC', os: 'Linux 6.8.0', agentId: ok.agentId });
    assert.deepEqual(event.actor, { id: `agent:${ok.agentId}`, role: 'agent' });
    const presence = await store.agents.get(ok.agentId);
    assert.equal(presence?.online, true);
    assert.notEqual(
      JSON.stringify(presence).includes(ok.secret!),
      true,
      'the secret is stored only as a hash',
    );
    const again = await client(g.url);
    again.send({ v: 1, type: 'hello', code, device });
    assert.equal((await again.next('hello.error')).reason, 'redeemed');
    assert.equal((await again.closed).code, CLOSE.refused);
  });

  test('an expired code is refused', async () => {
    const { store, timers, g } = await setup();
    const session = await pairingSession(store, 's-expired');
    const { code } = await g.gateway.issuePairing(session);
    await timers.advance(10 * 60_000);
    const agent = await client(g.url);
    agent.send({ v: 1, type: 'hello', code, device });
    assert.deepEqual(await agent.next('hello.error'), {
      v: 1,
      type: 'hello.error',
      reason: 'expired',
      message: 'this pairing code has expired: ask the chat for a new one',
    });
    assert.equal(g.events.list.length, 0);
  });

  test('wrong codes past the limit are refused even when the next one is right', async () => {
    const { store, g } = await setup();
    const session = await pairingSession(store, 's-guess');
    const { code } = await g.gateway.issuePairing(session);
    for (let i = 0; i < 5; i++) {
      const agent = await client(g.url);
      agent.send({ v: 1, type: 'hello', code: `0000${i}-00000`, device });
      assert.equal((await agent.next('hello.error')).reason, 'invalid_code');
    }
    const agent = await client(g.url);
    agent.send({ v: 1, type: 'hello', code, device });
    assert.equal((await agent.next('hello.error')).reason, 'rate_limited');
    assert.equal((await agent.closed).code, 1013);
  });

  test('reconnects need the secret; a revoked agent is refused and its jobs are lost', async () => {
    const { store, session, ok, event, g, agent } = await paired();
    await confirmDevice(store, session.id, event);
    const wrong = await client(g.url);
    wrong.send({ v: 1, type: 'hello', agentId: ok.agentId, secret: 'x'.repeat(43), device });
    assert.equal((await wrong.next('hello.error')).reason, 'unauthorized');
    await g.gateway.dispatch((await store.sessions.get(session.id))!, {
      type: 'check',
      jobId: 'job-r',
      sessionId: session.id,
    });
    await agent.next('job');
    await g.gateway.revoke(ok.agentId, 'the user said it is not their computer');
    assert.equal((await agent.closed).code, CLOSE.revoked);
    const lost = await g.events.next('agentJobEnded');
    assert.equal(lost.outcome, 'lost');
    const back = await client(g.url);
    back.send({ v: 1, type: 'hello', agentId: ok.agentId, secret: ok.secret, device });
    assert.equal((await back.next('hello.error')).reason, 'revoked');
    assert.equal((await back.closed).code, CLOSE.revoked);
  });
});

describe('protocol discipline', () => {
  test('speaking before hello closes the connection', async () => {
    const { g } = await setup();
    const agent = await client(g.url);
    agent.send({ v: 1, type: 'pong' });
    assert.equal((await agent.closed).code, CLOSE.protocol);
  });

  test('bad messages are logged and not acted on; too many close the connection', async () => {
    const { store, session, event, agent, g } = await paired();
    await confirmDevice(store, session.id, event);
    await g.gateway.dispatch((await store.sessions.get(session.id))!, {
      type: 'check',
      jobId: 'job-p',
      sessionId: session.id,
    });
    const sent = await agent.next('job');
    const report = inspectedReport();
    agent.send({ v: 1, type: 'result', jobId: sent.jobId, report, extra: 'field' });
    agent.send({ v: 1, type: 'shell', command: 'id' });
    agent.send({ v: 2, type: 'pong' });
    agent.ws.send(Buffer.from([1, 2, 3]));
    agent.send({
      v: 1,
      type: 'result',
      jobId: sent.jobId,
      action: { action: 'flush_dns', status: 'done', steps: [], restore: [] },
    });
    agent.send({ v: 1, type: 'result', jobId: sent.jobId, report: { ...report, verdict: 'great' } });
    assert.equal((await agent.closed).code, CLOSE.protocol);
    assert.equal(g.events.list.filter((e) => e.kind === 'report').length, 0, 'nothing was acted on');
  });

  test('no job runs before the user confirms the device; unknown probes are refused by the server too', async () => {
    const { store, session, agent, event, g } = await paired();
    await g.gateway.dispatch((await store.sessions.get(session.id))!, {
      type: 'check',
      jobId: 'too-early',
      sessionId: session.id,
    });
    const refused = await g.events.next('agentJobEnded', 5000, (e) => e.jobId === 'too-early');
    assert.equal(refused.outcome, 'refused');
    assert.match(refused.message, /confirmed/);
    const confirmed = await confirmDevice(store, session.id, event);
    confirmed.report = inspectedReport();
    await g.gateway.dispatch(confirmed, {
      type: 'recheck',
      jobId: 'elsewhere',
      sessionId: session.id,
      stepId: 's1',
      probeIds: ['tls:evil.example.com:443'],
    });
    assert.equal(
      (await g.events.next('agentJobEnded', 5000, (e) => e.jobId === 'elsewhere')).outcome,
      'refused',
    );
    // Core job ids are activity ids: any characters, any length. The wire gets a plain digest.
    const coreId = `f:1712345678901|conv-${'x'.repeat(80)}:check`;
    await g.gateway.dispatch(confirmed, {
      type: 'action',
      jobId: coreId,
      sessionId: session.id,
      stepId: 's1',
      action: 'flush_dns',
    });
    const job = await agent.next('job');
    assert.deepEqual(
      { ...job, deadlineMs: 0 },
      { v: 1, type: 'job', jobId: wireJobId(coreId), kind: 'action', action: 'flush_dns', deadlineMs: 0 },
    );
    assert.match(job.jobId, /^j-[A-Za-z0-9_-]{22}$/);
    assert.equal(
      agent.inbox.filter((m) => m.type === 'job').length,
      0,
      'the refused jobs never reached the agent',
    );
    agent.send({
      v: 1,
      type: 'result',
      jobId: job.jobId,
      action: { action: 'flush_dns', status: 'done', steps: [], restore: [] },
    });
    const ended = await g.events.next('agentJobEnded', 5000, (e) => e.jobId === coreId);
    assert.equal(ended.outcome, 'done', 'the core hears of its own job id');
  });
});

describe('jobs, results, heartbeats', () => {
  test('one result per job: a duplicate is dropped; a recheck keeps only the asked-for probes', async () => {
    const { store, session, event, agent, g } = await paired();
    const s = await confirmDevice(store, session.id, event);
    await g.gateway.dispatch(s, { type: 'check', jobId: 'c1', sessionId: s.id });
    const c1 = await agent.next('job');
    const report = inspectedReport();
    agent.send({ v: 1, type: 'result', jobId: c1.jobId, report });
    agent.send({ v: 1, type: 'result', jobId: c1.jobId, report });
    const got = await g.events.next('report');
    assert.equal(got.kind === 'report' && got.source, 'agent');
    await g.gateway.dispatch(s, {
      type: 'recheck',
      jobId: 'r1',
      sessionId: s.id,
      stepId: 'step-tls',
      probeIds: ['tls'],
    });
    const r1 = await agent.next('job');
    const extra = {
      ...report.probes[0],
      id: 'dns:login.lab.test@system',
      kind: 'dns' as const,
      target: 'login.lab.test@system',
    };
    agent.send({
      v: 1,
      type: 'result',
      jobId: r1.jobId,
      report: { ...report, probes: [...report.probes, extra] },
    });
    const recheck = await g.events.next('recheckResult');
    assert.ok(recheck.kind === 'recheckResult');
    assert.equal(recheck.stepId, 'step-tls');
    assert.deepEqual(
      recheck.probes.map((p) => p.id),
      ['tls:login.lab.test:4431'],
    );
    assert.equal(g.events.list.filter((e) => e.kind === 'report').length, 1);
  });

  test('progress is throttled: a burst becomes one update now and one later', async () => {
    const { store, session, event, agent, g, timers } = await paired({ progressIntervalMs: 2000 });
    const s = await confirmDevice(store, session.id, event);
    await g.gateway.dispatch(s, { type: 'check', jobId: 'p1', sessionId: s.id });
    const p1 = await agent.next('job');
    const ids = Array.from({ length: 20 }, (_, i) => `dns:h${i}@system`);
    agent.send({
      v: 1,
      type: 'progress',
      jobId: p1.jobId,
      event: { stage: 'planned', probes: ids.map((id) => ({ id, area: 'dns' })) },
    });
    for (const id of ids)
      agent.send({
        v: 1,
        type: 'progress',
        jobId: p1.jobId,
        event: { stage: 'finished', id, area: 'dns', status: 'pass' },
      });
    // A second job's first progress: messages of one connection are handled in order, so once
    // it shows, the whole burst of the first job has been taken in.
    await g.gateway.dispatch(s, { type: 'check', jobId: 'p2', sessionId: s.id });
    const p2 = await agent.next('job');
    agent.send({ v: 1, type: 'progress', jobId: p2.jobId, event: { stage: 'planned', probes: [] } });
    await g.events.next('agentProgress', 10_000, (e) => e.jobId === 'p2');
    const ofP1 = () => g.events.list.filter((e) => e.kind === 'agentProgress' && e.jobId === 'p1');
    const [first] = ofP1();
    assert.equal(ofP1().length, 1, 'one update for the whole burst so far');
    assert.ok(first.kind === 'agentProgress' && first.progress.total === 20);
    await timers.advance(2000);
    const all = ofP1();
    assert.equal(all.length, 2);
    const last = all[1];
    assert.ok(last.kind === 'agentProgress');
    assert.deepEqual(last.progress, {
      done: 20,
      total: 20,
      failed: 0,
      areas: [{ area: 'dns', done: 20, total: 20, failed: 0 }],
    });
  });

  test('a silent agent is dropped at the heartbeat deadline and marked offline; its job is lost after the grace', async () => {
    const { store, session, event, agent, ok, g, timers } = await paired({
      heartbeatTimeoutMs: 45_000,
      reconnectGraceMs: 30_000,
    });
    const s = await confirmDevice(store, session.id, event);
    await g.gateway.dispatch(s, { type: 'check', jobId: 'hb', sessionId: s.id });
    await agent.next('job');
    await timers.advance(20_000);
    await g.gateway.sweep();
    assert.equal((await agent.next('ping')).type, 'ping');
    await timers.advance(25_000);
    await g.gateway.sweep();
    assert.equal((await agent.closed).code, CLOSE.timeout);
    await until(async () => (await store.agents.get(ok.agentId))?.online === false, 5000, 'offline presence');
    await g.gateway.sweep();
    assert.equal(
      g.events.list.filter((e) => e.kind === 'agentJobEnded').length,
      0,
      'not lost within the grace',
    );
    await timers.advance(30_000);
    await g.gateway.sweep();
    const lost = await g.events.next('agentJobEnded', 5000, (e) => e.jobId === 'hb');
    assert.equal(lost.outcome, 'lost');
  });

  test('a reconnect resumes: a job the agent does not have is sent again', async () => {
    const { store, session, event, agent, ok, g } = await paired();
    const s = await confirmDevice(store, session.id, event);
    agent.ws.close();
    await until(async () => (await store.agents.get(ok.agentId))?.online === false, 5000, 'offline presence');
    await g.gateway.dispatch(s, { type: 'check', jobId: 'queued', sessionId: s.id });
    const back = await client(g.url);
    back.send({ v: 1, type: 'hello', agentId: ok.agentId, secret: ok.secret, device, running: [] });
    await back.next('hello.ok');
    assert.equal((await back.next('job')).jobId, wireJobId('queued'));
  });
});
