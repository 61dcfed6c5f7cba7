/**
 * Correlation across two replicas on one Redis (redis-server on loopback): four users behind the
 * same 407 proxy, paired alternately with replica A and replica B, each report (measured by the
 * real agent) arriving on the replica its agent is connected to. Both replicas see one and the
 * same incident with all four members, and the support channel gets one card for it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { listIncidents } from '../../bot/incidents/index.ts';
import { until } from '../agents/harness.ts';
import { startRedis } from '../lab/redis.ts';
import { startScenario } from '../lab/scenario.ts';
import { startSlackApi } from '../lab/slack-api.ts';
import { supportThreads } from '../support/slack-support.ts';
import { BOT_TOKEN, realReports, reportingUsers, startIncidentBot } from './harness.ts';

const dir = mkdtempSync(join(tmpdir(), 'reconnect-incident-replicas-'));
const cleanup: Array<() => unknown> = [];
after(async () => {
  for (const fn of cleanup.reverse()) await fn();
  rmSync(dir, { recursive: true, force: true });
});
const LONG = 60_000;

test('two replicas on one Redis correlate into the same incident', async () => {
  const redis = await startRedis();
  cleanup.push(() => redis.stop());
  const office = await startScenario({ proxy: 'auth' });
  cleanup.push(() => office.close());
  const reports = await realReports(office, 4);
  const api = await startSlackApi({ botToken: BOT_TOKEN });
  cleanup.push(() => api.close());
  const env = { REDIS_URL: redis.url };
  const a = await startIncidentBot({ dataDir: join(dir, 'a'), api, env, agents: { replicaId: 'replica-a' } });
  cleanup.push(() => a.close());
  const b = await startIncidentBot({ dataDir: join(dir, 'b'), api, env, agents: { replicaId: 'replica-b' } });
  cleanup.push(() => b.close());

  const users = await reportingUsers([a, b], reports, 'PC', (...fns) => cleanup.push(...fns));
  const sessions = await Promise.all(users.map(async (u) => (await u.session()).id));
  await until(
    async () => {
      await Promise.all([a.support.idle(), b.support.idle()]);
      const [incident] = await listIncidents(a.store);
      return incident?.members === 4;
    },
    LONG,
    'four members in the incident',
  );
  const fromA = await listIncidents(a.store);
  const fromB = await listIncidents(b.store);
  assert.equal(fromA.length, 1);
  assert.deepEqual(fromB, fromA, 'both replicas read the same incident');
  const ids = new Set(
    await Promise.all(sessions.map(async (id) => (await b.store.incidents.member(id))?.incidentId)),
  );
  assert.deepEqual([...ids], [fromA[0].id], 'every case, whichever replica took its report, is a member');
  await until(
    async () => {
      await Promise.all([a.support.idle(), b.support.idle()]);
      const { roots, replies } = supportThreads(api);
      return (
        roots.length === 1 && replies(roots[0]).filter((m) => /joined at/.test(m.text ?? '')).length === 4
      );
    },
    LONG,
    'one card with four lines',
  );
});
