/**
 * "Keep checking while I try to sign in" in the pure core (issue 15): offered only with a
 * confirmed agent; the click dispatches a watch job and the live card watches; the agent's
 * rounds move only the card; Stop asks the agent to cancel; the report ends the watch on the
 * findings card with what it saw; a watch that brings no report puts the card back.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { manualReport } from '../../bot/core/manual-report.ts';
import { newSession } from '../../bot/core/session.ts';
import { transition } from '../../bot/core/transition.ts';
import type { CoreEvent, Effect, Session, TransitionDeps, View } from '../../bot/core/types.ts';
import { viewFor } from '../../bot/core/views.ts';
import { WATCH_MS, watchResultText } from '../../bot/core/watch.ts';
import { buttonsFor } from '../../cards/actions.ts';
import { parsePaste } from '../../probes/paste/index.ts';
import type { Report } from '../../probes/report.ts';
import type { WatchSummary } from '../../probes/watch.ts';
import { AGENT, eventMaker, NOW } from './events.ts';
import { PLAYBOOKS } from './fake-channel.ts';

const WATCH = 30_000;
const deps: TransitionDeps = {
  playbooks: PLAYBOOKS,
  now: NOW,
  agents: true,
  watchMs: WATCH,
  pairingCode: { code: 'K7M2-QX9P', expiresAt: '2026-11-27T10:10:00.000Z' },
};
const agent = AGENT;
const ev = eventMaker('w');
const click = (s: Session, verb: string) =>
  ev({ kind: 'action', verb, data: { sessionId: s.id, version: s.version } });
const fixture = (name: string) => readFileSync(new URL(`../fixtures/paste/${name}`, import.meta.url), 'utf8');

const broken = manualReport({ probes: parsePaste(fixture('curl-v-inspection.txt')).probes, startedAt: NOW });
const agentReport = (extra: Partial<Report> = {}): Report => ({
  ...broken,
  agent: { ...broken.agent, version: '0.1.0' },
  ...extra,
});

function step(s: Session, event: CoreEvent, d: TransitionDeps = deps) {
  return transition(s, event, d);
}

/** Paired, confirmed, and the first report in: the findings card. */
function findingsSession(d: TransitionDeps = deps): Session {
  let s = newSession('s1', ev({ kind: 'message', text: '' }), NOW);
  for (const make of [
    () => ev({ kind: 'message', text: 'CAA20004 windows at home' }),
    () => ev({ kind: 'paired', device: { hostname: 'LAPTOP-42', os: 'windows', agentId: 'ag-1' } }, agent),
    (x: Session) => click(x, 'pairing.confirm'),
    () => ev({ kind: 'report', report: agentReport(), source: 'agent' }, agent),
  ])
    s = step(s, make(s), d).session;
  return s;
}

const views = (effects: Effect[]): View[] =>
  effects.flatMap((e) =>
    e.type === 'update' || (e.type === 'send' && e.view.screen !== 'notice') ? [e.view as View] : [],
  );
const titles = (v: View) => buttonsFor(v).map((b) => b.label);

const SUMMARY: WatchSummary = {
  durationMs: WATCH,
  firstCheckMs: 1800,
  rounds: 12,
  intervalMs: 1000,
  endpoints: [
    {
      host: 'login.microsoftonline.com',
      port: 443,
      rounds: 12,
      failed: 4,
      failureRate: 0.333,
      latencyMs: { p50: 45, p90: 120, max: 130 },
      flaps: [
        { at: NOW, to: 'fail' },
        { at: NOW, to: 'pass' },
      ],
      probeIds: ['https:login.microsoftonline.com:443'],
    },
    {
      host: 'teams.microsoft.com',
      port: 443,
      rounds: 12,
      failed: 0,
      failureRate: 0,
      latencyMs: { p50: 30, p90: 40, max: 41 },
      flaps: [],
      probeIds: [],
    },
  ],
};

