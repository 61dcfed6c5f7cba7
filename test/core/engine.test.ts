/**
 * The core end to end through a fake channel, the real engine, F1's playbooks, F2's buttons and
 * G1's in-memory store: the manual path with no agent, result codes, replays, stale and foreign
 * clicks, unrecognised input, and compare-and-set conflicts.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { createEngine } from '../../bot/core/engine.ts';
import type { Session, StepStatus } from '../../bot/core/types.ts';
import { createMemoryStore } from '../../bot/store/memory.ts';
import type { Store } from '../../bot/store/types.ts';
import { encodeResultCode } from '../../probes/result-code.ts';
import { AMIRA, BORIS, chat, PLAYBOOKS } from './fake-channel.ts';

const paste = (name: string) => readFileSync(new URL(`../fixtures/paste/${name}`, import.meta.url), 'utf8');

/** Intake done by buttons: code typed, Windows and Home clicked. */
async function intake(c: ReturnType<typeof chat>) {
  await c.say('Teams says CAA20004');
  await c.press('Windows');
  await c.press('Home');
}

test('a whole manual conversation: CAA20004 → NXDOMAIN pasted → dns.system_failed step → re-checked by a new paste → resolved', async () => {
  const c = chat();
  const first = await c.say('Teams says CAA20004');
  assert.equal(first.outcome, 'applied');
  const intakeCard = c.channel.card('intake');
  assert.equal(intakeCard.view.screen === 'intake' && intakeCard.view.errorCode, 'CAA20004');
  assert.match(c.channel.lastNotice().text, /^CAA20004: /, 'the code is explained');

  await c.press('Windows');
  await c.press('Home');
  assert.equal(
    c.channel.activities.get(intakeCard.id)?.history.length,
    3,
    'the intake card changed in place twice',
  );
  let s = await c.session();
  assert.equal(s.state, 'step');
  assert.equal(s.code, 'CAA20004');
  const ladderStep = c.channel.card('step');
  assert.equal(ladderStep.view.screen === 'step' && ladderStep.view.stepId, 'caa20004-what-it-means');

  // The user runs nslookup as the step says and pastes what Windows printed.
  await c.say(paste('nslookup-windows-nxdomain.txt'));
  s = await c.session();
  assert.equal(s.state, 'plan');
  assert.deepEqual(
    s.findings.map((f) => f.id),
    ['dns.system_failed'],
  );
  const findings = c.channel.card('findings');
  assert.equal(findings.view.screen === 'findings' && findings.view.findings[0].id, 'dns.system_failed');

  await c.press('Show me the fix');
  const card = c.channel.card('step');
  assert.equal(card.id, findings.id, 'the findings card became the step card in place');
  assert.equal(card.view.screen === 'step' && card.view.stepId, 'flush-dns-cache');
  assert.ok(card.view.screen === 'step' && card.view.instructions.windows?.includes('ipconfig /flushdns'));

  await c.press('Done — check again');
  assert.equal(card.view.screen === 'step' && card.view.status, 'checking');
  assert.match(c.channel.lastNotice().text, /nslookup login\.microsoftonline\.com/);

  await c.say(paste('nslookup-windows-ok.txt'));
  s = await c.session();
  const statuses = card.history.map((v) => (v.screen === 'step' ? v.status : v.screen));
  assert.deepEqual(statuses, ['findings', 'pending', 'checking', 'verified'] as Array<StepStatus | string>);
  const verified = c.channel.activities.get(card.id)!.view;
  assert.ok(
    verified.screen === 'step' &&
      verified.evidence?.probes?.[0].id ===
        "Name lookup of login.microsoftonline.com through this computer's resolver",
  );
  assert.equal(s.state, 'resolved');
  const resolved = c.channel.card('resolved');
  assert.ok(
    resolved.view.screen === 'resolved' && resolved.view.verifiedSteps.includes('Flush the DNS cache'),
  );
  assert.equal(s.cardActivityId, resolved.id, 'the resolved card is the live one now');
});

