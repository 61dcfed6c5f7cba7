/**
 * Test helpers for the agent side: a clock whose timers run when the test moves time, and a
 * report that a check would return, so the link and the pair flow are tested without waiting.
 */

import type { Report } from '../../probes/report.ts';
import type { Timers } from '../../probes/timers.ts';

export interface FakeTimers extends Timers {
  /** Moves time forward, running due timers in order and letting promises settle between them. */
  advance(ms: number): Promise<void>;
  /** Advances in steps until `promise` settles or `maxMs` has passed. */
  settle<T>(promise: Promise<T>, maxMs: number, stepMs?: number): Promise<T>;
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

export function fakeTimers(start = 1_800_000_000_000): FakeTimers {
  let t = start;
  let seq = 0;
  const queue = new Map<number, { at: number; fn: () => void }>();
  const advance = async (ms: number) => {
    const end = t + ms;
    for (;;) {
      await tick();
      const due = [...queue]
        .filter(([, x]) => x.at <= end)
        .sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0];
      if (!due) break;
      queue.delete(due[0]);
      t = Math.max(t, due[1].at);
      due[1].fn();
    }
    t = end;
    await tick();
  };
  return {
    now: () => t,
    setTimeout(fn, ms) {
      const id = ++seq;
      queue.set(id, { at: t + ms, fn });
      return id;
    },
    clearTimeout(id) {
      queue.delete(id as number);
    },
    advance,
    async settle(promise, maxMs, stepMs = 1000) {
      let done = false;
      const watched = promise.finally(() => {
        done = true;
      });
      for (let spent = 0; !done && spent <= maxMs; spent += stepMs) await advance(stepMs);
      if (!done) throw new Error(`did not settle within ${maxMs} ms of fake time`);
      return watched;
    },
  };
}

/** A report as a check on a network with TLS inspection would return it. */
export function inspectedReport(): Report {
  return {
    schema: 'reconnect.report/v1',
    agent: { version: '0.1.0', os: 'linux', osVersion: '6.8', runtime: 'node 24' },
    cloud: 'lab',
    startedAt: '2026-11-27T10:00:00.000Z',
    durationMs: 1200,
    environment: { proxy: { source: 'none' }, resolvers: ['127.0.0.1:5353'] },
    endpoints: [{ host: 'login.lab.test', port: 4431, purpose: 'auth', required: true }],
    publicResolvers: [],
    probes: [
      {
        id: 'tls:login.lab.test:4431',
        kind: 'tls',
        target: 'login.lab.test:4431',
        status: 'fail',
        durationMs: 20,
        phases: { dns: 1, connect: 1, proxy: 0, tls: 18, firstByte: 0 },
        detail: {},
        failure: { phase: 'tls', code: 'untrusted', detail: 'chain ends at Lab Inspection Root' },
      },
    ],
    findings: [
      {
        id: 'tls.inspection',
        severity: 'blocking',
        summary: 'TLS is inspected',
        evidence: ['tls:login.lab.test:4431'],
        facts: { issuer: 'Lab Inspection Root' },
      },
    ],
    verdict: 'problems',
  };
}
