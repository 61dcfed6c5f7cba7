/**
 * A whole Teams conversation over the wire: signed activities into /api/messages, the real core
 * (engine, playbooks, memory store), botbuilder's CloudAdapter, and a local Bot Connector that
 * records every card sent and every in-place update. The manual path, from "Teams says
 * CAA20004" to resolved, with Action.Execute invokes, the Action.Submit fallback, retries and a
 * stranger's clicks.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { createEngine } from '../../bot/core/engine.ts';
import type { Session } from '../../bot/core/types.ts';
import { loadBuiltinPlaybooks } from '../../bot/playbooks/load.ts';
import type { ConnectorRecord } from '../lab/bot-connector.ts';
import {
  type ActivityOptions,
  executeActivity,
  MALLORY,
  messageActivity,
  submitActivity,
} from './activities.ts';
import { startTeamsLab, type TeamsLab } from './harness.ts';
import { guardNetwork, type NetGuard } from './net-guard.ts';

const APP_ID = '22222222-3333-4444-5555-666666666666';
const CARD = 'application/vnd.microsoft.card.adaptive';
const paste = (name: string) => readFileSync(new URL(`../fixtures/paste/${name}`, import.meta.url), 'utf8');
type Card = Record<string, unknown>;

/** The Adaptive Card a connector record carries, if any. */
function cardOf(record: ConnectorRecord): Card | undefined {
  const attachments = record.body.attachments as { contentType: string; content: Card }[] | undefined;
  return attachments?.find((a) => a.contentType === CARD)?.content;
}

/** The data of the Action.Execute on `card` whose verb (and value) match, like a click on that button. */
function button(card: Card, verb: string, value?: string): Record<string, unknown> {
  const found: Record<string, unknown>[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const o = node as Record<string, unknown>;
      const data = o.data as Record<string, unknown> | undefined;
      if (o.type === 'Action.Execute' && data?.verb === verb && (value === undefined || data.value === value))
        found.push(data);
      Object.values(o).forEach(walk);
    }
  };
  walk(card);
  assert.ok(found.length > 0, `no Action.Execute ${verb}${value ? `=${value}` : ''} on the card`);
  return found[0];
}

const text = (card: Card | undefined) => JSON.stringify(card ?? {});

