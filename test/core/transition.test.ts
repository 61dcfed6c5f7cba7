/**
 * The pure state machine: same inputs, same outputs; replays and stale clicks change nothing;
 * the agent path (pairing → probing → findings → re-check) for issue 6; authorisation rules.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { authorize } from '../../bot/core/authorize.ts';
import { manualReport } from '../../bot/core/manual-report.ts';
import { newSession } from '../../bot/core/session.ts';
import { transition } from '../../bot/core/transition.ts';
import type { CoreEvent, Effect, OutboundView, Session, TransitionDeps } from '../../bot/core/types.ts';
import { buttonsFor } from '../../cards/actions.ts';
import { parsePaste } from '../../probes/paste/index.ts';
import { AGENT, eventMaker, NOW } from './events.ts';
import { PLAYBOOKS } from './fake-channel.ts';

const deps: TransitionDeps = { playbooks: PLAYBOOKS, now: NOW };
const agent = AGENT;
const ev = eventMaker('e');
const say = (text: string) => ev({ kind: 'message', text });
const click = (s: Session, verb: string, extra: Record<string, unknown> = {}) =>
  ev({ kind: 'action', verb, data: { sessionId: s.id, version: s.version, ...extra } });
const fixture = (name: string) => readFileSync(new URL(`../fixtures/paste/${name}`, import.meta.url), 'utf8');

/** Applies events in turn, as the engine would after each save. */
function run(events: Array<(s: Session) => CoreEvent>, d: TransitionDeps = deps, start?: Session) {
  let s = start ?? newSession('s1', say(''), NOW);
  const all: Effect[] = [];
  for (const make of events) {
    const r = transition(s, make(s), d);
    s = r.session;
    all.push(...r.effects);
  }
  return { session: s, effects: all };
}

const viewsOf = (effects: Effect[]) =>
  effects.flatMap((e) => (e.type === 'send' || e.type === 'update' ? [e.view] : [])) as OutboundView[];

test('transition is pure: the same inputs give equal outputs and the input session is not touched', () => {
  const start = newSession('s1', say(''), NOW);
  const frozen = structuredClone(start);
  const event = say('Teams says CAA20004 on my Windows laptop at home');
  const a = transition(start, event, deps);
  const b = transition(start, event, deps);
  assert.deepEqual(a, b);
  assert.deepEqual(start, frozen);
  assert.equal(a.session.version, 1);
  assert.equal(a.session.state, 'step', 'code, OS and place in one sentence: straight to the manual path');
});

test('an event already applied (its id in recentEvents) returns the same session and no effect', () => {
  const event = say('Teams says CAA20004');
  const first = transition(newSession('s1', event, NOW), event, deps);
  const again = transition(first.session, event, deps);
  assert.equal(again.session, first.session);
  assert.deepEqual(again.effects, []);
});

test('a stale click (older version) changes nothing and answers gently', () => {
  const { session } = run([
    () => say('CAA20004 windows at home'),
    (s) => click(s, 'step.recheck', { stepId: s.plan[0].stepId }),
  ]);
  const stale = ev({
    kind: 'action',
    verb: 'step.skip',
    data: { sessionId: 's1', version: 1, stepId: session.plan[0].stepId },
  });
  const r = transition(session, stale, deps);
  assert.equal(r.session, session);
  assert.equal(r.effects[0].type === 'send' && r.effects[0].view.screen, 'notice');
  assert.equal(r.effects[1].type === 'audit' && r.effects[1].entry.kind, 'stale_click');
});

test('intake answers from one card all count, even when the first one already moved the version', () => {
  const { session } = run([() => say('CAA20004')]);
  const tapped = { sessionId: session.id, version: session.version };
  const a = transition(
    session,
    ev({ kind: 'action', verb: 'intake.os', data: { ...tapped, value: 'linux' } }),
    deps,
  );
  const b = transition(
    a.session,
    ev({ kind: 'action', verb: 'intake.where', data: { ...tapped, value: 'hotspot' } }),
    deps,
  );
  assert.equal(b.session.os, 'linux');
  assert.equal(b.session.where, 'hotspot');
  assert.equal(b.session.state, 'step');
});

