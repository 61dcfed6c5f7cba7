/**
 * Who may act on an incident, and how escalated members link to it: a click on the incident card
 * from another channel, or an incident button forged into a user's web chat, is refused and
 * audited and changes nothing; a case that was already escalated gets one line in its own thread
 * pointing at the incident instead of the cause again. Two cases suffice here
 * (INCIDENT_THRESHOLD=2); the reports are real agent reports from a lab behind a 407 proxy.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { RunningBot } from '../../bot/app.ts';
import { listIncidents } from '../../bot/incidents/index.ts';
import type { Report } from '../../probes/report.ts';
import { until } from '../agents/harness.ts';
import { startScenario } from '../lab/scenario.ts';
import { type SlackApiLab, startSlackApi } from '../lab/slack-api.ts';
import type { Lab } from '../support/harness.ts';
import { buttonValue, supportClick, supportThreads } from '../support/slack-support.ts';
import { BOT_TOKEN, type LabUser, pairedUser, realReports, startIncidentBot } from './harness.ts';

const dir = mkdtempSync(join(tmpdir(), 'reconnect-incident-support-'));
const cleanup: Array<() => unknown> = [];
let api: SlackApiLab;
let bot: RunningBot & { endpoint: string };
let lab: Lab;
let report: Report;
const users: LabUser[] = [];
const LONG = 60_000;

/** `check` once the support outbox is idle. */
const settled = (check: () => boolean | Promise<boolean>) => async () => {
  await bot.support.idle();
  return check();
};

before(async () => {
  const office = await startScenario({ proxy: 'auth' });
  cleanup.push(() => office.close());
  [report] = await realReports(office, 1);
  api = await startSlackApi({ botToken: BOT_TOKEN });
  cleanup.push(() => api.close());
  bot = await startIncidentBot({ dataDir: join(dir, 'bot'), api, env: { INCIDENT_THRESHOLD: '2' } });
  cleanup.push(() => bot.close());
  lab = { endpoint: bot.endpoint, api, settle: () => bot.support.idle() } as unknown as Lab;
  for (let i = 0; i < 2; i++) {
    const user = await pairedUser(bot, `PC-${i}`);
    cleanup.push(
      () => user.chat.close(),
      () => user.agent.ws.close(),
    );
    users.push(user);
  }
  // The first asks for a person before anyone else reports: a case thread of its own.
  await users[0].answer(report);
  await users[0].chat.card(/I found what is getting in the way\./, LONG);
  await users[0].chat.click('Escalate');
  await until(
    settled(() => supportThreads(api).roots.length === 1),
    LONG,
    'the case card',
  );
  await users[1].answer(report);
  await until(
    settled(
      async () => (await listIncidents(bot.store)).length === 1 && supportThreads(api).roots.length === 2,
    ),
    LONG,
    'the incident card',
  );
  await bot.support.idle();
});
after(async () => {
  for (const fn of cleanup.reverse()) await fn();
  rmSync(dir, { recursive: true, force: true });
});

const incidentCard = () =>
  supportThreads(api).roots.find((m) => /Incident INC-/.test(JSON.stringify(m.blocks)))!;

test("an escalated member's case thread links to the incident instead of repeating it", async () => {
  const caseCard = supportThreads(api).roots.find((m) => /Case RC-/.test(JSON.stringify(m.blocks)))!;
  const [incident] = await listIncidents(bot.store);
  await until(
    settled(async () =>
      supportThreads(api)
        .replies(caseCard)
        .some((m) => /part of incident INC-/.test(m.text ?? '')),
    ),
    LONG,
    'the link line',
  );
  const links = supportThreads(api)
    .replies(caseCard)
    .filter((m) => /part of incident INC-/.test(m.text ?? ''));
  assert.equal(links.length, 1);
  assert.match(
    links[0].text ?? '',
    new RegExp(
      `INC-${incident.id
        .replace(/[^0-9a-z]/gi, '')
        .slice(-6)
        .toUpperCase()}`,
      'i',
    ),
  );
});

test('a click on the incident card from another channel is refused, audited, and changes nothing', async () => {
  const card = incidentCard();
  const before = (await listIncidents(bot.store))[0];
  const status = await supportClick(lab, card, 'case.resolve', {
    id: 'U0OUTSIDER',
    name: 'mallory',
    channel: 'C0OTHER001',
  });
  assert.equal(status, 200, 'Slack hears an ack; the bot does nothing');
  await bot.support.idle();
  const after_ = (await listIncidents(bot.store))[0];
  assert.equal(after_.state, before.state);
  assert.equal(after_.state, 'open');
  const sessionId = JSON.parse(buttonValue(card, 'case.resolve')).sessionId as string;
  const audit = await bot.store.audit.list(sessionId);
  assert.ok(audit.some((e) => e.kind === 'incident_refused' && e.actor === 'U0OUTSIDER'));
});

test("an incident button forged into a user's web chat is refused", async () => {
  const card = incidentCard();
  const value = JSON.parse(buttonValue(card, 'case.resolve'));
  await users[1].chat.post({ type: 'message', value, from: { id: 'x' } });
  await until(
    async () =>
      (await bot.store.audit.list(value.sessionId)).filter((e) => e.kind === 'incident_refused').length >= 2,
    LONG,
    'the refusal',
  );
  assert.equal((await listIncidents(bot.store))[0].state, 'open');
  // Only then from the support channel itself: it acts.
  assert.equal(await supportClick(lab, card, 'case.take', { id: 'U0SUPPORT1', name: 'dana' }), 200);
  await until(async () => (await listIncidents(bot.store))[0].state === 'taken', LONG, 'taken');
});

test('resolving re-checks the paired computer and asks the user whose agent is gone; Reopen undoes it', async () => {
  const card = () => api.messages.get(`${incidentCard().channel}/${incidentCard().ts}`)!;
  // The first user's agent disconnects: no longer paired for a re-check.
  users[0].agent.ws.close();
  const agentId = (await users[0].session()).pairing?.device?.agentId;
  await until(
    async () => (await bot.store.agents.get(agentId!))?.online === false,
    LONG,
    'the agent offline',
  );
  assert.equal(await supportClick(lab, card(), 'case.resolve', { id: 'U0SUPPORT1', name: 'dana' }), 200);
  const job = await users[1].agent.next('job');
  assert.equal(job.kind, 'check', 'the paired computer gets a full check');
  await users[0].chat.text(/Please try signing in to Teams again/, LONG);
  await users[1].chat.text(/Your computer is checking the connection again now/, LONG);
  await until(
    settled(() =>
      supportThreads(api)
        .replies(incidentCard())
        .some((m) => /1 computer re-checked by their agents, 1 user asked to check again/.test(m.text ?? '')),
    ),
    LONG,
    'the resolve line',
  );
  const [resolved] = await listIncidents(bot.store);
  assert.equal(resolved.state, 'resolved');
  assert.equal(resolved.verified, 0, 'nothing verified before a computer says so');
  assert.equal(await supportClick(lab, card(), 'case.reopen', { id: 'U0SUPPORT1', name: 'dana' }), 200);
  await until(
    async () => (await listIncidents(bot.store))[0].state === 'taken',
    LONG,
    'reopened, still taken',
  );
  assert.equal((await listIncidents(bot.store))[0].resolvedAt, undefined);
});