test('the watch: offered with an agent, a live card with rounds and Stop, the result on the findings card', () => {
  const plan = findingsSession();
  assert.equal(plan.state, 'plan');
  const offered = viewFor(plan, deps);
  assert.ok(offered.screen === 'findings' && offered.canWatch);
  assert.ok(titles(offered).includes('Keep checking while I try to sign in'));

  // The click: a watch job for the configured window, and the card watches in place.
  const started = step(plan, click(plan, 'watch.start'));
  const s1 = started.session;
  const jobs = started.effects.flatMap((e) => (e.type === 'dispatch' ? [e.job] : []));
  assert.deepEqual(jobs, [{ type: 'watch', jobId: s1.watch?.jobId, sessionId: 's1', watchMs: WATCH }]);
  assert.deepEqual(s1.watch, { jobId: jobs[0].jobId, durationMs: WATCH, startedAt: NOW });
  const [watching] = views(started.effects);
  assert.ok(watching.screen === 'progress');
  assert.deepEqual(watching.watch, { durationMs: WATCH, leftMs: WATCH, rounds: 0, failedRounds: 0 });
  assert.deepEqual(titles(watching), ['Stop']);

  // A second click while watching starts nothing.
  const twice = step(s1, click(s1, 'watch.start'));
  assert.equal(
    twice.effects.some((e) => e.type === 'dispatch'),
    false,
  );

  // The agent's rounds move the card only; the session is not saved for them.
  const progress = ev(
    {
      kind: 'agentProgress',
      jobId: s1.watch?.jobId,
      jobType: 'watch',
      progress: {
        done: 29,
        total: 29,
        failed: 1,
        areas: [],
        watch: { rounds: 5, failedRounds: 2, leftMs: 21_000 },
      },
    },
    agent,
  );
  const moved = step(s1, progress);
  assert.equal(moved.session, s1);
  const [live] = views(moved.effects);
  assert.ok(live.screen === 'progress');
  assert.deepEqual(live.watch, { durationMs: WATCH, leftMs: 21_000, rounds: 5, failedRounds: 2 });
  // Another job's progress does not touch the watching card.
  const other = step(s1, ev({ ...progress, kind: 'agentProgress', jobId: 'someone-else' } as never, agent));
  assert.deepEqual(other.effects, []);

  // Stop: the agent is asked to cancel that very job; the card says it is stopping, no second Stop.
  const stop = step(s1, click(s1, 'watch.stop'));
  assert.deepEqual(
    stop.effects.filter((e) => e.type === 'cancel'),
    [{ type: 'cancel', jobId: s1.watch?.jobId }],
  );
  assert.equal(stop.session.watch?.stopping, true);
  const [stopping] = views(stop.effects);
  assert.ok(stopping.screen === 'progress' && stopping.watch?.stopping);
  assert.deepEqual(titles(stopping), []);

  // The report: the watch is over, the findings card says what it saw, and offers another watch.
  const done = step(
    stop.session,
    ev({ kind: 'report', report: agentReport({ watch: SUMMARY }), source: 'agent' }, agent),
  );
  assert.equal(done.session.watch, undefined);
  assert.equal(done.session.state, 'plan');
  const [result] = views(done.effects);
  assert.ok(result.screen === 'findings');
  assert.equal(result.watchResult, watchResultText(SUMMARY));
  assert.match(
    result.watchResult ?? '',
    /login\.microsoftonline\.com:443 dropped out in 4 of 12 rounds \(33%\)/,
  );
  assert.match(result.watchResult ?? '', /45 ms typically and 120 ms at worst for 9 in 10/);
  assert.doesNotMatch(
    result.watchResult ?? '',
    /teams\.microsoft\.com/,
    'endpoints that never dropped out are not named',
  );
  assert.ok(result.canWatch);
});

test('the watch result in plain words: no drop-outs, and an endpoint that failed every round', () => {
  const calm = {
    ...SUMMARY,
    durationMs: 120_000,
    endpoints: SUMMARY.endpoints.map((e) => ({ ...e, failed: 0, failureRate: 0, flaps: [] })),
  };
  assert.equal(
    watchResultText(calm),
    'Watched the connection for 2 min: no drop-outs in 12 rounds of checks.',
  );
  const down = {
    ...SUMMARY,
    endpoints: [{ ...SUMMARY.endpoints[0], failed: 12, failureRate: 1, latencyMs: null, flaps: [] }],
  };
  assert.equal(
    watchResultText(down),
    'Watched the connection for 30 s: login.microsoftonline.com:443 failed in every round (12 of 12).',
  );
  assert.equal(WATCH_MS, 120_000, 'two minutes unless the bot is told otherwise');
});

test('without an agent the watch is not offered, and a typed or forged watch click starts nothing', () => {
  const manual = { ...deps, agents: false };
  let s = newSession('s2', ev({ kind: 'message', text: '' }), NOW);
  s = step(s, ev({ kind: 'message', text: 'CAA20004 windows at home' }), manual).session;
  s = step(s, ev({ kind: 'report', report: broken, source: 'manual' }), manual).session;
  const view = viewFor(s, manual);
  assert.equal(view.screen, 'findings');
  assert.equal(view.screen === 'findings' && view.canWatch, undefined);
  assert.equal(titles(view).includes('Keep checking while I try to sign in'), false);
  const forged = step(s, click(s, 'watch.start'), manual);
  assert.deepEqual(forged.effects, []);
  assert.equal(forged.session.watch, undefined);
});

test('a watch that brings no report puts the findings card back and says why', () => {
  const plan = findingsSession();
  const s1 = step(plan, click(plan, 'watch.start')).session;
  const lost = step(
    s1,
    ev(
      {
        kind: 'agentJobEnded',
        jobId: s1.watch?.jobId,
        jobType: 'watch',
        outcome: 'lost',
        message: 'the computer did not answer before the deadline',
      },
      agent,
    ),
  );
  assert.equal(lost.session.watch, undefined);
  const shown = lost.effects.flatMap((e) => (e.type === 'update' || e.type === 'send' ? [e.view] : []));
  assert.equal(shown[0].screen, 'findings');
  assert.ok(
    shown.some((v) => v.screen === 'notice' && v.text === 'The computer did not answer before the deadline.'),
  );
});
