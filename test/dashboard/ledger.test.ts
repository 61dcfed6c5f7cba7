/**
 * The dashboard's ledger (over the memory Store's history area; the other stores keep the same
 * contract, test/dashboard/history.test.ts) and settings: findings land in the hour they were
 * named and leave the chart after a week; step results add up over the week; resolution times give the median and
 * the 90th percentile; the metrics wrapper feeds both /metrics and the ledger from one call. The
 * two settings refuse what they cannot take, by name.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadBotConfig } from '../../bot/config.ts';
import { createMemoryHistory } from '../../bot/dashboard/history-memory.ts';
import {
  BUCKET_MS,
  createLedger,
  durationsOf,
  recordingInto,
  WINDOW_BUCKETS,
} from '../../bot/dashboard/ledger.ts';
import { silentLogger } from '../../bot/log.ts';
import { createMetrics } from '../../bot/metrics.ts';

const HOUR = 3_600_000;
const ledgerAt = (now: () => number) =>
  createLedger({ history: createMemoryHistory(), now, log: silentLogger });

test('findings count per hour and drop off after a week; steps add up over the week', async () => {
  let t = Date.parse('2026-12-01T10:30:00Z');
  const ledger = ledgerAt(() => t);
  ledger.finding('proxy.auth_required');
  ledger.step('sign-in-to-proxy', 'failed');
  t += HOUR;
  ledger.finding('proxy.auth_required');
  ledger.finding('proxy.auth_required');
  ledger.finding('dns.hijacked');
  ledger.step('sign-in-to-proxy', 'verified');

  const chart = (await ledger.read()).findings;
  assert.equal(chart.buckets, WINDOW_BUCKETS);
  assert.equal(chart.bucketMs, BUCKET_MS);
  assert.equal(
    chart.start + (WINDOW_BUCKETS - 1) * BUCKET_MS,
    Date.parse('2026-12-01T11:00:00Z'),
    'the last bucket is this hour',
  );
  const proxy = chart.series.find((s) => s.id === 'proxy.auth_required')!.counts;
  assert.deepEqual(proxy.slice(-2), [1, 2]);
  assert.equal(
    proxy.reduce((a, b) => a + b, 0),
    3,
  );
  assert.deepEqual((await ledger.read()).steps, [{ stepId: 'sign-in-to-proxy', verified: 1, failed: 1 }]);

  t += (WINDOW_BUCKETS - 1) * HOUR;
  const later = (await ledger.read()).findings.series.find((s) => s.id === 'proxy.auth_required')!.counts;
  assert.deepEqual([later.reduce((a, b) => a + b, 0), later[0]], [2, 2], 'the first hour has left the week');
  assert.deepEqual((await ledger.read()).steps, [{ stepId: 'sign-in-to-proxy', verified: 1, failed: 0 }]);
  t += HOUR;
  assert.deepEqual((await ledger.read()).findings.series, []);
  assert.deepEqual((await ledger.read()).steps, []);
});

test('resolution times: median and 90th percentile, over the week', async () => {
  assert.deepEqual(durationsOf([]), { count: 0 });
  assert.deepEqual(durationsOf([50, 10, 40, 20, 30, 60, 70, 80, 90, 100]), {
    count: 10,
    medianMs: 50,
    p90Ms: 90,
  });
  let t = 0;
  const ledger = ledgerAt(() => t);
  ledger.resolved(40 * 60_000);
  t += 8 * 24 * HOUR;
  ledger.resolved(10 * 60_000);
  assert.deepEqual((await ledger.read()).resolutions, { count: 1, medianMs: 600_000, p90Ms: 600_000 });
});

test('the metrics wrapper counts each finding and step once in /metrics and once in the ledger', async () => {
  const metrics = createMetrics({ processMetrics: false });
  const ledger = ledgerAt(() => Date.parse('2026-12-01T10:00:00Z'));
  const both = recordingInto(ledger, metrics);
  both.finding('tls.inspection');
  both.step('trust-inspection-root', 'verified');
  const text = await metrics.render();
  assert.match(text, /reconnect_findings_total\{finding="tls.inspection"\} 1/);
  assert.match(text, /reconnect_steps_total\{step="trust-inspection-root",status="verified"\} 1/);
  assert.equal((await ledger.read()).findings.series[0]?.counts.at(-1), 1);
  assert.deepEqual((await ledger.read()).steps, [
    { stepId: 'trust-inspection-root', verified: 1, failed: 0 },
  ]);
});

test('DASHBOARD_LINK_MINUTES and DASHBOARD_SESSION_HOURS: defaults, and refusals that name the setting', () => {
  const base = { DIRECTLINE_SECRET: 'd'.repeat(40), DATA_DIR: '/nonexistent-never-written' };
  assert.deepEqual(loadBotConfig(base).dashboard, { linkMs: 600_000, sessionMs: 8 * HOUR });
  assert.deepEqual(
    loadBotConfig({ ...base, DASHBOARD_LINK_MINUTES: '60', DASHBOARD_SESSION_HOURS: '1' }).dashboard,
    {
      linkMs: HOUR,
      sessionMs: HOUR,
    },
  );
  for (const [name, value] of [
    ['DASHBOARD_LINK_MINUTES', '0'],
    ['DASHBOARD_LINK_MINUTES', '61'],
    ['DASHBOARD_LINK_MINUTES', '2.5'],
    ['DASHBOARD_SESSION_HOURS', '25'],
    ['DASHBOARD_SESSION_HOURS', 'eight'],
  ] as const)
    assert.throws(
      () => loadBotConfig({ ...base, [name]: value }),
      (error: Error) => error instanceof ConfigError && error.message.startsWith(`${name} is "${value}"`),
    );
});
