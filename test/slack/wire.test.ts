/**
 * A whole Slack conversation on the wire: signed Events API and interaction payloads into our
 * restify server, the real Bolt, the real engine with the built-in playbooks and a memory
 * store, and the Block Kit that comes back through the local Slack Web API. Buttons are
 * clicked with the value the bot itself posted, and cards change in place (chat.update at the
 * ts the first post returned).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createEngine, type Engine } from '../../bot/core/engine.ts';
import type { Session } from '../../bot/core/types.ts';
import { loadBuiltinPlaybooks } from '../../bot/playbooks/load.ts';
import { createMemoryStore } from '../../bot/store/memory.ts';
import { checkSlackMessage } from '../cards/slack-schema.ts';
import type { SlackApiCall } from '../lab/slack-api.ts';
import {
  appMention,
  blockAction,
  DM,
  directMessage,
  type Harness,
  postSigned,
  startHarness,
  USER,
} from './harness.ts';

type Block = Record<string, unknown>;
interface ButtonEl {
  action_id: string;
  value?: string;
  text: { text: string };
}

const store = createMemoryStore<Session>();
let engine: Engine;
let h: Harness;

before(async () => {
  const playbooks = await loadBuiltinPlaybooks();
  h = await startHarness({ handle: (event) => engine.handle(event), store });
  engine = createEngine({ store, port: h.channel.port, playbooks, clock: Date.now });
});
after(async () => {
  await h.close();
  await store.close();
});

const posts = () => h.api.calls.filter((c) => c.method === 'chat.postMessage' && c.status === 200);
const updates = () => h.api.calls.filter((c) => c.method === 'chat.update' && c.status === 200);
const blocksOf = (call: SlackApiCall) => call.params.blocks as Block[];
const headerOf = (blocks: Block[]) =>
  (blocks.find((b) => b.type === 'header')?.text as { text: string })?.text;
const session = () => store.sessions.findByConversation(`slack:${DM}`);

function buttons(blocks: Block[]): ButtonEl[] {
  return blocks.filter((b) => b.type === 'actions').flatMap((b) => b.elements as ButtonEl[]);
}

/** The button of `verb` (and `value`) on the card as Slack holds it now. */
function button(channel: string, ts: string, verb: string, value?: string): ButtonEl {
  const blocks = h.api.messages.get(`${channel}/${ts}`)?.blocks ?? [];
  const found = buttons(blocks).find((b) => {
    const data = b.value ? JSON.parse(b.value) : {};
    return data.verb === verb && (value === undefined || data.value === value);
  });
  assert.ok(
    found,
    `no ${verb}${value ? ` ${value}` : ''} button on ${ts}: ${buttons(blocks).map((b) => b.action_id)}`,
  );
  return found;
}

async function click(ts: string, el: ButtonEl, user = USER): Promise<void> {
  const answer = await postSigned(h.endpoint, blockAction({ channel: DM, ts }, el, { user }));
  assert.equal(answer.status, 200);
  await h.channel.idle();
}

let intakeTs = '';

test('a DM opens a case: the intake card and what the code means come back as valid Block Kit', async () => {
  const request = directMessage('Teams on my laptop says CAA20004', { eventId: 'EvWIRE000001' });
  // Four deliveries of the same event (a first try and three retries): one state change.
  await Promise.all(
    ['', '1', '2', '3'].map((n) =>
      postSigned(h.endpoint, request, n ? { headers: { 'x-slack-retry-num': n } } : {}),
    ),
  );
  await h.channel.idle();
  const s = await session();
  // One transition (version 1), recording the live card id with the turn outbox moved past it, and
  // the outbox emptied once the notice went out too (Session.undelivered).
  assert.equal(s?.version, 3, 'one transition, the live card id, the outbox emptied');
  assert.equal(s?.state, 'intake');
  assert.equal(s?.code, 'CAA20004');
  const sent = posts();
  assert.equal(sent.length, 2, `intake card and one notice, once: ${sent.map((c) => c.params.text)}`);
  const [card, note] = sent;
  assert.equal(card.params.channel, DM);
  assert.equal(headerOf(blocksOf(card)), "Let's get Teams working again");
  assert.deepEqual(checkSlackMessage({ text: String(card.params.text), blocks: blocksOf(card) }).errors, []);
  assert.match(String(note.params.text), /CAA20004/);
  intakeTs = s!.cardActivityId!;
  assert.ok(h.api.messages.has(`${DM}/${intakeTs}`), 'the live card is the intake message');
  assert.ok(buttons(blocksOf(card)).some((b) => JSON.parse(b.value ?? '{}').verb === 'intake.os'));
});

