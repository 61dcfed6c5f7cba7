/**
 * Typing the case number in a new conversation continues that case (issue 14 item 7), through
 * the real web chat path: the assembled bot (SQLite), its Direct Line, conversations started as
 * the page starts them. The number is the one the person is shown ("Mention case RC-…"). The
 * same browser (its last token shown to the token endpoint, as the page does) gets the case
 * back in the new conversation, live; another browser, or a token the bot did not sign, typing
 * the same number gets neither the case nor a hint that it exists.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { RunningBot } from '../../bot/app.ts';
import { mintToken } from '../../bot/channels/directline/tokens.ts';
import { conversationKey } from '../../bot/core/types.ts';
import { cardOf, cardText, openChat, startCoreBot } from './conversation-driver.ts';
import { tempDataDir } from './directline-client.ts';

const data = tempDataDir();
let bot: RunningBot;
before(async () => {
  bot = await startCoreBot(join(data.dir, 'state'), { agents: false });
});
after(async () => {
  await bot?.close();
  data.remove();
});

const paste = (name: string) => readFileSync(new URL(`../fixtures/paste/${name}`, import.meta.url), 'utf8');
const REFUSED = /I cannot open case RC-[0-9A-Z]{6} in this chat/;

test('the case number, typed in a new chat of the same browser, brings the case there; others get nothing', async () => {
  const first = await openChat(bot.url);
  await first.say('Teams says CAA20004 on windows at home');
  await first.card(/Step 1 of|What CAA20004 means|CAA20004/);
  await first.say(paste('nslookup-windows-nxdomain.txt'));
  await first.card(/found|DNS/i);
  await first.click('Escalate');
  // What the person is shown: the case number ("Your case RC-… is with support").
  const told = cardText(cardOf((await first.card(/case RC-/)).activity) ?? {});
  const number = /RC-[0-9A-Z]{6}/.exec(told)?.[0];
  assert.ok(number, told);
  const sessionOf = (conversationId: string) =>
    bot.store.sessions.findByConversation(conversationKey('webchat', conversationId));
  const caseId = (await sessionOf(first.conversationId))?.id;
  first.close();

  // Another browser (no earlier token): the number opens nothing, and says no more than that.
  const stranger = await openChat(bot.url);
  await stranger.say(number);
  await stranger.text(REFUSED);
  // A token from another bot (another secret) proves nothing either.
  const forged = mintToken('x'.repeat(40), { conversationId: 'c', userId: 'dl_forged' }, Date.now()).token;
  const forger = await openChat(bot.url, undefined, { previousToken: forged });
  await forger.say(number);
  await forger.text(REFUSED);
  // A number that does not exist gets the very same answer.
  await forger.say('RC-000000');
  const unknown = await forger.text(/I cannot open case RC-000000/);
  assert.equal(
    unknown.activity.text?.replace('RC-000000', number),
    (await stranger.text(REFUSED)).activity.text,
    'unknown and foreign numbers read the same',
  );
  assert.equal(
    (await bot.store.sessions.get(caseId ?? ''))?.conversationKey,
    conversationKey('webchat', first.conversationId),
  );
  stranger.close();
  forger.close();

  // The same browser, a new chat: the case comes here, with its live card, and goes on here.
  const again = await openChat(bot.url, undefined, { previousToken: first.token });
  await again.say(`case ${number.toLowerCase()}`);
  await again.text(new RegExp(`Welcome back\\. This is your case ${number}`));
  await again.card(new RegExp(`case ${number}`));
  const moved = await sessionOf(again.conversationId);
  assert.equal(moved?.id, caseId, 'the same case, not a new one');
  assert.equal(moved?.state, 'escalated');
  await again.click('Try the steps again');
  await again.card(/I found what is getting in the way/);
  assert.equal(
    (await bot.store.sessions.get(caseId ?? ''))?.state,
    'plan',
    'the case moves from the new chat',
  );
  again.close();
});