test('a step click for another step than the one on screen is stale', () => {
  const { session } = run([() => say('CAA20004 windows at home')]);
  const r = transition(session, click(session, 'step.skip', { stepId: 'flush-dns-cache' }), deps);
  assert.equal(r.session, session);
});

test('with a gateway, intake asks the engine for a pairing code, then shows the pairing card', () => {
  const agents = { ...deps, agents: true };
  const start = newSession('s1', say(''), NOW);
  const asked = transition(start, say('CAA20004 macOS at the office'), agents);
  assert.equal(asked.needs, 'pairingCode');
  const event = say('CAA20004 macOS at the office');
  const r = transition(start, event, {
    ...agents,
    pairingCode: { code: 'K7M2-QX9P', expiresAt: '2026-11-27T10:10:00.000Z' },
  });
  assert.equal(r.session.state, 'pairing');
  const card = viewsOf(r.effects).find((v) => v.screen === 'pairing');
  assert.ok(card?.screen === 'pairing' && card.code === 'K7M2-QX9P' && card.os === 'macos');
  assert.match(card.commands[0].download, /pair K7M2-QX9P --server/);
});

test('the agent path: paired → confirmed → check job → report → findings → re-check job → verified → resolved', () => {
  const agents: TransitionDeps = {
    ...deps,
    agents: true,
    pairingCode: { code: 'K7M2-QX9P', expiresAt: '2026-11-27T10:10:00.000Z' },
  };
  const broken = manualReport({
    probes: parsePaste(fixture('curl-v-inspection.txt')).probes,
    startedAt: NOW,
  });
  const healthy = parsePaste(fixture('curl-v-ok.txt')).probes;
  const { session, effects } = run(
    [
      () => say('CAA20004 windows at home'),
      () => ev({ kind: 'paired', device: { hostname: 'LAPTOP-42', os: 'windows' } }, agent),
      (s) => click(s, 'pairing.confirm'),
      () =>
        ev(
          {
            kind: 'report',
            report: { ...broken, agent: { ...broken.agent, version: '0.1.0' } },
            source: 'agent',
          },
          agent,
        ),
      (s) => click(s, 'plan.start'),
      (s) => click(s, 'step.recheck', { stepId: s.plan[s.stepIndex].stepId }),
      (s) => ev({ kind: 'recheckResult', stepId: s.plan[s.stepIndex].stepId, probes: healthy }, agent),
    ],
    agents,
  );
  const jobs = effects.flatMap((e) => (e.type === 'dispatch' ? [e.job] : []));
  assert.deepEqual(
    jobs.map((j) => j.type),
    ['check', 'recheck'],
  );
  const recheck = jobs[1];
  assert.ok(recheck.type === 'recheck' && recheck.probeIds.includes('tls:login.microsoftonline.com:443'));
  assert.ok(viewsOf(effects).some((v) => v.screen === 'pairing' && v.pairedDevice?.hostname === 'LAPTOP-42'));
  assert.ok(viewsOf(effects).some((v) => v.screen === 'findings' && v.findings[0].id === 'tls.inspection'));
  assert.equal(session.state, 'resolved');
  assert.equal(session.plan[0].status, 'verified');
});

test('"Done" on a step only the agent can check, without an agent, is marked skipped, not verified', () => {
  const { session } = run([() => say('CAA20004 windows at home')]);
  // Put a cache step on screen: the plan of credentials.cache_present.
  const s: Session = {
    ...session,
    state: 'step',
    findings: [
      { id: 'credentials.cache_present', severity: 'info', summary: 'caches', evidence: [], facts: {} },
    ],
    plan: [{ stepId: 'clear-teams-cache', status: 'pending' }],
    stepIndex: 0,
  };
  const r = transition(s, click(s, 'step.recheck', { stepId: 'clear-teams-cache' }), deps);
  assert.equal(r.session.plan[0].status, 'skipped');
  assert.match(r.session.plan[0].evidence?.summary ?? '', /only the Reconnect agent/);
});

