/**
 * The assembled bot (startBot: SQLite store, built-in playbooks, engine, port router, the
 * Direct Line bridge) driven over Direct Line HTTP and its stream as the web chat page drives
 * it: a whole CAA20004 conversation on the manual path, with cards changing in place under
 * their activity ids, a double click moving the session once, and unreadable clicks answered.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { RunningBot } from '../../bot/app.ts';
import { UNREADABLE_CLICK, WELCOME } from '../../bot/channels/directline/core-bridge.ts';
import { conversationKey } from '../../bot/core/types.ts';
import {
  type Chat,
  cardOf,
  cardText,
  openChat,
  paste,
  startCoreBot,
  submitsOf,
} from './conversation-driver.ts';
import { tempDataDir } from './directline-client.ts';

const data = tempDataDir();
let bot: RunningBot;
before(async () => {
  // The manual path: no agent gateway, as a deployment without one runs.
  bot = await startCoreBot(join(data.dir, 'state'), { agents: false });
});
after(async () => {
  await bot?.close();
  data.remove();
});

const session = (chat: Chat) =>
  bot.store.sessions.findByConversation(conversationKey('webchat', chat.conversationId));

test('a whole CAA20004 conversation on the manual path: cards change in place, the step is verified, the case resolves', async () => {
  const chat = await openChat(bot.url);
  try {
    await chat.text(new RegExp(`^${WELCOME.slice(0, 20)}`));
    await chat.say('Teams says CAA20004');
    const intake = await chat.card(/Let's get Teams working again/);
    await chat.text(/^CAA20004: /);

    await chat.click('Windows');
    await chat.waitUntil('✓ Windows on the intake card', (entries) =>
      entries.find(
        (e) =>
          e.activity.id === intake.activity.id &&
          submitsOf(cardOf(e.activity)).some((s) => s.title === '✓ Windows'),
      ),
    );
    await chat.click('Home');
    await chat.card(/What CAA20004 means/);
    let s = await session(chat);
    assert.equal(s?.state, 'step');
    assert.deepEqual([s?.os, s?.where, s?.code], ['windows', 'home', 'CAA20004']);
    const intakeNow = chat.transcript().find((e) => e.activity.id === intake.activity.id)!;
    assert.equal(intakeNow.emissions, 3, 'the intake card was updated in place twice (OS, then where)');

    await chat.say(paste('nslookup-windows-nxdomain.txt'));
    const findings = await chat.card(/name lookup \(DNS\) cannot find/);
    assert.match(
      cardText(cardOf(findings.activity)),
      /fails to find login\.microsoftonline\.com \(name not found\)/,
    );

    await chat.click('Show me the fix');
    const step = await chat.card(/Flush the DNS cache[\s\S]*To do/);
    assert.equal(step.activity.id, findings.activity.id, 'the findings card became the step card in place');
    s = await session(chat);
    assert.equal(
      s?.cardActivityId,
      step.activity.id,
      'the session records the live card by its Direct Line id',
    );

    await chat.click('Done — check again');
    const checking = await chat.card(/Flush the DNS cache[\s\S]*Checking/);
    assert.equal(checking.activity.id, step.activity.id);
    await chat.text(/run this command[\s\S]*nslookup login\.microsoftonline\.com/);

    await chat.say(paste('nslookup-windows-ok.txt'));
    await chat.card(/Teams should work again/);
    const entries = chat.transcript();
    const verified = entries.find((e) => e.activity.id === step.activity.id)!;
    assert.match(cardText(cardOf(verified.activity)), /Flush the DNS cache[\s\S]*Fixed \(verified\)/);
    assert.deepEqual(
      submitsOf(cardOf(verified.activity)).map((b) => b.title),
      ['Next step'],
      'a verified step offers no re-check',
    );
    assert.equal(verified.emissions, 4, 'findings → to do → checking → verified, one activity');
    assert.ok(
      entries.indexOf(verified) <
        entries.findIndex((e) => /Teams should work again/.test(cardText(cardOf(e.activity)))),
      'the updated card kept its place above the later messages',
    );
    s = await session(chat);
    assert.equal(s?.state, 'resolved');
    assert.equal(s?.plan.find((p) => p.stepId === 'flush-dns-cache')?.status, 'verified');
  } finally {
    chat.close();
  }
});

test('a double click on "Done — check again" moves the session once; the second click is ignored quietly (issue 14)', async () => {
  const chat = await openChat(bot.url);
  try {
    await chat.say('Teams says CAA82EE7');
    await chat.card(/Let's get Teams working again/);
    await chat.click('Windows');
    await chat.click('Home');
    const step = await chat.card(/What CAA82EE7 means[\s\S]*To do/);
    await bot.directLine.idle();
    const before = await session(chat);
    await Promise.all([chat.click('Done — check again'), chat.click('Done — check again')]);
    await chat.text(/paste the whole output here/);
    await bot.directLine.idle();
    assert.ok(
      !chat.transcript().some((e) => /out of date/.test(String(e.activity.text ?? ''))),
      'no "out of date" for the second tap',
    );
    const after = await session(chat);
    assert.equal(after?.viewVersion, (before?.version ?? 0) + 1, 'one transition, not two');
    assert.equal(after?.plan[0].status, 'checking');
    const card = chat.transcript().find((e) => e.activity.id === step.activity.id);
    assert.equal(card?.emissions, 2, 'the step card was updated once');
  } finally {
    chat.close();
  }
});

test('a click whose data is not ours is answered with a sentence, and moves nothing', async () => {
  const chat = await openChat(bot.url);
  try {
    await chat.say('Teams says CAA20004');
    await chat.card(/Let's get Teams working again/);
    const before = await session(chat);
    const id = await chat.post({
      type: 'message',
      value: { verb: 'rm -rf', sessionId: before?.id, version: 1 },
    });
    const answer = await chat.text(new RegExp(`^${UNREADABLE_CLICK.slice(0, 30)}`));
    assert.equal(answer.activity.replyToId, id);
    await bot.directLine.idle();
    const after = await session(chat);
    assert.equal(after?.version, before?.version);
    assert.equal(after?.os, undefined);
  } finally {
    chat.close();
  }
});
