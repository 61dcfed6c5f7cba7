/**
 * Issue 14, "a pairing card whose code expired says so and offers a new code", on the web chat
 * page at 390×844 in headless Chromium, served by the assembled bot (SQLite, the agent gateway):
 * the person gets a code, comes back after it expired (the bot's clock is moved on, no sleep), and
 * the card says the code expired and offers a new one; one tap shows a fresh code, and the real
 * agent pairs with that code. Screenshots go to test-results/pairing-expired-*.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { BrowserContext } from 'playwright-core';
import type { RunningBot } from '../../bot/app.ts';
import { openSqliteStore } from '../../bot/store/sqlite.ts';
import type { Store } from '../../bot/store/types.ts';
import { buildWeb } from '../../scripts/build-web.ts';
import {
  itemWithCard,
  launchPhone,
  NO_CHROMIUM,
  screenshot,
  send,
  toPairingCard,
  WAIT,
} from '../bot/phone-page.ts';
import { type Scenario, startScenario } from '../lab/scenario.ts';
import type { AgentProcess } from './agent-process.ts';
import { agentForCard, pairingCodeIn, startAgentBot } from './chat-bot.ts';
import { tempDir } from './harness.ts';

const data = tempDir('reconnect-pairing-expired-');
const LONG = { timeout: 90_000 };
/** The bot's clock: real time plus what the test moved it on by. */
let skew = 0;
let lab: Scenario;
let bot: RunningBot;
let store: Store | undefined;
let context: BrowserContext;
let agent: AgentProcess | undefined;

before(async () => {
  if (NO_CHROMIUM) return;
  lab = await startScenario({});
  const webRoot = join(data.dir, 'web');
  await buildWeb(webRoot);
  // One clock for the engine and the store (pairing codes' life), as in production.
  const clock = () => Date.now() + skew;
  store = openSqliteStore({ dataDir: join(data.dir, 'state'), now: clock });
  bot = await startAgentBot(join(data.dir, 'state'), { webRoot, clock, store });
  context = await launchPhone(join(data.dir, 'chromium-profile'));
});
after(async () => {
  agent?.kill();
  await context?.close();
  await bot?.close();
  await store?.close();
  await lab?.close();
  data.remove();
});

test('an expired pairing card says so, offers a new code, and the new code pairs', {
  skip: NO_CHROMIUM,
}, async () => {
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  // The error, then two taps: the affected computer is the Linux one the agent runs on.
  await toPairingCard(page, bot.url);

  const card = () =>
    itemWithCard(page, /Connect the affected computer|expired/)
      .last()
      .locator('.ac-adaptiveCard');
  // biome-ignore lint/performance/useDomNodeTextContent: the rendered lines are what the person reads
  const first = pairingCodeIn(await card().innerText(WAIT));

  // Eleven minutes later (codes live ten), the person comes back and writes.
  skew = 11 * 60_000;
  await send(page, 'hello? I am back');
  const expired = itemWithCard(page, /expired/).last();
  await expired.getByRole('button', { name: 'Get a new code' }).waitFor(WAIT);
  // biome-ignore lint/performance/useDomNodeTextContent: the rendered lines are what the person reads
  const expiredText = await expired.locator('.ac-adaptiveCard').innerText(WAIT);
  assert.match(expiredText, /expired/i, expiredText);
  assert.ok(
    !/pair [0-9A-Z]{5}-[0-9A-Z]{5}/.test(expiredText),
    `no command with the dead code is offered:\n${expiredText}`,
  );
  // And a line at the bottom says so, where the person is looking.
  await page.locator('.webchat__text-content', { hasText: 'has expired' }).last().waitFor(WAIT);
  await expired.scrollIntoViewIfNeeded(WAIT);
  await screenshot(page, 'pairing-expired-1-card');

  await expired.getByRole('button', { name: 'Get a new code' }).click();
  // The card shows another code, live (not expired).
  const handle = await page.waitForFunction(
    (old) => {
      for (const c of document.querySelectorAll('.ac-adaptiveCard')) {
        // biome-ignore lint/performance/useDomNodeTextContent: what is rendered is what the person reads
        const text = (c as HTMLElement).innerText;
        const m = /\b([0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5})\b/.exec(text);
        if (m && m[1] !== old && !/expired/i.test(text)) return m[1];
      }
      return false;
    },
    first.code,
    WAIT,
  );
  const fresh = { code: String(await handle.jsonValue()), server: first.server };
  assert.notEqual(fresh.code, first.code);
  await itemWithCard(page, fresh.code).last().scrollIntoViewIfNeeded(WAIT);
  await screenshot(page, 'pairing-expired-2-new-code');

  // The fresh code works: the real agent pairs with it and the chat asks about the device.
  agent = agentForCard(fresh.code, fresh.server, lab);
  await agent.waitFor(/Joined .*case/, 60_000);
  await itemWithCard(page, 'Is this your computer?').waitFor(LONG);
  assert.deepEqual(problems, [], 'no page errors');
});