test('skipping the last step returns to the findings card and says what to do next', () => {
  const { session } = run([
    () => say('CAA20004 windows at home'),
    () => say(fixture('nslookup-windows-nxdomain.txt')),
    (s) => click(s, 'plan.start'),
  ]);
  const last: Session = { ...session, stepIndex: session.plan.length - 1 };
  const r = transition(last, click(last, 'step.skip', { stepId: last.plan[last.stepIndex].stepId }), deps);
  assert.equal(r.session.state, 'plan');
  assert.ok(viewsOf(r.effects).some((v) => v.screen === 'findings'));
  assert.ok(
    r.effects.some((e) => e.type === 'send' && e.view.screen === 'notice' && /last step/.test(e.view.text)),
  );
});

test('the admin hand-off is sent as its own message; the session does not move', () => {
  const { session } = run([
    () => say('CAA20004 windows at home'),
    () => say(fixture('nslookup-windows-nxdomain.txt')),
  ]);
  const r = transition(session, click(session, 'handoff.show'), deps);
  assert.equal(r.session, session);
  const view = viewsOf(r.effects)[0];
  assert.ok(view.screen === 'handoff' && view.sections.some((x) => /DNS/i.test(x.title)));
});

test('pasted output the bot cannot read is answered with what went wrong; nothing moves', () => {
  const { session } = run([() => say('CAA20004 windows at home')]);
  const r = transition(session, say(fixture('nslookup-malformed-truncated.txt')), deps);
  assert.equal(r.session, session);
  const view = viewsOf(r.effects)[0];
  assert.ok(view.screen === 'notice' && /nslookup: .*cut off/.test(view.text));
});

test('authorize: the user moves their session; others, agents and support only within their rights', () => {
  const s = newSession('s1', say(''), NOW);
  assert.deepEqual(authorize(s, say('hi')), { ok: true });
  const other = authorize(s, ev({ kind: 'message', text: 'hi' }, { id: 'u2', role: 'user' }));
  assert.equal(other.ok, false);
  const forged = authorize(s, ev({ kind: 'report', report: {}, source: 'agent' }));
  assert.deepEqual(forged.ok === false && forged.reply, false, 'a user cannot send an agent report');
  assert.equal(authorize(s, ev({ kind: 'report', report: {}, source: 'agent' }, agent)).ok, true);
  assert.equal(authorize(s, click(s, 'step.skip')).ok, true);
  assert.equal(authorize(s, ev({ kind: 'action', verb: 'step.skip', data: {} }, agent)).ok, false);
  const support = { id: 'sam', role: 'support' as const };
  assert.equal(authorize(s, ev({ kind: 'action', verb: 'case.take', data: {} }, support)).ok, true);
  assert.equal(authorize(s, ev({ kind: 'action', verb: 'step.recheck', data: {} }, support)).ok, false);
});

test('agent jobs that bring no result: progress moves only the card; a lost re-check offers a retry, never "verified"', () => {
  const agents: TransitionDeps = {
    ...deps,
    agents: true,
    pairingCode: { code: 'K7M2-QX9P', expiresAt: '2026-11-27T10:10:00.000Z' },
  };
  const report = manualReport({
    probes: parsePaste(fixture('curl-v-inspection.txt')).probes,
    startedAt: NOW,
  });
  const probing = run(
    [
      () => say('CAA20004 windows at home'),
      () => ev({ kind: 'paired', device: { hostname: 'LAPTOP-42', os: 'windows' } }, agent),
      (s) => click(s, 'pairing.confirm'),
    ],
    agents,
  ).session;
  const areas = [{ area: 'dns', done: 2, total: 4, failed: 1 }];
  const progress = transition(
    probing,
    ev(
      {
        kind: 'agentProgress',
        jobId: 'j1',
        jobType: 'check',
        progress: { done: 2, total: 9, failed: 1, areas },
      },
      agent,
    ),
    agents,
  );
  assert.equal(progress.session, probing, 'progress is not saved');
  const card = viewsOf(progress.effects)[0];
  assert.ok(card.screen === 'progress' && card.counts.failed === 1 && card.areas[0].state === 'fail');

  const lostCheck = transition(
    probing,
    ev(
      {
        kind: 'agentJobEnded',
        jobId: 'j1',
        jobType: 'check',
        outcome: 'lost',
        message: 'The agent went away.',
      },
      agent,
    ),
    agents,
  );
  assert.equal(lostCheck.session.state, 'pairing');
  assert.ok(viewsOf(lostCheck.effects).some((v) => v.screen === 'pairing' && v.agentLost === true));

  const checking = run(
    [
      () => ev({ kind: 'report', report, source: 'agent' }, agent),
      (s) => click(s, 'plan.start'),
      (s) => click(s, 'step.recheck', { stepId: s.plan[s.stepIndex].stepId }),
    ],
    agents,
    probing,
  ).session;
  const stepId = checking.plan[checking.stepIndex].stepId;
  assert.equal(checking.plan[checking.stepIndex].status, 'checking');
  const lost = transition(
    checking,
    ev(
      {
        kind: 'agentJobEnded',
        jobId: 'j2',
        jobType: 'recheck',
        stepId,
        outcome: 'lost',
        message: 'The agent went away.',
      },
      agent,
    ),
    agents,
  );
  const entry = lost.session.plan[lost.session.stepIndex];
  assert.equal(entry.status, 'pending');
  assert.match(entry.evidence?.summary ?? '', /Not checked: The agent went away/);
  assert.ok(viewsOf(lost.effects).some((v) => v.screen === 'step' && v.status === 'pending'));
});

