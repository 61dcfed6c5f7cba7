/**
 * The browser check's report endpoint (issue 17) at the HTTP surface of the assembled bot: a
 * report goes into the code's own case only. Another case's ticket, a forged one, an oversized
 * body and malformed reports (a host outside the catalog, a pass that carries a failure, no
 * ticket) are each refused with 4xx and change neither case; a case takes REPORTS_PER_CASE
 * reports a window. The findings are the bot's own (a page's claimed findings are dropped), and
 * a later agent report supersedes the browser's while the support summary shows both. No browser
 * and no probe runs here: the lab catalog's hosts are never contacted.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { REPORTS_PER_CASE } from '../../bot/agents/browser-check.ts';
import { BROWSER_REPORT_MAX_BYTES } from '../../bot/agents/browser-report.ts';
import { eventBase } from '../../bot/agents/events.ts';
import type { RunningBot } from '../../bot/app.ts';
import { manualReport } from '../../bot/core/manual-report.ts';
import type { Session } from '../../bot/core/types.ts';
import { loadBuiltinPlaybooks } from '../../bot/playbooks/load.ts';
import { caseSummary } from '../../bot/support/bundle.ts';
import type { Catalog } from '../../probes/types.ts';
import { cardOf, openChat } from '../bot/conversation-driver.ts';
import { chatToPairingCard, startAgentBot } from './chat-bot.ts';
import { tempDir } from './harness.ts';

const CATALOG: Catalog = {
  schema: 'reconnect.catalog/v1',
  cloud: 'lab',
  endpoints: [
    { host: 'login.lab.test', port: 443, purpose: 'auth', required: true },
    { host: 'teams.lab.test', port: 443, purpose: 'service', required: true },
    { host: 'go.trouter.lab.test', port: 443, purpose: 'websocket', path: '/', required: true },
  ],
  media: [{ host: 'relay.lab.test', ports: [3478, 3479, 3480, 3481] }],
  publicResolvers: [],
  timeSources: [],
  microsoftRoots: [],
};

const tmp = tempDir('reconnect-browser-report-');
let bot: RunningBot;

before(async () => {
  bot = await startAgentBot(tmp.dir, { browserCatalogs: { lab: CATALOG } });
});
after(async () => {
  await bot?.close();
  await bot?.store.close();
  tmp.remove();
});

/** A fresh case at its pairing card: its code and session id. */
async function newCase(): Promise<{
  code: string;
  sessionId: string;
  chat: Awaited<ReturnType<typeof openChat>>;
}> {
  const chat = await openChat(bot.url);
  const { code } = await chatToPairingCard(chat);
  const peeked = await bot.store.pairing.peek(code.replace('-', ''));
  assert.ok(peeked.ok);
  return { code, sessionId: peeked.pairing.sessionId, chat };
}

