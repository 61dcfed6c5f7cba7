/**
 * Issue 14, "Short": the CAA20004 guide starts with the article's browser test as a question;
 * each answer drops what it rules out, "fails too" asks for the two commands whose output tells
 * the network causes apart, and measured findings keep their steps whatever was answered.
 * (scripts/ladder-count.ts measures the whole way for the five causes.)
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { buttonsFor } from '../../cards/actions.ts';
import type { StepView } from '../../cards/views.ts';
import { PLAYBOOKS } from './fake-channel.ts';
import { Walk } from './walk.ts';

const paste = (name: string) => readFileSync(new URL(`../fixtures/paste/${name}`, import.meta.url), 'utf8');
const NETWORK = new Set(['network', 'dns', 'firewall', 'proxy', 'tls', 'clock', 'service', 'vpn']);
const areaOf = (id: string) => PLAYBOOKS.steps.get(id)?.area ?? '';

test('the first step asks the browser question: its answers are the buttons, not "Done — check again"', () => {
  const w = new Walk().say('Teams says CAA20004 on windows at home');
  const card = w.card() as StepView;
  assert.equal(card.stepId, 'caa20004-what-it-means');
  assert.deepEqual(
    buttonsFor(card).map((b) => b.label),
    ['The browser signs in', 'The browser fails too', 'Skip', 'Escalate'],
  );
});

test('"The browser signs in": the network steps are gone, the next step is about this computer', () => {
  const w = new Walk().say('Teams says CAA20004 on windows at home');
  const before = w.session.plan.length;
  w.press('The browser signs in');
  const open = w.session.plan.filter((p) => p.status === 'pending').map((p) => p.stepId);
  assert.ok(open.length > 0 && open.length < before - 10, `${before} steps → ${open.length}`);
  assert.deepEqual(
    open.filter((id) => NETWORK.has(areaOf(id))),
    [],
    'no network step left',
  );
  assert.equal((w.card() as StepView).stepId, 'clear-teams-cache');
  assert.equal(w.session.plan[0].status, 'verified', 'the question counts as answered');
});

test('"The browser fails too": the app-only steps are gone, and one paste is asked for at the bottom', () => {
  const w = new Walk().say('Teams says CAA20004 on windows at home');
  w.press('The browser fails too');
  const ids = w.session.plan.map((p) => p.stepId);
  for (const gone of ['clear-teams-cache', 'remove-stored-credentials', 'reregister-broker-plugin'])
    assert.ok(!ids.includes(gone), gone);
  const ask = w.views.at(-1);
  assert.ok(ask?.screen === 'notice');
  assert.match(ask.text, /```\nnslookup login\.microsoftonline\.com\n```/);
  assert.match(ask.text, /```\ncurl\.exe -v -I https:\/\/login\.microsoftonline\.com\n```/);
  // One paste and one tap to the fix.
  w.say(paste('curl-I-proxy-407.txt'));
  w.press('Show me the fix');
  assert.ok(PLAYBOOKS.steps.get((w.card() as StepView).stepId)?.findings.includes('proxy.auth_required'));
});

test('measured findings keep their steps whatever the answer', () => {
  const w = new Walk().say('Teams says CAA20004 on windows at home');
  w.press('The browser signs in');
  w.say(paste('nslookup-windows-nxdomain.txt'));
  w.press('Show me the fix');
  assert.equal((w.card() as StepView).stepId, 'flush-dns-cache');
});

test('stale credentials on the manual path: four actions from "Teams says CAA20004" to the fix', () => {
  const w = new Walk().say('Teams says CAA20004');
  w.press('Windows');
  w.press('Home');
  w.press('The browser signs in');
  assert.equal((w.card() as StepView).stepId, 'clear-teams-cache');
});
