/**
 * Issue 18, done-when: twelve users behind the same lab proxy that answers 407, each with a
 * paired agent whose report the real agent measured there, fed through the gateway. The support
 * channel gets one incident card and twelve case lines in its thread, no case card of its own
 * for any of them; two users whose proxy is unreachable (another cause) stay apart; the twelve are
 * told that IT is on it. Support takes the incident, notes it, and resolves it after the lab proxy
 * stops asking for credentials: every paired agent is re-checked (again measured by the real
 * agent) and the card ends at 12/12 verified.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { listIncidents } from '../../bot/incidents/index.ts';
import { until } from '../agents/harness.ts';
import { cardText } from '../bot/conversation-driver.ts';
import { startScenario } from '../lab/scenario.ts';
import { type SlackApiLab, type StoredMessage, startSlackApi } from '../lab/slack-api.ts';
import type { Lab } from '../support/harness.ts';
import { supportClick, supportReply, supportThreads } from '../support/slack-support.ts';
import { BOT_TOKEN, realReports, reportingUsers, SUPPORT_CHANNEL, startIncidentBot } from './harness.ts';

const dir = mkdtempSync(join(tmpdir(), 'reconnect-incidents-'));
const cleanup: Array<() => unknown> = [];
after(async () => {
  for (const fn of cleanup.reverse()) await fn();
  rmSync(dir, { recursive: true, force: true });
});
const LONG = 120_000;
const LEAD = { id: 'U0SUPPORT1', name: 'dana' };

/** Every string a Slack message shows (text and blocks), to match against. */
const shown = (m: StoredMessage) =>
  `${m.text ?? ''}\n${cardText(m.blocks ?? [])}\n${JSON.stringify(m.blocks ?? [])}`;

test('twelve users behind one 407 proxy: one incident, twelve lines, told, resolved and verified 12/12', {
  timeout: 600_000,
}, async () => {
  const office = await startScenario({ proxy: 'auth' });
  cleanup.push(() => office.close());
  const elsewhere = await startScenario({ proxy: 'unreachable' });
  cleanup.push(() => elsewhere.close());
  const api: SlackApiLab = await startSlackApi({ botToken: BOT_TOKEN });
  cleanup.push(() => api.close());
  const bot = await startIncidentBot({ dataDir: join(dir, 'bot'), api });
  cleanup.push(() => bot.close());
  const lab = { endpoint: bot.endpoint, api, settle: () => bot.support.idle() } as unknown as Lab;

  const broken = await realReports(office, 12);
  assert.ok(
    broken.every((r) => r.findings[0]?.id === 'proxy.auth_required'),
    'the agent measured the 407',
  );
  const other = await realReports(elsewhere, 2);
  assert.ok(other.every((r) => r.findings[0]?.id === 'proxy.unreachable'));

  const track = (...fns: Array<() => unknown>) => cleanup.push(...fns);
  const users = await reportingUsers([bot], broken, 'OFFICE-PC', track);
  const apart = await reportingUsers([bot], other, 'HOME-PC', track);

  // One card, twelve lines in its thread, and no case card for anyone.
  const threads = () => supportThreads(api, SUPPORT_CHANNEL);
  await until(
    async () => {
      await bot.support.idle();
      const root = threads().roots[0];
      return (
        root !== undefined &&
        threads()
          .replies(root)
          .filter((m) => /joined at/.test(m.text ?? '')).length === 12
      );
    },
    LONG,
    'twelve case lines in the incident thread',
  );
  const { roots, replies } = threads();
  assert.equal(roots.length, 1, 'one card in the support channel, not a card per case');
  const card = roots[0];
  assert.match(shown(card), /Incident INC-/);
  assert.match(shown(card), /proxy\.auth_required/);
  assert.match(shown(card), /12 since/);
  assert.match(shown(card), /sign-in/);
  const lines = replies(card);
  const caseRefs = new Set(lines.flatMap((m) => /Case (RC-\w+) joined/.exec(m.text ?? '')?.[1] ?? []));
  assert.equal(caseRefs.size, 12, 'a line for each of the twelve cases');
  assert.ok(
    lines.some((m) => /Admin hand-off/.test(shown(m))),
    'the admin hand-off for the cause is in the thread',
  );

  // The two with another cause are a group of their own, below the threshold: no incident.
  const incidents = await listIncidents(bot.store);
  assert.equal(incidents.length, 1);
  assert.equal(incidents[0].cause, 'proxy.auth_required');
  assert.equal(incidents[0].members, 12);
  const group = (await bot.store.incidents.member((await users[0].session()).id))?.incidentId;
  for (const user of apart) {
    const m = await bot.store.incidents.member((await user.session()).id);
    assert.ok(m && m.incidentId !== group, 'a different cause stays separate');
  }

  // The members are told, in plain words; the two others are not.
  for (const user of users) await user.chat.text(/IT is already working on it/, LONG);
  for (const user of apart)
    assert.ok(!user.chat.transcript().some((e) => /IT is already working on it/.test(e.activity.text ?? '')));

  // Support takes it and leaves a note in the thread; both show on the card.
  assert.equal(await supportClick(lab, card, 'case.take', LEAD), 200);
  await supportReply(lab, card, LEAD.id, 'Proxy team is changing the auth rule for Teams hosts');
  await until(
    async () => {
      await bot.support.idle();
      const now = api.messages.get(`${SUPPORT_CHANNEL}/${card.ts}`)!;
      return /Taken by dana/.test(shown(now)) && /changing the auth rule/.test(shown(now));
    },
    LONG,
    'the card to show who took it and the note',
  );

  // The proxy is fixed, then support resolves: every paired agent gets a check job.
  office.setProxyAuth(false);
  const fixed = await realReports(office, 12);
  assert.ok(
    fixed.every((r) => !r.findings.some((f) => f.id === 'proxy.auth_required')),
    'the proxy is fixed',
  );
  const current = api.messages.get(`${SUPPORT_CHANNEL}/${card.ts}`)!;
  assert.equal(await supportClick(lab, current, 'case.resolve', LEAD), 200);
  await Promise.all(users.map((user, i) => user.answer(fixed[i])));
  await until(
    async () => {
      await bot.support.idle();
      return /12\/12 computers/.test(shown(api.messages.get(`${SUPPORT_CHANNEL}/${card.ts}`)!));
    },
    LONG,
    'the card to show 12/12 verified',
  );
  for (const user of users) await user.chat.text(/the fix works/, LONG);
  const [summary] = await listIncidents(bot.store);
  assert.equal(summary.state, 'resolved');
  assert.equal(summary.verified, 12);
  assert.ok(summary.resolvedAt);

  // The metrics: one opened and one resolved, twelve members, a time to detect observed.
  const metrics = await bot.metrics.render();
  assert.match(metrics, /reconnect_incidents_opened_total\{cause="proxy\.auth_required"\} 1\b/);
  assert.match(metrics, /reconnect_incidents_resolved_total\{cause="proxy\.auth_required"\} 1\b/);
  assert.match(metrics, /reconnect_incident_members_sum 12\b/);
  assert.match(metrics, /reconnect_incident_time_to_detect_seconds_count 1\b/);
});