test('clicking Windows updates the intake card in place', async () => {
  await click(intakeTs, button(DM, intakeTs, 'intake.os', 'windows'));
  const last = updates().at(-1)!;
  assert.equal(last.params.ts, intakeTs);
  assert.equal(last.params.channel, DM);
  const labels = buttons(blocksOf(last)).map((b) => b.text.text);
  assert.ok(labels.includes('✓ Windows'), labels.join(', '));
  assert.equal((await session())?.os, 'windows');
  assert.equal(posts().length, 2, 'no new message for a choice on the same card');
});

let stepTs = '';

test('clicking where the computer is leaves intake: the first fix step arrives as a new live card', async () => {
  const before = posts().length;
  await click(intakeTs, button(DM, intakeTs, 'intake.where', 'home'));
  const s = (await session())!;
  assert.ok(s.state === 'step' || s.state === 'plan', s.state);
  stepTs = s.cardActivityId!;
  assert.notEqual(stepTs, intakeTs);
  const fresh = posts().slice(before);
  const card = fresh.find(
    (c) => c.params.text && h.api.messages.get(`${DM}/${stepTs}`)?.text === c.params.text,
  );
  assert.ok(card, 'the new live card was posted');
  assert.deepEqual(checkSlackMessage({ text: String(card.params.text), blocks: blocksOf(card) }).errors, []);
  assert.ok(
    fresh.some((c) => /paste/i.test(String(c.params.text))),
    'the manual-path tip follows',
  );
});

test("someone else clicking the user's card is refused and moves nothing", async () => {
  const s = (await session())!;
  const first = buttons(h.api.messages.get(`${DM}/${stepTs}`)?.blocks ?? [])[0];
  await click(stepTs, first, 'U0SOMEONE9');
  assert.equal((await session())?.version, s.version);
  assert.match(String(posts().at(-1)?.params.text), /this case belongs to/);
});

test('an old card is out of date: clicking it changes nothing and says so', async () => {
  const s = (await session())!;
  await click(intakeTs, button(DM, intakeTs, 'intake.os', 'linux'));
  assert.equal((await session())?.version, s.version);
  assert.match(String(posts().at(-1)?.params.text), /out of date/);
});

test('skipping a step shows the next one on the same message', async () => {
  const s = (await session())!;
  assert.equal(s.state, 'step');
  const firstTitle = headerOf(h.api.messages.get(`${DM}/${stepTs}`)?.blocks ?? []);
  await click(stepTs, button(DM, stepTs, 'step.skip'));
  const after = (await session())!;
  assert.equal(after.plan[s.stepIndex].status, 'skipped');
  assert.equal(after.cardActivityId, stepTs, 'still the same live card');
  // Never silent (issue 14): the card changed above, so a new line at the bottom says what is next.
  const bottom = posts().at(-1)!;
  const nextTitle = headerOf(h.api.messages.get(`${DM}/${stepTs}`)?.blocks ?? []);
  assert.match(String(bottom.params.text), /^Next, step \d+ of \d+: "/);
  assert.ok(String(bottom.params.text).includes(nextTitle), 'the bottom line names the step now on the card');
  assert.ok(
    h.api.calls.indexOf(bottom) > h.api.calls.indexOf(updates().at(-1)!),
    'posted after the card was replaced',
  );
  const last = updates().at(-1)!;
  assert.equal(last.params.ts, stepTs);
  assert.deepEqual(checkSlackMessage({ text: String(last.params.text), blocks: blocksOf(last) }).errors, []);
  if (after.state === 'step') assert.notEqual(headerOf(blocksOf(last)), firstTitle);
});

test('escalating from the live card replaces it in place with the hand-off', async () => {
  const s = (await session())!;
  const before = updates().length;
  await click(stepTs, button(DM, stepTs, 'case.escalate'));
  const after = (await session())!;
  assert.equal(after.state, 'escalated');
  assert.ok(after.version > s.version);
  const last = updates().slice(before).at(-1)!;
  assert.equal(last.params.ts, stepTs);
  // This bot has no support relay: the card says whom to contact, not "Passed to support".
  assert.equal(headerOf(blocksOf(last)), 'Your case is saved');
  assert.match(String(h.api.messages.get(`${DM}/${stepTs}`)?.text), /Nobody from support can answer/);
});

test('a mention in a channel runs its own case in the thread it started', async () => {
  const request = appMention('Teams says CAA20004 on my Mac at the office', { channel: 'C0LABCHAN7' });
  const mentionTs = JSON.parse(request.body).event.ts as string;
  await postSigned(h.endpoint, request);
  await h.channel.idle();
  const s = await store.sessions.findByConversation(`slack:C0LABCHAN7:${mentionTs}`);
  assert.ok(s, 'a session for the thread');
  assert.notEqual(s.id, (await session())?.id);
  const inThread = posts().filter((c) => c.params.channel === 'C0LABCHAN7');
  assert.ok(inThread.length > 0);
  for (const c of inThread) assert.equal(c.params.thread_ts, mentionTs);
});