test('a check lost with its agent: the card offers a new code or the manual path, and "Get a new code" issues one', () => {
  const first = { code: 'K7M2-QX9P', expiresAt: '2026-11-27T10:10:00.000Z' };
  const agents: TransitionDeps = { ...deps, agents: true, pairingCode: first };
  const probing = run(
    [
      () => say('CAA20004 windows at home'),
      () => ev({ kind: 'paired', device: { hostname: 'LAPTOP-42', os: 'windows', agentId: 'a1' } }, agent),
      (s) => click(s, 'pairing.confirm'),
    ],
    agents,
  ).session;
  const ended = (outcome: string) =>
    transition(
      probing,
      ev(
        { kind: 'agentJobEnded', jobId: 'j1', jobType: 'check', outcome, message: 'the agent stopped' },
        agent,
      ),
      agents,
    );

  const lost = ended('lost');
  assert.equal(lost.session.state, 'pairing');
  assert.deepEqual(lost.session.pairing, { ...first, lost: true }, 'the dead agent is forgotten');
  const [card, told] = viewsOf(lost.effects);
  assert.ok(card.screen === 'pairing' && card.agentLost === true && card.pairedDevice === undefined);
  assert.deepEqual(
    buttonsFor(card).map((b) => [b.data.verb, b.label]),
    [
      ['pairing.renew', 'Get a new code'],
      ['pairing.manual', 'Continue manually'],
    ],
  );
  assert.ok(told.screen === 'notice' && /Get a new code/.test(told.text) && !/Yes, that is/.test(told.text));
  // A typed "yes" no longer means anything on this card: it would retry the agent that is gone.
  const yes = transition(lost.session, click(lost.session, 'pairing.confirm'), agents);
  assert.equal(yes.session, lost.session);
  assert.equal(
    yes.effects.some((e) => e.type === 'dispatch'),
    false,
  );

  // "Get a new code": the engine supplies one through the AgentPort (needs), the card shows it.
  const renew = click(lost.session, 'pairing.renew');
  const asked = transition(lost.session, renew, { ...deps, agents: true });
  assert.equal(asked.needs, 'pairingCode');
  const second = { code: 'R4TW-8HJN', expiresAt: '2026-11-27T10:20:00.000Z' };
  const renewed = transition(lost.session, renew, { ...deps, agents: true, pairingCode: second });
  assert.equal(renewed.session.state, 'pairing');
  assert.deepEqual(renewed.session.pairing, second);
  const fresh = viewsOf(renewed.effects)[0];
  assert.ok(fresh.screen === 'pairing' && fresh.code === 'R4TW-8HJN' && !fresh.agentLost && !fresh.expired);
  assert.match(fresh.commands[0].download, /pair R4TW-8HJN --server/);

  // A check the agent refused (it is still there) keeps the confirm card and its retry.
  const refused = ended('refused');
  assert.equal(refused.session.pairing?.device?.hostname, 'LAPTOP-42');
  const again = viewsOf(refused.effects)[0];
  assert.ok(again.screen === 'pairing');
  assert.deepEqual(
    buttonsFor(again).map((b) => b.data.verb),
    ['pairing.confirm', 'pairing.reject'],
  );
});
