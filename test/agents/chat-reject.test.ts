/**
 * The device question protects the user from a code handed over by someone else: "No, not
 * mine" in the chat must cut that computer off at once (bot/agents/lifecycle.ts, wired in
 * bot/app.ts), not merely show a new code. Assembled bot over Direct Line, the real agent.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { conversationKey } from '../../bot/core/types.ts';
import { cardOf, cardText, openChat } from '../bot/conversation-driver.ts';
import { startScenario } from '../lab/scenario.ts';
import { agentForCard, pairingCodeIn, startAgentBot } from './chat-bot.ts';
import { tempDir } from './harness.ts';

const data = tempDir('reconnect-chat-reject-');
const cleanup: Array<() => unknown> = [];
after(async () => {
  for (const fn of cleanup.reverse()) await fn();
  data.remove();
});

test('"No, not mine": the computer is disconnected and its secret revoked; the card shows a fresh code', async () => {
  const lab = await startScenario();
  cleanup.push(() => lab.close());
  const bot = await startAgentBot(join(data.dir, 'state'));
  cleanup.push(() => bot.close());
  const chat = await openChat(bot.url);
  cleanup.push(() => chat.close());

  await chat.say('Teams says CAA20004');
  await chat.card(/Let's get Teams working again/);
  await chat.click('Linux');
  await chat.click('Home');
  const first = pairingCodeIn(cardText(cardOf((await chat.card(/Connect the affected computer/)).activity)));
  const agent = agentForCard(first.code, first.server, lab);
  cleanup.push(() => agent.kill());
  await chat.card(/Is this your computer\?/, 60_000);
  const session = await bot.store.sessions.findByConversation(
    conversationKey('webchat', chat.conversationId),
  );
  const agentId = session?.pairing?.device?.agentId;
  assert.ok(agentId, 'the session names the paired agent');

  await chat.click('No, not mine');
  await agent.waitFor(/ended the connection: the person in the chat said this is not their computer/);
  assert.equal(await agent.exited, 1);
  const fresh = pairingCodeIn(cardText(cardOf((await chat.card(/Connect the affected computer/)).activity)));
  assert.notEqual(fresh.code, first.code, 'a new code replaces the one that was used');

  const record = await bot.store.agents.get(agentId);
  assert.equal((record?.data as { revoked?: boolean } | undefined)?.revoked, true);
  assert.equal(record?.online, false);
  const audit = (await bot.store.audit.list(session!.id)).map((e) => e.kind);
  assert.ok(audit.includes('pairing_rejected') && audit.includes('agent_revoked'), audit.join(', '));
});
