/**
 * End to end: the bot's server with the gateway on 127.0.0.1, and the real agent started as a
 * child process with `pair CODE --server URL` against a lab network (RECONNECT_LAB=1). Pair,
 * confirm, check, re-check, actions with consent typed into a real terminal (yes and no) and
 * without one; the agent killed mid-job; the bot restarted mid-job; the bot unreachable.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { createPairing } from '../../bot/agents/pairing.ts';
import type { Session } from '../../bot/core/types.ts';
import { createMemoryStore } from '../../bot/store/memory.ts';
import { openSqliteStore } from '../../bot/store/sqlite.ts';
import { decodeResultCode } from '../../probes/result-code.ts';
import { startScenario } from '../lab/scenario.ts';
import { type AgentProcess, startAgent } from './agent-process.ts';
import { freePort } from './chat-bot.ts';
import { confirmDevice, pairingSession, type RunningGateway, startGateway, tempDir } from './harness.ts';

const data = tempDir();
const cleanup: Array<() => Promise<unknown> | unknown> = [];
after(async () => {
  for (const fn of cleanup.reverse()) await fn();
  data.remove();
});

function agentFor(
  code: string,
  server: string,
  lab: { env: Record<string, string>; catalogPath: string },
  tty = false,
): AgentProcess {
  const agent = startAgent({ code, server, env: { ...lab.env, RECONNECT_CATALOG: lab.catalogPath }, tty });
  cleanup.push(() => agent.kill());
  return agent;
}

async function gateway(
  store = createMemoryStore<Session>(),
  extra: Parameters<typeof startGateway>[1] extends infer O ? Partial<O> : never = {},
): Promise<RunningGateway> {
  const g = await startGateway(store, {
    dataDir: data.dir,
    heartbeatMs: 300,
    reconnectGraceMs: 1500,
    progressIntervalMs: 500,
    ...extra,
  });
  cleanup.push(() => g.close());
  return g;
}

const cacheDir = (home: string) => join(home, '.config', 'Microsoft', 'Microsoft Teams');

describe('pair, confirm, check, re-check and act', () => {
  test('through a real terminal: the case is named, jobs wait for confirmation, consent decides', async () => {
    const lab = await startScenario({
      endpoints: { auth: { cert: 'inspection' } },
      trustInspection: true,
      caches: true,
    });
    cleanup.push(() => lab.close());
    const store = createMemoryStore<Session>();
    const g = await gateway(store);
    const session = await pairingSession(store, 'case-tty');
    const { code } = await g.gateway.issuePairing(session);
    const agent = agentFor(code, g.url, lab, true);

    await agent.waitFor(/Joined Alice Example's case CASETTY \(web chat\)/);
    const paired = await g.events.next('paired');
    assert.ok(paired.kind === 'paired');
    assert.equal(paired.device.hostname, hostname());
    assert.match(paired.device.os, /^Linux /);

    // Not confirmed yet: the job is refused and never reaches the computer.
    await g.gateway.dispatch((await store.sessions.get(session.id))!, {
      type: 'check',
      jobId: 'early',
      sessionId: session.id,
    });
    assert.equal((await g.events.next('agentJobEnded', 5000, (e) => e.jobId === 'early')).outcome, 'refused');

    let s = await confirmDevice(store, session.id, paired);
    await g.gateway.dispatch(s, { type: 'check', jobId: 'check-1', sessionId: s.id });
    const progress = await g.events.next('agentProgress', 30_000);
    assert.ok(progress.kind === 'agentProgress' && progress.progress.total > 0);
    const reported = await g.events.next('report', 60_000);
    assert.ok(reported.kind === 'report');
    const inspection = reported.report.findings.find((f) => f.id === 'tls.inspection');
    assert.ok(inspection, JSON.stringify(reported.report.findings));
    assert.equal(inspection.facts.issuer, lab.pki.inspectionRoot.name);
    assert.equal(agent.output.includes('early'), false);

    s = (await store.sessions.get(s.id))!;
    s.report = reported.report;
    const saved = await store.sessions.save(s, s.version);
    assert.ok(saved.ok);
    const tlsId = reported.report.probes.find(
      (p) => p.kind === 'tls' && p.target.startsWith('login.lab.test'),
    )!.id;
    await g.gateway.dispatch(saved.doc, {
      type: 'recheck',
      jobId: 'recheck-1',
      sessionId: s.id,
      stepId: 'tls-step',
      probeIds: [tlsId],
    });
    const rechecked = await g.events.next('recheckResult', 30_000);
    assert.ok(rechecked.kind === 'recheckResult');
    assert.deepEqual(
      rechecked.probes.map((p) => p.id),
      [tlsId],
    );
    assert.notEqual(rechecked.probes[0].status, 'pass');

    await g.gateway.dispatch(saved.doc, {
      type: 'action',
      jobId: 'act-no',
      sessionId: s.id,
      stepId: 'cache-step',
      action: 'move_teams_cache',
    });
    await agent.waitFor(/Allow this on this computer\? \[y\/N\]/);
    agent.type('n');
    const declined = await g.events.next('agentJobEnded', 30_000, (e) => e.jobId === 'act-no');
    assert.equal(declined.outcome, 'declined');
    assert.ok(existsSync(join(cacheDir(lab.env.HOME), 'Cache')), 'declined: nothing moved');

    await g.gateway.dispatch(saved.doc, {
      type: 'action',
      jobId: 'act-yes',
      sessionId: s.id,
      stepId: 'cache-step',
      action: 'move_teams_cache',
    });
    await agent.waitFor(/Allow this on this computer\? \[y\/N\]/);
    agent.type('y');
    const done = await g.events.next('agentJobEnded', 30_000, (e) => e.jobId === 'act-yes');
    assert.equal(done.outcome, 'done', JSON.stringify(done));
    assert.equal(existsSync(cacheDir(lab.env.HOME)), false, 'the cache moved');
    assert.match(
      done.action?.restore[0] ?? '',
      /^mv '.*Microsoft Teams\.reconnect-backup-\d{8}-\d{6}' '.*Microsoft Teams'$/,
    );
    await agent.waitFor(/To undo this later/);

    const consents = (await store.audit.list(s.id))
      .filter((e) => e.kind === 'agent_consent')
      .map((e) => e.data?.granted);
    assert.deepEqual(consents, [false, true]);

    await g.gateway.endCase(s.id);
    assert.equal(await agent.exited, 0);
    assert.match(agent.output, /The helpdesk closed the case/);
  });

  test('without a terminal an action is refused on the computer; the agent killed mid-job is reported lost', async () => {
    const lab = await startScenario({ caches: true });
    cleanup.push(() => lab.close());
    const store = createMemoryStore<Session>();
    const g = await gateway(store);
    const session = await pairingSession(store, 'case-pipe');
    const { code } = await g.gateway.issuePairing(session);
    const agent = agentFor(code, g.url, lab);
    const s = await confirmDevice(store, session.id, await g.events.next('paired'));

    await g.gateway.dispatch(s, {
      type: 'action',
      jobId: 'no-tty',
      sessionId: s.id,
      stepId: 'x',
      action: 'move_teams_cache',
    });
    assert.equal(
      (await g.events.next('agentJobEnded', 30_000, (e) => e.jobId === 'no-tty')).outcome,
      'declined',
    );
    await agent.waitFor(/no terminal to answer on: refused/);
    assert.ok(existsSync(join(cacheDir(lab.env.HOME), 'Cache')));

    await g.gateway.dispatch(s, { type: 'check', jobId: 'doomed', sessionId: s.id });
    await g.events.next('agentProgress', 30_000, (e) => e.jobId === 'doomed');
    agent.kill('SIGKILL');
    const lost = await g.events.next('agentJobEnded', 30_000, (e) => e.jobId === 'doomed');
    assert.equal(lost.outcome, 'lost');
    assert.match(lost.message, /stopped/);
    assert.equal(g.events.list.filter((e) => e.kind === 'report').length, 0);
  });
});

describe('faults', () => {
  test('the bot restarts mid-job: the agent reconnects and the user sees one result', async () => {
    const lab = await startScenario();
    cleanup.push(() => lab.close());
    const store = openSqliteStore<Session>({ dataDir: join(data.dir, 'restart') });
    cleanup.push(() => store.close());
    const first = await gateway(store);
    const session = await pairingSession(store, 'case-restart');
    const { code } = await first.gateway.issuePairing(session);
    const agent = agentFor(code, first.url, lab);
    const s = await confirmDevice(store, session.id, await first.events.next('paired'));
    await first.gateway.dispatch(s, { type: 'check', jobId: 'survivor', sessionId: s.id });
    await first.events.next('agentProgress', 30_000);
    await first.close();
    const second = await gateway(store, { port: first.port });
    const report = await second.events.next('report', 60_000);
    assert.ok(report.kind === 'report' && report.report.cloud === 'lab');
    await agent.waitFor(/Lost the connection to the helpdesk bot/);
    // One more job through the new connection: anything the agent still had queued for the
    // old one has arrived by the time its answer does.
    await second.gateway.dispatch(s, {
      type: 'recheck',
      jobId: 'after',
      sessionId: s.id,
      stepId: 'x',
      probeIds: ['dns'],
    });
    await second.events.next('recheckResult', 30_000);
    const reports = [...first.events.list, ...second.events.list].filter((e) => e.kind === 'report');
    assert.equal(reports.length, 1, 'one result, not one per connection');
    assert.equal((await store.agents.get(report.actor.id.replace('agent:', '')))?.online, true);
  });

  test('the bot cannot be reached: the agent prints the result code, keeps trying, and pairs once the bot is up', async () => {
    const lab = await startScenario({ endpoints: { auth: { cert: 'inspection' } }, trustInspection: true });
    cleanup.push(() => lab.close());
    const store = createMemoryStore<Session>();
    const pairing = createPairing({ store });
    const session = await pairingSession(store, 'case-offline');
    const { display } = await pairing.issue(session.id);
    const port = await freePort();
    const agent = agentFor(display, `http://127.0.0.1:${port}`, lab);
    const [, resultCode] = await agent.waitFor(/Result code: (RC1-[0-9A-Z-]+)/, 60_000);
    assert.ok(
      decodeResultCode(resultCode).findings.some((f) => f.id === 'tls.inspection'),
      resultCode,
    );
    await agent.waitFor(/trying again in \d+ s/);
    const g = await gateway(store, { port, pairing });
    const paired = await g.events.next('paired', 60_000);
    // The agent that found the bot unreachable is the one that pairs, with this case, and
    // stays connected: the code it printed first did not end its attempts to join.
    assert.ok(paired.kind === 'paired');
    assert.equal(paired.conversationKey, session.conversationKey);
    assert.equal(paired.device.hostname, hostname());
    await agent.waitFor(/Joined Alice Example's case/);
    const presence = await store.agents.listBySession(session.id);
    assert.deepEqual(
      presence.map((p) => ({ actor: `agent:${p.agentId}`, online: p.online })),
      [{ actor: paired.actor.id, online: true }],
    );
  });
});