describe('a Teams conversation over the wire', () => {
  let guard: NetGuard;
  let lab: TeamsLab;
  let opts: ActivityOptions;

  before(async () => {
    guard = guardNetwork();
    const playbooks = await loadBuiltinPlaybooks();
    lab = await startTeamsLab({
      appId: APP_ID,
      core: (port, store) => createEngine({ store, port, playbooks, clock: Date.now }),
    });
    opts = { serviceUrl: lab.connector.url, appId: APP_ID };
  });
  after(async () => {
    await lab?.close();
    guard.release();
  });

  const session = async (conversationId: string): Promise<Session> => {
    const s = await lab.store.sessions.findByConversation(`teams:${conversationId}`);
    assert.ok(s, `no session for ${conversationId}`);
    return s;
  };
  /** Records for one conversation made after `since` records existed. */
  const since = (n: number, conversationId: string) =>
    lab.connector.records.slice(n).filter((r) => r.conversationId === conversationId);

  test('"Teams says CAA20004" to resolved on the manual path', async () => {
    const conv = 'a:wire-ada';
    const o = { ...opts, conversationId: conv };

    // 1. The user's words: the intake card and what the code means arrive at the connector.
    let mark = lab.connector.records.length;
    assert.equal((await lab.post(messageActivity('Teams says CAA20004', o))).status, 200);
    let sent = since(mark, conv);
    const intake = sent.find((r) => cardOf(r));
    assert.ok(intake && intake.op === 'reply', 'the intake card was sent as a reply');
    assert.match(intake.authorization ?? '', /^Bearer lab-token-/);
    assert.ok(
      sent.some((r) => /CAA20004/.test(String(r.body.text))),
      'the code is explained',
    );

    // 2. Action.Execute: the invoke answers with the updated card, and the message is updated.
    mark = lab.connector.records.length;
    const os = await lab.post(
      executeActivity(button(cardOf(intake)!, 'intake.os', 'windows'), intake.activityId!, o),
    );
    assert.equal(os.status, 200);
    const answer = os.body as { statusCode: number; type: string; value: Card };
    assert.equal(answer.statusCode, 200);
    assert.equal(answer.type, CARD);
    assert.equal(answer.value.type, 'AdaptiveCard');
    assert.match(text(answer.value), /✓ Windows/);
    const [put] = since(mark, conv).filter((r) => r.op === 'update');
    assert.equal(put.activityId, intake.activityId);
    assert.deepEqual(cardOf(put), answer.value, 'everyone sees the card the clicker got');

    // 3. The Action.Submit fallback moves the session the same way: intake done, first step.
    mark = lab.connector.records.length;
    const where = button(cardOf(put)!, 'intake.where', 'office');
    assert.equal((await lab.post(submitActivity(where, intake.activityId!, o))).status, 200);
    sent = since(mark, conv);
    assert.ok(sent.some((r) => r.op === 'update' && r.activityId === intake.activityId));
    assert.match(
      text(sent.map(cardOf).find((c) => c && /caa20004-what-it-means/.test(text(c)))),
      /answer:browser_ok/,
    );
    assert.equal((await session(conv)).state, 'step');

    // 4. Pasted nslookup output saying NXDOMAIN: a finding, and a findings card.
    mark = lab.connector.records.length;
    assert.equal((await lab.post(messageActivity(paste('nslookup-windows-nxdomain.txt'), o))).status, 200);
    const findings = since(mark, conv).find((r) => /name lookup \(DNS\) cannot find/.test(text(cardOf(r))));
    assert.ok(findings, 'the findings card names the DNS failure in plain words');

    // 5. "Show me the fix" by Action.Execute: the invoke returns the DNS step card.
    mark = lab.connector.records.length;
    const fix = await lab.post(
      executeActivity(button(cardOf(findings)!, 'plan.start'), findings.activityId!, o),
    );
    assert.equal(fix.status, 200);
    assert.match(text((fix.body as { value: Card }).value), /flush-dns-cache/);
    assert.ok(since(mark, conv).some((r) => r.op === 'update' && r.activityId === findings.activityId));

    // 6. Pasted output now resolving: the step is verified in place and the case resolved.
    mark = lab.connector.records.length;
    assert.equal((await lab.post(messageActivity(paste('nslookup-windows-ok.txt'), o))).status, 200);
    sent = since(mark, conv);
    assert.ok(sent.some((r) => r.op === 'update' && r.activityId === findings.activityId));
    assert.equal((await session(conv)).state, 'resolved');
    assert.ok(sent.some((r) => r.op === 'reply' && cardOf(r)));
  });

  test('the same activity delivered 4 times moves the session once', async () => {
    const conv = 'a:wire-retry';
    const o = { ...opts, conversationId: conv };
    const first = messageActivity('Teams says CAA20004', { ...o, id: '1732700000001' });
    const answers = await Promise.all([1, 2, 3, 4].map(() => lab.post(first)));
    assert.deepEqual(
      answers.map((a) => a.status),
      [200, 200, 200, 200],
    );
    const transitions = async () =>
      (await lab.store.audit.list((await session(conv)).id)).filter((e) => e.kind === 'transition').length;
    assert.equal(await transitions(), 1, 'one transition for four deliveries');
    const intake = lab.connector.records.filter((r) => r.conversationId === conv && cardOf(r));
    assert.equal(intake.length, 1, 'one intake card');

    const click = executeActivity(button(cardOf(intake[0])!, 'intake.os', 'macos'), intake[0].activityId!, {
      ...o,
      id: 'f:retry-invoke-1',
    });
    const clicks = [];
    for (let i = 0; i < 4; i++) clicks.push(await lab.post(click));
    assert.ok(clicks.every((c) => c.status === 200));
    assert.equal((clicks[0].body as { type: string }).type, CARD);
    assert.equal(await transitions(), 2, 'one move for four deliveries of the click');
    assert.equal((await session(conv)).os, 'macos');
    assert.equal(
      lab.connector.records.filter((r) => r.conversationId === conv && r.op === 'update').length,
      1,
    );
  });

  test('an Action.Execute that ends intake: the card in the invoke answer, the notice in the chat', async () => {
    const conv = 'a:wire-execute';
    const o = { ...opts, conversationId: conv };
    await lab.post(messageActivity('Teams says CAA20004 on my Windows laptop', o));
    const intake = lab.connector.records.find((r) => r.conversationId === conv && cardOf(r))!;
    const mark = lab.connector.records.length;
    const res = await lab.post(
      executeActivity(button(cardOf(intake)!, 'intake.where', 'home'), intake.activityId!, o),
    );
    const answer = res.body as { type: string; value: Card };
    assert.equal(answer.type, CARD);
    assert.match(text(answer.value), /✓ Home/, 'the clicked card, in its final state');
    const sent = since(mark, conv);
    assert.ok(sent.some((r) => r.op === 'update' && r.activityId === intake.activityId));
    assert.ok(
      sent.some((r) => r.op === 'reply' && /caa20004-what-it-means/.test(text(cardOf(r)))),
      'first step card',
    );
    const tip = sent.find((r) => /No agent needed/.test(String(r.body.text)));
    assert.ok(tip, 'the manual-path tip reached the chat, not only the clicker');
    assert.equal(tip.op, 'reply');
  });

  test("another user's clicks are refused: the session does not move", async () => {
    const conv = 'a:wire-shared';
    const o = { ...opts, conversationId: conv };
    await lab.post(messageActivity('Teams says CAA20004', o));
    const intake = lab.connector.records.find((r) => r.conversationId === conv && cardOf(r))!;
    const before = await session(conv);
    const mark = lab.connector.records.length;

    const data = button(cardOf(intake)!, 'intake.os', 'linux');
    const stranger = await lab.post(executeActivity(data, intake.activityId!, { ...o, user: MALLORY }));
    assert.equal(stranger.status, 200);
    const body = stranger.body as { statusCode: number; type: string; value: string };
    assert.equal(
      body.type,
      'application/vnd.microsoft.activity.message',
      'a message for the clicker, no new card',
    );
    assert.match(body.value, /belongs to Ada Lovelace/);

    assert.equal(
      (await lab.post(submitActivity(data, intake.activityId!, { ...o, user: MALLORY }))).status,
      200,
    );
    const after = await session(conv);
    assert.equal(after.version, before.version);
    assert.equal(after.os, undefined);
    const changes = since(mark, conv);
    assert.ok(!changes.some((r) => r.op === 'update'), 'no card changed');
    // The Submit fallback has no private answer: the refusal is a reply in the chat.
    assert.ok(changes.some((r) => /belongs to Ada Lovelace/.test(String(r.body.text))));
  });

  test('outside a turn the port continues the conversation proactively', async () => {
    const conv = 'a:wire-ada';
    const s = await session(conv);
    assert.ok(s.cardActivityId);
    const mark = lab.connector.records.length;
    // What an agent's report arriving later does: a message, and the live card changed in place.
    const notice = { screen: 'notice' as const, sessionId: s.id, version: s.version, tone: 'info' as const };
    const id = await lab.teams.port.send(s, { ...notice, text: 'Your agent finished its checks.' });
    await lab.teams.port.update(s, s.cardActivityId, {
      screen: 'resolved',
      sessionId: s.id,
      version: s.version,
      summary: 'Re-checked by the agent: DNS answers again.',
      verifiedSteps: ['flush-dns-cache'],
    });
    const [sent, put] = since(mark, conv);
    assert.equal(sent.activityId, id);
    assert.equal(sent.body.text, 'Your agent finished its checks.');
    assert.equal(put.op, 'update');
    assert.equal(put.activityId, s.cardActivityId);
    assert.match(text(cardOf(put)), /DNS answers again/);
    assert.match(sent.authorization ?? '', /^Bearer lab-token-/);
    assert.match(put.authorization ?? '', /^Bearer lab-token-/);
  });

  test('installed in personal scope: the bot says what it does', async () => {
    const conv = 'a:wire-install';
    const update = {
      ...messageActivity('', { ...opts, conversationId: conv }),
      type: 'conversationUpdate',
      membersAdded: [{ id: `28:${APP_ID}` }],
    };
    assert.equal((await lab.post(update)).status, 200);
    const [welcome] = lab.connector.records.filter((r) => r.conversationId === conv);
    assert.match(String(welcome.body.text), /CAA20004/);
    await assert.rejects(session(conv), /no session/, 'a greeting opens no session');
  });

  test('never silent: Skip replaces the card in the invoke answer, and a line at the bottom says what is next', async () => {
    const conv = 'a:wire-bottom';
    const o = { ...opts, conversationId: conv };
    await lab.post(messageActivity('Teams says CAA82EE7 on Windows at home', o));
    const s = await session(conv);
    assert.equal(s.state, 'step');
    const stepCard = since(0, conv).find((r) => r.activityId === s.cardActivityId && cardOf(r));
    assert.ok(stepCard, 'the step card was sent');
    const mark = lab.connector.records.length;
    const skip = await lab.post(
      executeActivity(button(cardOf(stepCard)!, 'step.skip'), s.cardActivityId!, o),
    );
    const answer = skip.body as { type: string; value: Card };
    assert.equal(answer.type, CARD, 'the clicker gets the new card in place');
    const after = since(mark, conv);
    const bottom = after.find(
      (r) => r.op !== 'update' && /^Next, step 2 of \d+: "/.test(String(r.body.text)),
    );
    assert.ok(
      bottom,
      `a new message at the bottom: ${after.map((r) => `${r.op} ${String(r.body.text ?? '')}`)}`,
    );
    assert.equal(bottom.body.textFormat, 'markdown');
    const title = (await session(conv)).plan[1].stepId;
    assert.match(text(answer.value), new RegExp(title));
  });

  test('nothing tried to leave loopback', () => {
    assert.deepEqual(guard.refused, []);
  });
});