test('a result code typed into the chat continues to the plan with its findings', async () => {
  const c = chat();
  await intake(c);
  const code = encodeResultCode({
    verdict: 'problems',
    findings: [{ id: 'proxy.auth_required' }, { id: 'tls.untrusted', facts: { reason: 'expired' } }],
  });
  await c.say(`the agent printed ${code}`);
  const s = await c.session();
  assert.equal(s.state, 'plan');
  assert.equal(s.reportSource, 'result_code');
  assert.deepEqual(s.findings.map((f) => f.id).sort(), ['proxy.auth_required', 'tls.untrusted']);
  assert.deepEqual(s.findings.find((f) => f.id === 'tls.untrusted')?.facts, { reason: 'expired' });
  assert.ok(s.plan.some((p) => p.stepId === 'sign-in-to-proxy'));
  await c.press('Show me the fix');
  assert.equal((await c.session()).state, 'step');
});

test('a mistyped result code gets a reply that says what is wrong; nothing moves', async () => {
  const c = chat();
  await intake(c);
  const before = await c.session();
  const code = encodeResultCode({ verdict: 'problems', findings: [{ id: 'dns.all_failed' }] });
  const typo = code.slice(0, -1) + (code.endsWith('0') ? '1' : '0');
  const r = await c.say(typo);
  assert.equal(r.outcome, 'unchanged');
  assert.match(c.channel.lastNotice().text, /typo/);
  assert.equal((await c.session()).version, before.version);
});

test('the same event delivered four times moves the session once and answers once', async () => {
  const c = chat();
  await intake(c);
  const event = c.message(paste('nslookup-windows-nxdomain.txt'));
  const before = await c.session();
  const sends = c.channel.log.length;
  const outcomes = [];
  for (let i = 0; i < 4; i++) outcomes.push((await c.engine.handle(event)).outcome);
  assert.deepEqual(outcomes, ['applied', 'duplicate', 'duplicate', 'duplicate']);
  const after = await c.session();
  assert.equal(after.viewVersion, before.version + 1);
  assert.equal(
    c.channel.log.slice(sends).filter((l) => l.op === 'send' && l.view.screen === 'findings').length,
    1,
  );
});

test('a replay that gets past the dedupe store (expired key, another replica) still changes nothing', async () => {
  const store = createMemoryStore<Session>({ now: () => 0 });
  // The engine claims event ids through sessions.commit: forget them there too.
  const forgetful: Store<Session> = {
    ...store,
    dedupe: { seen: async () => false },
    sessions: { ...store.sessions, commit: ({ dedupe: _, ...write }) => store.sessions.commit(write) },
  };
  const c = chat({ store: forgetful });
  await intake(c);
  const click = c.click('Escalate');
  assert.equal((await c.engine.handle(click)).outcome, 'applied');
  const once = await c.session();
  for (let i = 0; i < 3; i++) assert.equal((await c.engine.handle(click)).outcome, 'unchanged');
  assert.equal((await c.session()).version, once.version);
  assert.equal(c.channel.log.filter((l) => l.view.screen === 'escalated').length, 1);
});

test('a click on an out-of-date card is refused gently and audited; nothing moves', async () => {
  const c = chat();
  await c.say('Teams says CAA20004');
  const oldCard = c.channel.card('intake').view;
  await c.press('Windows');
  await c.press('Home');
  const before = await c.session();
  const r = await c.press('macOS', { view: oldCard });
  assert.equal(r.outcome, 'unchanged');
  assert.match(c.channel.lastNotice().text, /out of date/);
  const after = await c.session();
  assert.equal(after.version, before.version);
  assert.equal(after.os, 'windows');
  const audit = await c.store.audit.list(after.id);
  assert.ok(audit.some((a) => a.kind === 'stale_click' && a.data?.verb === 'intake.os'));
});

test("another user's click is refused politely and audited; nothing moves", async () => {
  const c = chat();
  await intake(c);
  const before = await c.session();
  const r = await c.press('Escalate', { as: BORIS });
  assert.equal(r.outcome, 'refused');
  assert.match(c.channel.lastNotice().text, /Sorry Boris Novak, this case belongs to Amira Haddad/);
  const after = await c.session();
  assert.equal(after.version, before.version);
  assert.equal(after.state, 'step');
  const audit = await c.store.audit.list(after.id);
  assert.ok(audit.some((a) => a.kind === 'action_refused' && a.actor === BORIS.id));
  // Their pasted output is refused too: only the case's user moves it.
  assert.equal((await c.say(paste('nslookup-windows-nxdomain.txt'), BORIS)).outcome, 'refused');
  assert.equal((await c.session()).state, 'step');
});

