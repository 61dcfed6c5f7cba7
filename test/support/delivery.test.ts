/**
 * Delivery that loses nothing, on the wire: the local Slack Web API answers 429 with
 * Retry-After, then 502, then 200, and the case card arrives once, after the wait — also when
 * the bot restarts between the tries (SQLite outbox). A post that landed although the answer
 * was a 5xx is found by its metadata key and not posted again.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Session } from '../../bot/core/types.ts';
import { fakeTimers } from '../agents/fakes.ts';
import { startSlackApi } from '../lab/slack-api.ts';
import { PLANTED } from './fixtures.ts';
import { BOT_TOKEN, type Lab, SUPPORT_CHANNEL, startLab } from './harness.ts';
import { supportThreads } from './slack-support.ts';
import { botTexts, type WebUser, webUser } from './web-user.ts';

const env = { SUPPORT_SLACK_CHANNEL: SUPPORT_CHANNEL };

/** A case escalated on the manual path (no agent needed): the user says what happens and presses Escalate. */
async function escalate(lab: Lab): Promise<{ user: WebUser; session: Session }> {
  const user = await webUser(lab, PLANTED.userName);
  await user.say('Teams says CAA20004, windows, at home');
  await user.click('No computer access? Continue manually');
  await user.say('escalate');
  const session = await lab.store.sessions.findByConversation(`webchat:${user.conversationId}`);
  assert.equal(session?.state, 'escalated');
  return { user, session: session! };
}

const posts = (lab: Lab) => lab.api.calls.filter((c) => c.method === 'chat.postMessage');
const cards = (lab: Lab) =>
  supportThreads(lab.api).roots.filter((m) => String(m.text).startsWith('Case RC-'));

test('429 Retry-After, then 502, then 200: the case card arrives once, after the wait', async () => {
  const lab = await startLab({ env });
  try {
    lab.api.failNext('chat.postMessage', { status: 429, retryAfterSec: 30 }, { status: 502 });
    await escalate(lab);
    assert.deepEqual(
      posts(lab).map((c) => c.status),
      [429],
    );
    await lab.timers.advance(29_999);
    await lab.settle();
    assert.equal(posts(lab).length, 1, 'nothing before Retry-After has passed');
    await lab.timers.advance(1);
    await lab.settle();
    assert.deepEqual(
      posts(lab).map((c) => c.status),
      [429, 502],
    );
    // Backoff after try 2: 2 s, half of it jittered (random 0.5 → 1.5 s); a 502 is ambiguous, so look first.
    await lab.timers.advance(1500);
    await lab.settle();
    assert.equal(cards(lab).length, 1);
    assert.deepEqual(
      lab.api.calls
        .filter((c) => c.method !== 'auth.test')
        .map((c) => `${c.method} ${c.status}`)
        .slice(0, 4),
      ['chat.postMessage 429', 'chat.postMessage 502', 'conversations.history 200', 'chat.postMessage 200'],
    );
    const replies = supportThreads(lab.api).replies(cards(lab)[0]);
    assert.ok(replies.length >= 2, 'the summary and the JSON follow in the thread');
    await lab.timers.advance(3_600_000);
    await lab.settle();
    assert.equal(cards(lab).length, 1, 'and nothing is posted twice later');
  } finally {
    await lab.close();
  }
});

test('a restart between the tries: the SQLite outbox resumes and the card still arrives once', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'reconnect-support-restart-'));
  const api = await startSlackApi({ botToken: BOT_TOKEN });
  const timers = fakeTimers(Date.parse('2026-11-27T10:00:00.000Z'));
  const labs: Lab[] = [];
  try {
    const first = await startLab({ env, dataDir, api, timers });
    labs.push(first);
    api.failNext('chat.postMessage', { status: 429, retryAfterSec: 30 }, { status: 502 });
    const { user } = await escalate(first);
    assert.equal(posts(first).length, 1);
    await labs.pop()?.close();

    const second = await startLab({ env, dataDir, api, timers });
    labs.push(second);
    await second.settle();
    assert.equal(posts(second).length, 1, 'the new process honours the Retry-After the old one got');
    await timers.advance(30_000);
    await second.settle();
    await timers.advance(1500);
    await second.settle();
    assert.equal(cards(second).length, 1);
    assert.deepEqual(
      posts(second)
        .map((c) => c.status)
        .slice(0, 3),
      [429, 502, 200],
    );
    const told = (await botTexts(second, user.conversationId)).filter((t) => t.startsWith('Your case RC-'));
    assert.equal(told.length, 1, 'the user is told once, across the restart');
    const outbox = await second.store.outbox.list();
    assert.ok(
      outbox.length > 0 && outbox.every((m) => m.status === 'delivered'),
      JSON.stringify(outbox.map((m) => [m.key, m.status])),
    );
  } finally {
    for (const lab of labs) await lab.close();
    await api.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('a post that landed although Slack answered 502 is found by its key and not posted again', async () => {
  const lab = await startLab({ env });
  try {
    lab.api.failNext('chat.postMessage', { status: 502, land: true });
    const { user } = await escalate(lab);
    assert.equal(cards(lab).length, 1, 'the first try landed');
    await lab.timers.advance(60_000);
    await lab.settle();
    assert.equal(cards(lab).length, 1, 'the retry found it instead of posting again');
    assert.ok(lab.api.calls.some((c) => c.method === 'conversations.history'));

    // The same in a thread: a user's reply that landed before a 504.
    const root = cards(lab)[0];
    lab.api.failNext('chat.postMessage', { status: 504, land: true });
    await user.say('it still fails this morning');
    await lab.timers.advance(60_000);
    await lab.settle();
    const relayed = supportThreads(lab.api)
      .replies(root)
      .filter((m) => String(m.text).includes('it still fails this morning'));
    assert.equal(relayed.length, 1);
    assert.ok(lab.api.calls.some((c) => c.method === 'conversations.replies'));
  } finally {
    await lab.close();
  }
});
