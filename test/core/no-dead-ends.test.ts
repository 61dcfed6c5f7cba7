/**
 * Issue 14, "No dead ends" and "The operator is told what is missing": a step that asks for
 * something takes it; "Still failing" moves to the next thing to try (or says how to reach
 * support); after an escalation "what now?" gets a real answer and the card keeps two ways on;
 * with no support port the escalated card promises no reply; the pairing card never names
 * localhost; the start-up warnings name what is missing.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadBotConfig } from '../../bot/config.ts';
import { pairingView } from '../../bot/core/views.ts';
import { startupWarnings } from '../../bot/startup-warnings.ts';
import { buttonsFor } from '../../cards/actions.ts';
import { renderSlack } from '../../cards/slack.ts';
import { renderTeams } from '../../cards/teams.ts';
import { renderText } from '../../cards/text.ts';
import type { StepView, View } from '../../cards/views.ts';
import { renderWebChat } from '../../cards/webchat.ts';
import { encodeResultCode } from '../../probes/result-code.ts';
import { chat, PLAYBOOKS } from './fake-channel.ts';
import { NOW, Walk } from './walk.ts';

const inspected = () =>
  new Walk()
    .say('Teams says CAA20004 on windows at home')
    .say(encodeResultCode({ verdict: 'problems', findings: [{ id: 'tls.inspection' }] }));

test("the step that asks for the issuer's name takes it, says what it means, and keeps it on the case", () => {
  for (const [issuer, meaning] of [
    ['Zscaler Root CA', /not one of Microsoft's certificate issuers: .*TLS inspection/],
    ['DigiCert Global Root G2', /one of the issuers Microsoft's certificates come from/],
  ] as const) {
    const w = inspected();
    w.press('Show me the fix');
    while ((w.card() as StepView).stepId !== 'check-certificate-chain') assert.ok(w.press('Skip'));
    const before = w.session.version;
    w.say(issuer);
    const reply = w.views.at(-1);
    assert.ok(reply?.screen === 'notice');
    assert.doesNotMatch(reply.text, /didn't understand/);
    assert.match(reply.text, meaning);
    assert.equal(w.session.version, before + 1, 'the answer is recorded');
    assert.ok(w.session.timeline.at(-1)?.text.includes(issuer), 'support sees it on the timeline');
  }
  // A question on the same step still gets the help reply (what the step accepts).
  const w = inspected();
  w.press('Show me the fix');
  while ((w.card() as StepView).stepId !== 'check-certificate-chain') w.press('Skip');
  w.say('what now?');
  const help = w.views.at(-1);
  assert.ok(help?.screen === 'notice' && (help.accepts ?? []).some((a) => /check/.test(a)));
});

test('"Still failing" moves to the next thing to try and says so; on the last step it points at support', () => {
  const w = new Walk().say('Teams says CAA7000A on macos at home');
  const first = (w.card() as StepView).stepId;
  w.press('Still failing');
  const second = w.card() as StepView;
  assert.notEqual(second.stepId, first, 'not the same step again');
  assert.equal(w.session.plan[0].status, 'failed');
  const line = w.views.at(-1);
  assert.ok(line?.screen === 'notice');
  assert.match(line.text, new RegExp(`did not fix it\\. Next: "${second.title}"`));
  for (let i = 0; i < 30 && w.session.state === 'step'; i++) w.press('Still failing');
  assert.equal(w.session.state, 'plan');
  const last = w.views.at(-1);
  assert.ok(last?.screen === 'notice' && /That was the last step\. .*Escalate/.test(last.text));
});

test('after an escalation: "what now?" gets what happens next, and the card offers two ways on', () => {
  const w = new Walk().say('Teams says CAA20004 on windows at home');
  w.press('Escalate');
  assert.equal(w.session.state, 'escalated');
  const card = w.card();
  assert.ok(card?.screen === 'escalated');
  assert.deepEqual(
    buttonsFor(card).map((b) => b.label),
    ['Teams works now', 'Try the steps again'],
  );
  w.say('what now?');
  const reply = w.views.at(-1);
  assert.ok(reply?.screen === 'notice');
  assert.doesNotMatch(reply.text, /didn't understand/);
  assert.match(reply.text, /RC-S1.*"Teams works now".*"Try the steps again"/s);
  assert.ok(w.press('Teams works now'));
  assert.equal(w.session.state, 'resolved');
});

/** The escalated card as every channel renderer draws it (Teams, web chat, Slack, plain text). */
function everyRendering(card: View): string[] {
  return [
    JSON.stringify(renderTeams(card, { universalActions: true })),
    JSON.stringify(renderTeams(card, { universalActions: false })),
    JSON.stringify(renderWebChat(card)),
    JSON.stringify(renderSlack(card)),
    renderText(card),
  ];
}