test('support staff may take the case, but not click the user’s steps', async () => {
  const c = chat();
  await intake(c);
  await c.press('The browser fails too');
  const support = { id: 'aad:sam', name: 'Sam', role: 'support' as const };
  assert.equal((await c.press('Done — check again', { as: support })).outcome, 'refused');
  const after = await c.session();
  assert.equal(after.plan[after.stepIndex].status, 'pending');
  await c.press('Escalate');
  const s = await c.session();
  const take = await c.engine.handle({
    ...c.message('', support),
    kind: 'action',
    verb: 'case.take',
    data: { sessionId: s.id, version: s.version },
  });
  assert.equal(take.outcome, 'applied');
  assert.equal((await c.session()).escalation?.takenBy, 'Sam');
});

test('unrecognised input gets a helpful answer naming what was understood and what is accepted', async () => {
  const c = chat();
  await c.say('hello');
  assert.equal((await c.session()).state, 'intake');
  const r = await c.say('banana');
  assert.equal(r.outcome, 'unchanged');
  const reply = c.channel.lastNotice();
  assert.match(reply.text, /didn't understand/);
  assert.ok(reply.accepts?.some((a) => /CAA20004/.test(a)));
  await c.say('I am on my macbook');
  assert.equal((await c.session()).os, 'macos');
  const card = c.channel.card('intake').view;
  assert.equal(card.screen === 'intake' && card.os, 'macos', 'the intake card shows what was understood');
  await c.say('at home');
  assert.match(c.channel.lastNotice().text, /One more question: what does Teams show/);
  await c.say('connect');
  await c.say('what now?');
  const help = c.channel.lastNotice();
  assert.ok(
    help.accepts?.some((a) => /check/.test(a)),
    'step state says what it accepts',
  );
});

test('typed words stand for the live card’s buttons (text-only clients)', async () => {
  const c = chat();
  await intake(c);
  await c.say('the browser fails too');
  await c.say('check');
  const s = await c.session();
  assert.equal(s.plan[s.stepIndex].status, 'checking');
});

test('a compare-and-set conflict re-runs the transition on the fresh session', async () => {
  const store = createMemoryStore<Session>({ now: () => 0 });
  let conflicts = 0;
  let interfere: (() => Promise<unknown>) | undefined;
  const racing: Store<Session> = {
    ...store,
    sessions: {
      ...store.sessions,
      // The engine saves a turn's session through commit (with its dedupe key and audit).
      async commit(write) {
        const go = interfere;
        interfere = undefined;
        if (go) await go();
        const r = await store.sessions.commit(write);
        if (!r.ok && r.reason === 'conflict') conflicts++;
        return r;
      },
    },
  };
  const c = chat({ store: racing });
  await c.say('Teams says CAA20004');
  // Another replica applies "Windows" while this one is saving "Home".
  const other = createEngine({
    store,
    port: c.channel,
    playbooks: PLAYBOOKS,
    clock: () => Date.parse('2026-11-27T10:05:00Z'),
  });
  const windows = c.click('Windows');
  const home = c.click('Home');
  interfere = () => other.handle(windows);
  const r = await c.engine.handle(home);
  assert.equal(r.outcome, 'applied');
  assert.equal(conflicts, 1);
  const s = await c.session();
  assert.equal(s.os, 'windows');
  assert.equal(s.where, 'home');
  assert.equal(s.state, 'step', 'both answers counted, so intake moved on');
});

test('the store holds the whole conversation: a new engine (a restart) continues from the same step', async () => {
  const c = chat();
  await intake(c);
  await c.say(paste('nslookup-windows-nxdomain.txt'));
  await c.press('Show me the fix');
  const restarted = chat({ store: c.store });
  const s = await c.session();
  const r = await restarted.engine.handle({
    ...restarted.message('', AMIRA),
    kind: 'action',
    verb: 'step.recheck',
    data: { sessionId: s.id, version: s.version, stepId: 'flush-dns-cache' },
  });
  assert.equal(r.outcome, 'applied');
  assert.equal((await c.session()).plan[0].status, 'checking');
});
