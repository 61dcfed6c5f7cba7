/**
 * The watch's rounds on an injected clock: the window opens after the first full check, every
 * round gets only the time left, none starts past the end, and the per-endpoint figures
 * (failures, percentiles, flaps) follow from the rounds.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ProbeResult, zeroPhases } from '../../probes/types.ts';
import { parseDuration, summariseWatch, type WatchRound, watchRounds } from '../../probes/watch.ts';

const probe = (id: string, status: ProbeResult['status'], durationMs = 10): ProbeResult => ({
  id,
  kind: id.split(':')[0] as ProbeResult['kind'],
  target: id.slice(id.indexOf(':') + 1),
  status,
  durationMs,
  phases: zeroPhases(),
  detail: {},
});

test('rounds fill the window after the first check, each within the time left, none past the end', async () => {
  let now = 1000;
  const budgets: number[] = [];
  const starts: number[] = [];
  const first: WatchRound = { at: 0, probes: [] };
  const rounds = await watchRounds(
    {
      durationMs: 10_000,
      intervalMs: 1000,
      now: () => now,
      sleep: async (ms) => {
        now += ms;
      },
      round: async (budget) => {
        starts.push(now);
        budgets.push(budget);
        now += 1700; // each round takes 1.7 s
        return [];
      },
    },
    first,
  );
  // Window 1000..11000, a pause of 1 s before each round: rounds start at 2000, 4700, 7400 and
  // 10100, each given exactly the time left; after the last, none is left.
  assert.deepEqual(starts, [2000, 4700, 7400, 10_100]);
  assert.deepEqual(budgets, [9000, 6300, 3600, 900]);
  assert.equal(rounds.length, 5, 'the first full check counts as a round');
  for (const [i, s] of starts.entries()) assert.equal(s + budgets[i], 11_000);
});

test('a round is not started with less than half a second left', async () => {
  let now = 0;
  const rounds = await watchRounds({
    durationMs: 1400,
    intervalMs: 1000,
    now: () => now,
    sleep: async (ms) => {
      now += ms;
    },
    round: async () => {
      now += 100;
      return [];
    },
  });
  // 0..100, then sleep to 1100, 300 ms left: not started.
  assert.equal(rounds.length, 1);
});

test('per endpoint: failures, latency percentiles over passing rounds, and flaps', () => {
  const endpoints = [{ host: 'login.lab.test', port: 443, purpose: 'auth' as const, required: true }];
  const ids = ['dns:login.lab.test@system', 'tcp:login.lab.test:443'];
  const round = (at: number, ok: boolean, ms: number): WatchRound => ({
    at,
    probes: [
      probe(ids[0], 'pass'),
      probe(ids[1], ok ? 'pass' : 'fail'),
      probe('https:login.lab.test:443', ok ? 'pass' : 'fail', ms),
    ],
  });
  const rounds = [
    round(0, true, 10),
    round(1000, false, 0),
    round(2000, true, 30),
    round(3000, true, 20),
    round(4000, false, 0),
  ];
  const [w] = summariseWatch(rounds, endpoints, 1000, 5000, 0).endpoints;
  assert.equal(w.rounds, 5);
  assert.equal(w.failed, 2);
  assert.equal(w.failureRate, 0.4);
  assert.deepEqual(w.latencyMs, { p50: 20, p90: 30, max: 30 });
  assert.deepEqual(
    w.flaps.map((f) => f.to),
    ['fail', 'pass', 'fail'],
  );
  // A round the interlock refused does not count either way.
  const refused: WatchRound = { at: 5000, probes: [probe(ids[1], 'error')] };
  assert.equal(summariseWatch([...rounds, refused], endpoints, 1000, 6000, 0).endpoints[0].rounds, 5);
});

test('durations: 30s, 5m, 1h; anything else is refused with what is accepted', () => {
  assert.equal(parseDuration('30s'), 30_000);
  assert.equal(parseDuration('5m'), 300_000);
  assert.equal(parseDuration('1h'), 3_600_000);
  for (const bad of ['0s', '30', '1d', '-5s', '25h', '1.5m', ''])
    assert.throws(
      () => parseDuration(bad),
      /expected a number and s, m or h \(30s, 5m, 1h\), from 1s to 24h/,
      bad,
    );
});
