/**
 * Issue 5's restart test: `node bot/main.ts` (the assembled bot, SQLite in DATA_DIR) as a child
 * process, a web chat conversation driven over Direct Line HTTP to the "Flush the DNS cache"
 * step, then SIGKILL (no shutdown code runs). The session on disk is at that step; a new process
 * on the same DATA_DIR accepts the old token, and the click on the card the user still has moves
 * the same session from the same step, updating that same card (same activity id) in place.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { conversationKey, type Session } from '../../bot/core/types.ts';
import { openSqliteStore } from '../../bot/store/sqlite.ts';
import { killAll, spawnBot } from './bot-process.ts';
import { cardOf, cardText, openChat, paste, submitsOf } from './conversation-driver.ts';
import { tempDataDir } from './directline-client.ts';

const data = tempDataDir();
after(() => {
  killAll();
  data.remove();
});

/** Reads the conversation's session straight from DATA_DIR (only while no bot process runs). */
async function sessionOnDisk(dataDir: string, conversationId: string): Promise<Session | undefined> {
  const store = openSqliteStore<Session>({ dataDir });
  try {
    return await store.sessions.findByConversation(conversationKey('webchat', conversationId));
  } finally {
    await store.close();
  }
}

test('SIGKILL at a step: the restarted bot moves the same session from the same step and updates the same card', async () => {
  const dataDir = join(data.dir, 'state');
  const first = await spawnBot({ DATA_DIR: dataDir });
  const chat = await openChat(first.url);
  await chat.say('Teams says CAA20004');
  await chat.card(/Let's get Teams working again/);
  await chat.click('Windows');
  await chat.click('Home');
  // main.ts runs the agent gateway, so pairing is offered first; this user goes on without it.
  await chat.card(/Connect the affected computer/);
  await chat.click('No computer access? Continue manually');
  await chat.card(/What CAA20004 means/);
  await chat.say(paste('nslookup-windows-nxdomain.txt'));
  await chat.card(/name lookup \(DNS\) cannot find/);
  await chat.click('Show me the fix');
  const step = await chat.card(/Flush the DNS cache[\s\S]*To do/);
  const recheck = submitsOf(cardOf(step.activity)).find((s) => s.title === 'Done — check again');
  assert.ok(recheck, 'the step card offers "Done — check again"');
  chat.close();

  first.child.kill('SIGKILL');
  assert.equal(await first.exited, null, 'killed, not stopped');

  const killedAt = await sessionOnDisk(dataDir, chat.conversationId);
  assert.equal(killedAt?.state, 'step');
  assert.equal(killedAt?.plan[killedAt.stepIndex].stepId, 'flush-dns-cache');
  assert.equal(killedAt?.plan[killedAt.stepIndex].status, 'pending');
  assert.equal(killedAt?.cardActivityId, step.activity.id, 'the live card is recorded on disk');

  const second = await spawnBot({ DATA_DIR: dataDir });
  const resumed = await openChat(second.url, { conversationId: chat.conversationId, token: chat.token });
  try {
    // The history replays from the store; the step card is the one the user was looking at.
    const again = await resumed.card(/Flush the DNS cache[\s\S]*To do/);
    assert.equal(again.activity.id, step.activity.id);

    // The click carries the card's data from before the kill, exactly as a phone would send it.
    await resumed.post({ type: 'message', value: recheck.data });
    const checking = await resumed.waitUntil('the same card showing Checking…', (entries) =>
      entries.find(
        (e) => e.activity.id === step.activity.id && /Checking/.test(cardText(cardOf(e.activity))),
      ),
    );
    assert.match(cardText(cardOf(checking.activity)), /Flush the DNS cache/);
    await resumed.text(/To check "Flush the DNS cache"[\s\S]*nslookup login\.microsoftonline\.com/);

    await resumed.say(paste('nslookup-windows-ok.txt'));
    await resumed.card(/Teams should work again/);
    const verified = resumed.transcript().find((e) => e.activity.id === step.activity.id);
    assert.match(cardText(cardOf(verified?.activity ?? step.activity)), /Fixed \(verified\)/);
  } finally {
    resumed.close();
  }

  second.child.kill('SIGTERM');
  assert.equal(await second.exited, 0);
  const done = await sessionOnDisk(dataDir, chat.conversationId);
  assert.equal(done?.id, killedAt?.id, 'the same session, not a new one');
  assert.equal(done?.state, 'resolved');
  assert.equal(done?.plan.find((p) => p.stepId === 'flush-dns-cache')?.status, 'verified');
  const moves = done!.timeline.slice(killedAt!.timeline.length).map((t) => t.text);
  assert.match(moves[0] ?? '', /step\.recheck/, `the first move after the restart is the re-check: ${moves}`);
});
