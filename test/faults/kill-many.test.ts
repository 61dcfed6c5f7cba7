/**
 * Issue 16: the bot (`node bot/main.ts`, SQLite in DATA_DIR) SIGKILLed many times at seeded random
 * points of a scripted web chat conversation, restarted on the same DATA_DIR each time. After each
 * kill the test looks at what the user posted since the step began: at most one of those posts is
 * a turn that happened (its event claimed in the store), and when one is, its reply must reach the
 * user (it may come late, never never); when none is, the user simply sends again, as a person
 * would. At the end the bot's side of every killed conversation must read exactly like a
 * conversation of the same script that no kill touched: each turn once, or not at all.
 *
 * KILL_SEED picks other kill points (default 16), KILLS how many (default 16, about 25 s).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { killAll, type Started, spawnBot } from '../bot/bot-process.ts';
import { type Chat, openChat } from '../bot/conversation-driver.ts';
import { tempDataDir } from '../bot/directline-client.ts';
import { bodyOf, botSide, claimed, fresh, keyOf, SCRIPT, seeded } from './kill-driver.ts';

const SEED = Number(process.env.KILL_SEED ?? 16);
const KILLS = Number(process.env.KILLS ?? 16);
/** A kill lands this many milliseconds after the post is sent, at most: inside the turn. */
const WINDOW_MS = 40;

const data = tempDataDir();
after(() => {
  killAll();
  data.remove();
});

test(`SIGKILLed ${KILLS} times mid-conversation (seed ${SEED}): every turn happened once or not at all`, async (t) => {
  const random = seeded(SEED);
  const dataDir = join(data.dir, 'state');
  const dbFile = join(dataDir, 'reconnect.db');
  let bot: Started = await spawnBot({ DATA_DIR: dataDir });
  let kills = 0;
  const log: string[] = [];

  /** One conversation of the script; kills at random points while `killing`. */
  async function converse(killing: boolean): Promise<string[]> {
    let chat: Chat = await openChat(bot.url);
    await chat.waitUntil('the welcome', (entries) => entries.find((e) => e.activity.from.role === 'bot'));
    for (const [index, step] of SCRIPT.entries()) {
      for (let attempt = 1; ; attempt++) {
        assert.ok(attempt <= 4, `step ${index} never happened: ${log.join('; ')}`);
        const seen = new Set(chat.transcript().map(keyOf));
        const users = new Set(
          chat
            .transcript()
            .filter((e) => e.activity.from.role === 'user')
            .map(keyOf),
        );
        const body = bodyOf(chat, step);
        // At most two kills per step, so every step gets through.
        const killAt =
          killing && kills < KILLS && attempt <= 2 && random() < 0.7 ? random() * WINDOW_MS : undefined;
        const posted = chat.post(body).catch(() => undefined);
        if (killAt === undefined) {
          await posted;
          await chat.waitUntil(`step ${index}'s answer`, fresh(seen, step.expect));
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, killAt));
        bot.child.kill('SIGKILL');
        await bot.exited;
        await posted;
        kills++;
        chat.close();
        bot = await spawnBot({ DATA_DIR: dataDir });
        chat = await openChat(bot.url, { conversationId: chat.conversationId, token: chat.token });
        await chat.waitUntil('the history', (entries) => (entries.length >= seen.size ? true : undefined));
        const sent = chat
          .transcript()
          .filter((e) => e.activity.from.role === 'user' && !users.has(keyOf(e)))
          .filter((e) => claimed(dbFile, e.activity.id));
        log.push(`step ${index} killed at ${killAt.toFixed(1)} ms: ${sent.length} turn(s) happened`);
        assert.ok(sent.length <= 1, `one post per attempt, so at most one turn: ${log.join('; ')}`);
        if (sent.length === 1) {
          await chat.waitUntil(`step ${index}'s answer after the restart`, fresh(seen, step.expect), 10_000);
          break;
        }
        assert.equal(
          fresh(seen, step.expect)(chat.transcript()),
          undefined,
          'no answer to a turn that never happened',
        );
      }
    }
    const side = botSide(chat);
    chat.close();
    return side;
  }

  try {
    const untouched = await converse(false);
    while (kills < KILLS) {
      const killed = await converse(true);
      assert.deepEqual(
        killed,
        untouched,
        `the killed conversation reads like the untouched one: ${log.join('; ')}`,
      );
    }
  } finally {
    bot.child.kill('SIGKILL');
  }
  assert.equal(kills, KILLS);
  t.diagnostic(log.join('; '));
});
