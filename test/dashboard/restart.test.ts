/**
 * The dashboard's history outlives the process (SQLite): two web chat users hit the proxy
 * sign-in; one fixes it 40 minutes later (the step verified, the case resolved), the other's
 * re-check still fails. After the bot and its store close and start again on the same DATA_DIR,
 * /admin/api/summary shows the same findings, step results and resolution time as before.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { DashboardSummary } from '../../bot/dashboard/types.ts';
import type { Chat } from '../bot/conversation-driver.ts';
import { type DashboardLab, proxyUser, startDashboardLab } from './harness.ts';

let lab: DashboardLab;
const chats: Chat[] = [];
before(async () => {
  lab = await startDashboardLab();
});
after(async () => {
  for (const chat of chats) chat.close();
  await lab?.close();
});

async function summary(cookie: string): Promise<DashboardSummary> {
  const res = await fetch(`${lab.bot.url}/admin/api/summary`, { headers: { cookie } });
  assert.equal(res.status, 200);
  return (await res.json()) as DashboardSummary;
}

const history = (s: DashboardSummary) => ({
  findings: s.findings.series.map((f) => ({ id: f.id, total: f.counts.reduce((a, b) => a + b, 0) })),
  steps: s.steps.map(({ stepId, verified, failed }) => ({ stepId, verified, failed })),
  cases: s.resolution.cases,
});

test('findings, step results and resolution times survive a restart', async () => {
  const fixed = await proxyUser(lab.bot.url, 'fixed', () => {
    lab.clock.t += 40 * 60_000;
  });
  chats.push(fixed, await proxyUser(lab.bot.url, 'still failing'));
  await lab.bot.directLine.idle();
  const signedIn = await fetch(`${lab.bot.url}/admin/signin`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ t: new URL(await lab.link()).searchParams.get('t')! }).toString(),
    redirect: 'manual',
  });
  assert.equal(signedIn.status, 303);
  const cookie = (signedIn.headers.get('set-cookie') ?? '').split(';')[0]!;

  const before = history(await summary(cookie));
  assert.deepEqual(before.findings, [{ id: 'proxy.auth_required', total: 2 }]);
  assert.equal(before.steps.length, 1);
  assert.deepEqual([before.steps[0]?.verified, before.steps[0]?.failed], [1, 1]);
  assert.deepEqual(before.cases, { count: 1, medianMs: 40 * 60_000, p90Ms: 40 * 60_000 });

  for (const chat of chats.splice(0)) chat.close();
  await lab.restart();
  // The session cookie is signed with the deployment's secret, which the restart keeps.
  assert.deepEqual(history(await summary(cookie)), before, 'the restarted bot shows the same history');
});
