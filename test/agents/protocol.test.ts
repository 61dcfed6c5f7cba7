/**
 * The job protocol refuses everything outside its closed set, on both ends: unknown types,
 * unknown or missing fields, wrong versions, probes of unknown kinds, actions off the
 * allow-list, control characters that would reach a terminal. Each case asserts the exact code.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  encode,
  MAX_MESSAGE_BYTES,
  ProtocolError,
  parseAgentMessage,
  parseServerMessage,
  refusableJobId,
} from '../../probes/agent/protocol.ts';

const device = { name: 'LAPTOP-42', os: 'linux', osVersion: '6.8.0', agentVersion: '0.1.0' };
const job = {
  v: 1,
  type: 'job',
  jobId: 'j-1',
  kind: 'recheck',
  probes: ['tls:login.lab.test:443', 'dns'],
  deadlineMs: 60_000,
};

function refused(parse: (raw: string | object) => unknown, message: unknown, code: string) {
  assert.throws(
    () => parse(typeof message === 'string' ? message : JSON.stringify(message)),
    (err: unknown) => err instanceof ProtocolError && err.code === code,
    `expected ${code} for ${JSON.stringify(message).slice(0, 200)}`,
  );
}

describe('server → agent messages', () => {
  test('accepts each well-formed message and round-trips it', () => {
    const messages = [
      {
        v: 1,
        type: 'hello.ok',
        caseLabel: "Alice's case 3F9K2A1B (web chat)",
        agentId: 'ag-x',
        secret: 's'.repeat(43),
      },
      { v: 1, type: 'hello.error', reason: 'expired', message: 'this pairing code has expired' },
      job,
      { v: 1, type: 'job', jobId: 'j-2', kind: 'check', deadlineMs: 120_000 },
      {
        v: 1,
        type: 'job',
        jobId: 'j-3',
        kind: 'action',
        action: 'move_teams_cache',
        dryRun: true,
        deadlineMs: 300_000,
      },
      { v: 1, type: 'ping' },
    ];
    for (const m of messages) assert.deepEqual(parseServerMessage(encode(m as never)), m);
  });

  test('refuses an unknown type, an unknown field and a wrong version', () => {
    refused(parseServerMessage, { v: 1, type: 'shell', command: 'rm -rf /' }, 'unknown_type');
    refused(parseServerMessage, { ...job, command: 'whoami' }, 'unknown_field');
    refused(parseServerMessage, { ...job, v: 2 }, 'bad_version');
    refused(parseServerMessage, { ...job, v: undefined }, 'bad_version');
    refused(parseServerMessage, 'not json', 'bad_json');
    refused(parseServerMessage, '[1,2]', 'bad_json');
    refused(parseServerMessage, '{"v":1,"type":"ping","__proto__":{"x":1}}', 'unknown_field');
  });

  test('refuses fields that do not belong to the job kind, and missing ones', () => {
    refused(
      parseServerMessage,
      { v: 1, type: 'job', jobId: 'j', kind: 'check', probes: ['dns'], deadlineMs: 5000 },
      'unknown_field',
    );
    refused(
      parseServerMessage,
      { v: 1, type: 'job', jobId: 'j', kind: 'check', action: 'flush_dns', deadlineMs: 5000 },
      'unknown_field',
    );
    refused(
      parseServerMessage,
      { v: 1, type: 'job', jobId: 'j', kind: 'recheck', deadlineMs: 5000 },
      'missing_field',
    );
    refused(
      parseServerMessage,
      { v: 1, type: 'job', jobId: 'j', kind: 'action', deadlineMs: 5000 },
      'missing_field',
    );
    refused(
      parseServerMessage,
      { v: 1, type: 'job', jobId: 'j', kind: 'recheck', probes: ['dns'], dryRun: true, deadlineMs: 5000 },
      'unknown_field',
    );
    refused(parseServerMessage, { v: 1, type: 'job', jobId: 'j', kind: 'check' }, 'missing_field');
  });

  test('refuses a job kind, a probe kind or an action outside the closed lists', () => {
    refused(parseServerMessage, { ...job, kind: 'exec' }, 'bad_value');
    refused(parseServerMessage, { ...job, probes: ['portscan:10.0.0.1:22'] }, 'unknown_probe');
    refused(parseServerMessage, { ...job, probes: [] }, 'bad_value');
    refused(
      parseServerMessage,
      { v: 1, type: 'job', jobId: 'j', kind: 'action', action: 'format_disk', deadlineMs: 5000 },
      'action_not_allowed',
    );
  });

  test('refuses bad values: ids, deadlines, control characters', () => {
    refused(parseServerMessage, { ...job, jobId: '../../etc' }, 'bad_value');
    refused(parseServerMessage, { ...job, deadlineMs: 10 }, 'bad_value');
    refused(parseServerMessage, { ...job, deadlineMs: 1e9 }, 'bad_value');
    refused(parseServerMessage, { ...job, deadlineMs: 1500.5 }, 'bad_value');
    refused(
      parseServerMessage,
      { v: 1, type: 'hello.ok', caseLabel: 'x\u001b]0;pwned\u0007', agentId: 'a' },
      'bad_value',
    );
    refused(parseServerMessage, { v: 1, type: 'hello.error', reason: 'because', message: 'm' }, 'bad_value');
    refused(parseServerMessage, 'x'.repeat(MAX_MESSAGE_BYTES + 1), 'too_large');
  });

  test('names the job id of a refused job so the agent can answer it', () => {
    assert.equal(refusableJobId(JSON.stringify({ ...job, command: 'x' })), 'j-1');
    assert.equal(refusableJobId(JSON.stringify({ v: 1, type: 'ping' })), undefined);
    assert.equal(refusableJobId('{'), undefined);
  });
});

describe('agent → server messages', () => {
  const report = {
    schema: 'reconnect.report/v1',
    agent: { version: '0.1.0', os: 'linux', osVersion: '6.8', runtime: 'node 24' },
    cloud: 'lab',
    startedAt: '2026-11-27T10:00:00.000Z',
    durationMs: 10,
    environment: { proxy: { source: 'none' }, resolvers: [] },
    endpoints: [],
    publicResolvers: [],
    probes: [
      {
        id: 'dns:a@system',
        kind: 'dns',
        target: 'a@system',
        status: 'pass',
        durationMs: 1,
        phases: {},
        detail: {},
      },
    ],
    findings: [],
    verdict: 'healthy',
    futureField: { allowed: true },
  };
  const outcome = {
    action: 'flush_dns',
    status: 'declined',
    steps: [{ label: 'Flush', status: 'skipped' }],
    restore: [],
  };

  test('accepts each well-formed message', () => {
    const messages = [
      { v: 1, type: 'hello', code: '7K3M9-QXT4H', device },
      { v: 1, type: 'hello', agentId: 'ag-1', secret: 'x'.repeat(43), device, running: ['j-1'] },
      {
        v: 1,
        type: 'progress',
        jobId: 'j-1',
        event: { stage: 'planned', probes: [{ id: 'dns:a@system', area: 'dns' }] },
      },
      {
        v: 1,
        type: 'progress',
        jobId: 'j-1',
        event: { stage: 'finished', id: 'dns:a@system', area: 'dns', status: 'fail' },
      },
      { v: 1, type: 'result', jobId: 'j-1', report },
      { v: 1, type: 'result', jobId: 'j-1', action: outcome },
      { v: 1, type: 'result', jobId: 'j-1', error: { code: 'refused', message: 'not in the catalog' } },
      { v: 1, type: 'consent', jobId: 'j-1', granted: false },
      { v: 1, type: 'pong' },
    ];
    for (const m of messages) assert.deepEqual(parseAgentMessage(JSON.stringify(m)), m);
  });

  test('hello needs a code or an identity, never both or neither', () => {
    refused(parseAgentMessage, { v: 1, type: 'hello', device }, 'bad_value');
    refused(
      parseAgentMessage,
      { v: 1, type: 'hello', code: 'AAAA', agentId: 'a', secret: 's', device },
      'bad_value',
    );
    refused(parseAgentMessage, { v: 1, type: 'hello', agentId: 'a', device }, 'missing_field');
    refused(parseAgentMessage, { v: 1, type: 'hello', code: 'AAAA' }, 'missing_field');
    refused(
      parseAgentMessage,
      { v: 1, type: 'hello', code: 'AAAA', device: { ...device, serial: '1' } },
      'unknown_field',
    );
    refused(
      parseAgentMessage,
      { v: 1, type: 'hello', code: 'AAAA', device: { ...device, name: 'a\nb' } },
      'bad_value',
    );
  });

  test('a result carries exactly one payload, each checked', () => {
    refused(parseAgentMessage, { v: 1, type: 'result', jobId: 'j' }, 'bad_value');
    refused(parseAgentMessage, { v: 1, type: 'result', jobId: 'j', report, action: outcome }, 'bad_value');
    refused(
      parseAgentMessage,
      { v: 1, type: 'result', jobId: 'j', report: { ...report, verdict: 'fine' } },
      'bad_value',
    );
    refused(
      parseAgentMessage,
      { v: 1, type: 'result', jobId: 'j', report: { ...report, probes: [{ id: 'x' }] } },
      'missing_field',
    );
    refused(
      parseAgentMessage,
      { v: 1, type: 'result', jobId: 'j', action: { ...outcome, action: 'rm_rf' } },
      'action_not_allowed',
    );
    refused(
      parseAgentMessage,
      { v: 1, type: 'result', jobId: 'j', action: { ...outcome, extra: 1 } },
      'unknown_field',
    );
    refused(
      parseAgentMessage,
      { v: 1, type: 'result', jobId: 'j', error: { code: 'oops', message: 'm' } },
      'bad_value',
    );
  });

  test('refuses unknown types, unknown fields and bad progress', () => {
    refused(parseAgentMessage, { v: 1, type: 'exec', cmd: 'x' }, 'unknown_type');
    refused(parseAgentMessage, { v: 1, type: 'pong', extra: true }, 'unknown_field');
    refused(parseAgentMessage, { v: 1, type: 'consent', jobId: 'j', granted: 'yes' }, 'bad_value');
    refused(parseAgentMessage, { v: 1, type: 'progress', jobId: 'j', event: { stage: 'done' } }, 'bad_value');
    refused(
      parseAgentMessage,
      { v: 1, type: 'progress', jobId: 'j', event: { stage: 'started', id: 'dns:x', area: 'moon' } },
      'bad_value',
    );
    refused(
      parseAgentMessage,
      {
        v: 1,
        type: 'progress',
        jobId: 'j',
        event: { stage: 'started', id: 'dns:x', area: 'dns', result: {} },
      },
      'unknown_field',
    );
  });
});
