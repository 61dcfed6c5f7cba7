import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type PlannedProbe, type ProgressEvent, runSuite } from '../../probes/runner.ts';
import { type ProbeResult, zeroPhases } from '../../probes/types.ts';
import { labContext } from '../lab/context.ts';

const ctx = labContext();

function pass(id: string): ProbeResult {
  return { id, kind: 'tcp', target: id, status: 'pass', durationMs: 1, phases: zeroPhases(), detail: {} };
}

/** A probe that waits for its signal (a dropped packet) and reports the timeout it saw. */
function waitsForDeadline(
  id: string,
  timeoutMs: number,
  log?: { active: number; peak: number },
): PlannedProbe {
  return {
    id,
    kind: 'tcp',
    target: id,
    area: 'firewall',
    timeoutMs,
    run: ({ signal }) =>
      new Promise((resolve) => {
        if (log) log.peak = Math.max(log.peak, ++log.active);
        signal.addEventListener('abort', () => {
          if (log) log.active--;
          resolve({
            ...pass(id),
            status: 'fail',
            failure: { phase: 'connect', code: 'timeout', detail: 'no answer' },
          });
        });
      }),
  };
}

test('probes get aborted at their deadline and report it as a measured timeout', async () => {
  const run = await runSuite([waitsForDeadline('a', 50)], { ctx });
  assert.equal(run.probes[0].status, 'fail');
  assert.equal(run.probes[0].failure?.code, 'timeout');
  assert.deepEqual(Object.keys(run.probes[0].phases).sort(), ['connect', 'dns', 'firstByte', 'proxy', 'tls']);
});

test('no more than `concurrency` probes run at once', async () => {
  const log = { active: 0, peak: 0 };
  const plan = Array.from({ length: 9 }, (_, i) => waitsForDeadline(`p${i}`, 30, log));
  await runSuite(plan, { ctx, concurrency: 3 });
  assert.equal(log.peak, 3);
});

test('probes still queued when the budget is used up are errors, never passes', async () => {
  const plan = [
    waitsForDeadline('slow', 1000),
    { ...waitsForDeadline('queued', 1000), run: async () => pass('queued') },
  ];
  const run = await runSuite(plan, { ctx, concurrency: 1, budgetMs: 60 });
  assert.equal(run.probes[0].failure?.code, 'timeout', 'the running probe is cut at the budget');
  assert.equal(run.probes[1].status, 'error');
  assert.equal(run.probes[1].failure?.code, 'not_run');
});

test('a probe that ignores its signal is cut off after the grace period', async () => {
  let release: () => void = () => {};
  const stuck: PlannedProbe = {
    id: 'stuck',
    kind: 'tls',
    target: 'x',
    area: 'tls',
    timeoutMs: 20,
    run: () =>
      new Promise((resolve) => {
        release = () => resolve(pass('stuck'));
      }),
  };
  const run = await runSuite([stuck], { ctx, graceMs: 20 });
  release();
  assert.equal(run.probes[0].status, 'error');
  assert.match(run.probes[0].failure?.detail ?? '', /did not stop at its 20 ms deadline/);
});

test('a probe that throws becomes an error result, the rest still run', async () => {
  const crash: PlannedProbe = {
    id: 'crash',
    kind: 'dns',
    target: 'x',
    area: 'dns',
    timeoutMs: 100,
    run: async () => {
      throw new Error('boom');
    },
  };
  const ok: PlannedProbe = { ...crash, id: 'ok', run: async () => pass('ok') };
  const run = await runSuite([crash, ok], { ctx });
  assert.equal(run.probes[0].status, 'error');
  assert.match(run.probes[0].failure?.detail ?? '', /crashed: boom/);
  assert.equal(run.probes[1].status, 'pass');
});

test('a result that is not a pass always carries a failure', async () => {
  const vague: PlannedProbe = {
    id: 'vague',
    kind: 'dns',
    target: 'x',
    area: 'dns',
    timeoutMs: 100,
    run: async () => ({ ...pass('vague'), status: 'warn' }),
  };
  const run = await runSuite([vague], { ctx });
  assert.equal(run.probes[0].failure?.code, 'internal');
});

test('progress: planned first, then a started and a finished event per probe', async () => {
  const events: ProgressEvent[] = [];
  const plan = ['a', 'b'].map((id) => ({ ...waitsForDeadline(id, 10), run: async () => pass(id) }));
  await runSuite(plan, { ctx, onProgress: (e) => events.push(e) });
  assert.equal(events[0].type, 'planned');
  assert.equal(events.filter((e) => e.type === 'started').length, 2);
  assert.deepEqual(
    events.filter((e) => e.type === 'finished').map((e) => (e.type === 'finished' ? e.result.id : '')),
    ['a', 'b'],
  );
});

test('cancelling the run aborts what runs and marks the rest not run', async () => {
  const controller = new AbortController();
  const plan = [waitsForDeadline('a', 5000), waitsForDeadline('b', 5000)];
  const running = runSuite(plan, { ctx, concurrency: 1, signal: controller.signal });
  controller.abort();
  const run = await running;
  assert.equal(run.probes[0].failure?.code, 'timeout');
  assert.equal(run.probes[1].failure?.code, 'not_run');
});