/** What issue 14 asks of an escalated card that no support channel can answer from. */
function assertSaysWhomToContact(card: View, contact: RegExp): void {
  for (const text of everyRendering(card)) {
    assert.match(text, contact);
    assert.match(text, /Nobody from support can answer in this chat yet/);
    assert.match(text, /Teams works now/, 'the person can still say it works');
    assert.match(text, /Try the steps again/, 'or go through the steps again');
    assert.doesNotMatch(text, /will reply|reply (right )?here/i);
    assert.doesNotMatch(text, /is with support|Passed to support/);
  }
}

test('escalation with no support port: the card says whom to contact and promises no reply here', async () => {
  const c = chat({ supportContact: 'Call the IT desk on 4455.' });
  await c.say('Teams says CAA20004 on windows at home');
  await c.press('Escalate');
  assertSaysWhomToContact(c.channel.card('escalated').view, /Call the IT desk on 4455\./);
  await c.say('what now?');
  assert.match(
    c.channel.lastNotice().text,
    /Nobody from support can answer in this chat yet\. Call the IT desk on 4455\./,
  );
  const withSupport = chat({ support: { escalate: async () => {} } });
  await withSupport.say('Teams says CAA20004 on windows at home');
  await withSupport.press('Escalate');
  const supported = withSupport.channel.card('escalated').view;
  assert.ok(supported.screen === 'escalated' && supported.contact === undefined);
  for (const text of everyRendering(supported)) assert.match(text, /Passed to support|is with support/);
});

test('escalation through a support port with no channel connected: the card says whom to contact, in every renderer', async () => {
  let connected = false;
  const support = {
    escalate: async () => {},
    contact: async () => (connected ? undefined : 'Call 555-0100.'),
  };
  const c = chat({ support });
  await c.say('Teams says CAA20004 on windows at home');
  await c.press('Escalate');
  assertSaysWhomToContact(c.channel.card('escalated').view, /Call 555-0100\./);
  await c.say('what now?');
  assert.match(
    c.channel.lastNotice().text,
    /Nobody from support can answer in this chat yet\. Call 555-0100\./,
  );
  // Once a channel is connected, the case is with support and "what now?" says so.
  connected = true;
  await c.say('what now?');
  assert.match(c.channel.lastNotice().text, /is with support/);
});

test('without PUBLIC_URL the pairing card never tells a laptop to reach localhost, in any channel', () => {
  const session = {
    ...new Walk().say('Teams says CAA20004 on windows at home').session,
    state: 'pairing' as const,
    pairing: { code: '7K3M9QXT4H', expiresAt: '2026-11-27T10:10:00.000Z' },
  };
  for (const serverUrl of [undefined]) {
    const view = pairingView(session, {
      playbooks: PLAYBOOKS,
      now: NOW,
      ...(serverUrl ? { serverUrl } : {}),
    });
    assert.equal(view.serverUnknown, true);
    for (const text of [
      renderText(view),
      JSON.stringify(renderWebChat(view)),
      JSON.stringify(renderSlack(view)),
    ]) {
      assert.doesNotMatch(text, /localhost|127\.0\.0\.1/);
      assert.match(text, /HELPDESK-ADDRESS/);
      assert.match(text, /replace HELPDESK-ADDRESS with the address of this help desk chat/);
    }
  }
  const real = pairingView(session, {
    playbooks: PLAYBOOKS,
    now: NOW,
    serverUrl: 'https://help.example.com',
  });
  assert.equal(real.serverUnknown, undefined);
  assert.match(renderText(real), /--server https:\/\/help\.example\.com/);
});

test('start-up warnings: no PUBLIC_URL with the agent path on, a loopback one, and no support channel', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'reconnect-warn-'));
  const bare = loadBotConfig({ DATA_DIR: cwd }, { cwd });
  const codes = (c: typeof bare, agents = true) => startupWarnings(c, { agents }).map((w) => w.code);
  assert.deepEqual(codes(bare), ['public_url_missing', 'support_channel_missing']);
  assert.match(startupWarnings(bare, { agents: true })[1].message, /Please contact your IT help desk\./);
  assert.deepEqual(codes(bare, false), ['support_channel_missing']);
  const loop = loadBotConfig({ DATA_DIR: cwd, PUBLIC_URL: 'http://localhost:3978' }, { cwd });
  assert.deepEqual(codes(loop), ['public_url_loopback', 'support_channel_missing']);
  const fine = loadBotConfig(
    {
      DATA_DIR: cwd,
      PUBLIC_URL: 'https://help.example.com',
      SLACK_BOT_TOKEN: 'xoxb-1',
      SLACK_SIGNING_SECRET: 's'.repeat(32),
      SUPPORT_SLACK_CHANNEL: 'C0123ABCD',
    },
    { cwd },
  );
  assert.deepEqual(codes(fine), []);
});