const post = async (path: string, body: unknown) => {
  const res = await fetch(`${bot.url}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

test('the plan needs a live code: a wrong one answers 404 with no ticket', async () => {
  const wrong = await post('/go/browser/plan', { code: '00000-00000' });
  assert.equal(wrong.status, 404);
  assert.equal(wrong.body.ticket, undefined);
  const none = await post('/go/browser/report', { code: '00000-00000', ticket: '1.x', report: pageReport() });
  assert.equal(none.status, 404);
});

async function planFor(code: string): Promise<{ ticket: string; botTime: number }> {
  const plan = await post('/go/browser/plan', { code });
  assert.equal(plan.status, 200);
  return plan.body as { ticket: string; botTime: number };
}

const pass = (kind: string, target: string, detail: Record<string, unknown> = {}) => ({
  id: `${kind}:${target}`,
  kind,
  target,
  status: 'pass',
  durationMs: 12,
  phases: { dns: 0, connect: 0, proxy: 0, tls: 0, firstByte: 0 },
  detail,
});

/** What the page sends when everything passes (and, to be ignored, a finding of its own). */
function pageReport(): Record<string, unknown> {
  return {
    schema: 'reconnect.report/v1',
    source: 'browser',
    agent: { version: 'browser-check/1', os: 'windows', osVersion: '', runtime: 'Chrome 142' },
    cloud: 'lab',
    startedAt: new Date().toISOString(),
    durationMs: 900,
    environment: {
      proxy: { source: 'none' },
      resolvers: [],
      browser: { online: true, connection: { effectiveType: '4g' } },
    },
    endpoints: [],
    publicResolvers: [],
    probes: [
      ...CATALOG.endpoints.map((e) => pass('browser-fetch', `${e.host}:${e.port}`)),
      pass('browser-websocket', 'go.trouter.lab.test:443'),
      pass('browser-ice', 'relay.lab.test:3478,3479,3480,3481', { srflx: 1, candidates: 2 }),
      pass('browser-clock', 'bot', { offsetSeconds: 0.2, rttMs: 4 }),
      pass('browser-env', 'page', { online: true }),
    ],
    findings: [{ id: 'tls.inspection', severity: 'blocking', summary: 'planted', evidence: [], facts: {} }],
    verdict: 'problems',
  };
}

const snapshot = async (sessionId: string) => {
  const s = (await bot.store.sessions.get(sessionId)) as Session;
  return { version: s.version, browser: s.browser, timeline: s.timeline.length };
};

test('a report for the code’s own case goes in: the bot’s own diagnosis, on the phone within the turn', async () => {
  const a = await newCase();
  const { ticket } = await planFor(a.code);
  const sent = await post('/go/browser/report', { code: a.code, ticket, report: pageReport() });
  assert.equal(sent.status, 202, JSON.stringify(sent.body));
  const s = (await bot.store.sessions.get(a.sessionId)) as Session;
  assert.equal(s.browser?.report.source, 'browser');
  assert.equal(s.browser?.report.verdict, 'healthy', 'diagnosed here, not taken from the page');
  assert.deepEqual(s.browser?.report.findings, [], 'the planted finding is gone');
  await a.chat.text(/Seen from the browser on your computer/);
  // The web chat may be open on that computer: its pairing card links to the check, the code in the fragment.
  const card = JSON.stringify(cardOf((await a.chat.card(/Connect the affected computer/)).activity));
  assert.ok(
    card.includes(
      `"type":"Action.OpenUrl","title":"On this computer? Check from this browser","url":"${bot.url}/go#${a.code}"`,
    ),
    card,
  );
  a.chat.close();
});

test('another case’s ticket, a forged one, an oversized and a malformed report: 4xx, and neither case changes', async () => {
  const a = await newCase();
  const b = await newCase();
  const { ticket } = await planFor(a.code);
  const before = { a: await snapshot(a.sessionId), b: await snapshot(b.sessionId) };
  const [stamp, mac] = ticket.split('.');
  const tampered = `${stamp}.${mac[0] === 'A' ? 'B' : 'A'}${mac.slice(1)}`;
  const strange = pageReport();
  (strange.probes as Array<Record<string, unknown>>)[0] = pass('browser-fetch', 'evil.example:443');
  const passFailing = pageReport();
  (passFailing.probes as Array<Record<string, unknown>>)[0].failure = {
    phase: 'connect',
    code: 'fetch_failed',
    detail: '',
  };
  const huge = pageReport();
  (huge.agent as Record<string, unknown>).runtime = 'x'.repeat(BROWSER_REPORT_MAX_BYTES);

  const cases: Array<[string, unknown, number, string]> = [
    [
      'case B’s code with case A’s ticket',
      { code: b.code, ticket, report: pageReport() },
      403,
      'not_this_case',
    ],
    ['a tampered ticket', { code: a.code, ticket: tampered, report: pageReport() }, 403, 'not_this_case'],
    ['an oversized report', { code: a.code, ticket, report: huge }, 413, 'too_large'],
    ['no ticket', { code: a.code, report: pageReport() }, 400, 'malformed'],
    ['a host outside the catalog', { code: a.code, ticket, report: strange }, 400, 'invalid_report'],
    ['a pass carrying a failure', { code: a.code, ticket, report: passFailing }, 400, 'invalid_report'],
    ['not a report at all', { code: a.code, ticket, report: 'healthy' }, 400, 'invalid_report'],
  ];
  for (const [what, body, status, reason] of cases) {
    const answer = await post('/go/browser/report', body);
    assert.equal(answer.status, status, `${what}: ${JSON.stringify(answer.body)}`);
    assert.equal(answer.body.reason, reason, what);
  }
  assert.match(
    String((await post('/go/browser/report', { code: a.code, ticket, report: strange })).body.message),
    /evil\.example:443/,
  );
  assert.deepEqual(await snapshot(a.sessionId), before.a, 'case A did not change');
  assert.deepEqual(await snapshot(b.sessionId), before.b, 'case B did not change');
  a.chat.close();
  b.chat.close();
});

test(`a case takes ${REPORTS_PER_CASE} browser reports a window; the next is 429 and changes nothing`, async () => {
  const c = await newCase();
  const { ticket } = await planFor(c.code);
  for (let i = 0; i < REPORTS_PER_CASE; i++)
    assert.equal(
      (await post('/go/browser/report', { code: c.code, ticket, report: pageReport() })).status,
      202,
    );
  const before = await snapshot(c.sessionId);
  const over = await post('/go/browser/report', { code: c.code, ticket, report: pageReport() });
  assert.equal(over.status, 429);
  assert.deepEqual(await snapshot(c.sessionId), before);
  c.chat.close();
});

test('a later agent report supersedes the browser’s; the support summary shows both', async () => {
  const d = await newCase();
  const { ticket } = await planFor(d.code);
  const failing = pageReport();
  const probes = failing.probes as Array<Record<string, unknown>>;
  probes[0] = {
    ...probes[0],
    status: 'fail',
    failure: {
      phase: 'connect',
      code: 'fetch_failed',
      detail: 'The browser could not reach https://login.lab.test/',
    },
  };
  assert.equal((await post('/go/browser/report', { code: d.code, ticket, report: failing })).status, 202);
  let s = (await bot.store.sessions.get(d.sessionId)) as Session;
  assert.deepEqual(
    s.findings.map((f) => f.id),
    ['endpoint.failed'],
    'until the agent reports, the case goes by the browser',
  );

  const agentReport = {
    ...manualReport({ probes: [], startedAt: new Date().toISOString() }),
    source: 'agent' as const,
  };
  await bot.engine.handle({
    ...eventBase(s, 'agent-report-1', 'a1', Date.now()),
    kind: 'report',
    source: 'agent',
    report: agentReport,
  });
  s = (await bot.store.sessions.get(d.sessionId)) as Session;
  assert.equal(s.reportSource, 'agent');
  assert.ok(s.browser?.supersededAt, 'the browser report is marked superseded');
  assert.ok(!s.findings.some((f) => f.id === 'endpoint.failed'), 'the agent’s findings count now');
  const summary = caseSummary(s, await loadBuiltinPlaybooks(), 'CASE-1');
  assert.match(summary, /Verdict: .* \(from agent\)/);
  assert.match(summary, /Seen from the browser on the computer \(.*superseded by the agent's report/);
  assert.match(summary, /endpoint\.failed/);
  assert.match(summary, /fail {4}browser-fetch:login\.lab\.test:443: fetch_failed/);

  // A browser check after the agent's report is kept for support and does not replace it.
  const findings = s.findings;
  assert.equal((await post('/go/browser/report', { code: d.code, ticket, report: failing })).status, 202);
  await d.chat.text(/agent’s full check already came in and counts/);
  s = (await bot.store.sessions.get(d.sessionId)) as Session;
  assert.equal(s.reportSource, 'agent');
  assert.deepEqual(s.findings, findings, 'the agent’s findings stay');
  assert.equal(
    s.browser?.supersededAt,
    undefined,
    'the agent’s report came first: nothing supersedes this one',
  );
  assert.match(
    caseSummary(s, await loadBuiltinPlaybooks(), 'CASE-1'),
    /after the agent's report, which counts/,
  );
  d.chat.close();
});
