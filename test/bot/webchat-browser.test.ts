/**
 * Browser smoke test of the web chat page: the page is built into a temporary directory,
 * served by the bot on 127.0.0.1 with the echo bot, and driven by headless Chromium at phone
 * size (390×844). It sends "hello", sees the echo rendered and the message marked sent, and
 * checks that every request stayed on the bot's own origin (no CDN) and CSP blocked nothing.
 * A second test clicks an Action.Submit on an Adaptive Card and sees the card replaced in
 * place (same activity, new state, same position). The full conversation test comes with the core.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { BrowserContext } from 'playwright-core';
import type { RunningBot } from '../../bot/app.ts';
import { echoBot } from '../../bot/channels/directline/echo.ts';
import type { OnActivity } from '../../bot/channels/directline/types.ts';
import { buildWeb } from '../../scripts/build-web.ts';
import { startTestBot, tempDataDir } from './directline-client.ts';
import { launchPhone } from './phone-page.ts';

const CHROMIUM = '/usr/bin/chromium';
const RESULTS = join(import.meta.dirname, '..', '..', 'test-results');
const data = tempDataDir();
let bot: RunningBot;
let context: BrowserContext;

/** A DNS-step card; `verified` drops the button, as a real step card does once re-checked. */
const stepCard = (state: 'pending' | 'verified') => ({
  contentType: 'application/vnd.microsoft.card.adaptive',
  content: {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.5',
    body: [{ type: 'TextBlock', text: `DNS step: ${state}`, wrap: true }],
    actions:
      state === 'pending' ? [{ type: 'Action.Submit', title: 'Re-check', data: { action: 'recheck' } }] : [],
  },
});

/** Echo, plus: "card" sends a step card and a line after it; the card's button updates the card. */
const cardIds = new Map<string, string>();
const testBot: OnActivity = async (cid, activity, port) => {
  if (activity.text === 'card') {
    cardIds.set(cid, await port.send(cid, { type: 'message', attachments: [stepCard('pending')] }));
    await port.send(cid, { type: 'message', text: 'after the card' });
  } else if ((activity.value as { action?: string } | undefined)?.action === 'recheck') {
    await port.update(cid, cardIds.get(cid)!, { type: 'message', attachments: [stepCard('verified')] });
  } else {
    await echoBot(cid, activity, port);
  }
};

before(async () => {
  if (!existsSync(CHROMIUM)) return;
  const webRoot = join(data.dir, 'web');
  await buildWeb(webRoot);
  bot = await startTestBot(join(data.dir, 'state'), { webRoot, onActivity: testBot });
  // A fresh profile per run (playwright takes it as the persistent context's user data dir).
  context = await launchPhone(join(data.dir, 'chromium-profile'));
});
after(async () => {
  await context?.close();
  await bot?.close();
  data.remove();
});

test('the page at 390×844 sends "hello" and renders the echo, all from its own origin', {
  skip: !existsSync(CHROMIUM) && `${CHROMIUM} is not installed (apt-get install -y chromium)`,
}, async () => {
  const page = await context.newPage();
  const origin = new URL(bot.url).origin;
  const foreign: string[] = [];
  const problems: string[] = [];
  // Anything not on the bot's origin is refused before it leaves the browser, and recorded.
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(origin) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
    foreign.push(url);
    return route.abort();
  });
  page.on('console', (message) => {
    if (message.type() === 'error' || /Content Security Policy/i.test(message.text()))
      problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));

  await page.goto(`${bot.url}/`, { timeout: 30_000 });
  const sendBox = page.getByRole('textbox').first();
  await sendBox.waitFor({ timeout: 30_000 });
  await sendBox.fill('hello');
  await sendBox.press('Enter');

  // The echo comes from the bot side, the user's own message from the user side.
  await page
    .locator('.webchat__bubble:not(.webchat__bubble--from-user) .webchat__text-content', {
      hasText: /^\s*echo: hello\s*$/,
    })
    .waitFor({ timeout: 30_000 });
  await page
    .locator('.webchat__bubble--from-user .webchat__text-content', { hasText: /^\s*hello\s*$/ })
    .waitFor({ timeout: 10_000 });
  // Web Chat shows "Sending" until the post returns and the echo carries its clientActivityID.
  // innerText on purpose: only what is rendered counts, not Web Chat's hidden live-region text.
  // biome-ignore lint/performance/useDomNodeTextContent: see above
  await page.waitForFunction(() => !/Sending/i.test(document.body.innerText), undefined, { timeout: 10_000 });

  // Web Chat briefly shows "Connecting…" while it settles; the page must end up connected.
  await page
    .locator('.webchat__connectivityStatus', { hasText: 'Connecting' })
    .waitFor({ state: 'hidden', timeout: 10_000 });
  mkdirSync(RESULTS, { recursive: true });
  await page.screenshot({ path: join(RESULTS, 'webchat-echo-390x844.png') });

  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `the page must not scroll sideways at phone width (scrollWidth ${width})`);
  assert.deepEqual(foreign, [], 'the page must load nothing from other origins');
  assert.deepEqual(problems, [], 'no console errors or CSP violations');
  await page.close();
});

test('an Action.Submit on a card updates that card in place: same activity, new state, same position', {
  skip: !existsSync(CHROMIUM) && `${CHROMIUM} is not installed (apt-get install -y chromium)`,
}, async () => {
  const page = await context.newPage();
  await page.goto(`${bot.url}/`, { timeout: 30_000 });
  const sendBox = page.getByRole('textbox').first();
  await sendBox.waitFor({ timeout: 30_000 });
  await sendBox.fill('card');
  await sendBox.press('Enter');

  const card = page.locator('.ac-adaptiveCard');
  await card.getByText('DNS step: pending').waitFor({ timeout: 30_000 });
  const after = page.locator('.webchat__text-content', { hasText: /^\s*after the card\s*$/ });
  await after.waitFor({ timeout: 10_000 });
  await card.getByRole('button', { name: 'Re-check' }).click();

  await card.getByText('DNS step: verified').waitFor({ timeout: 30_000 });
  assert.equal(await card.count(), 1, 'one card: the update replaced it rather than adding a second');
  assert.equal(await page.getByText('DNS step: pending').count(), 0);
  assert.equal(await card.getByRole('button', { name: 'Re-check' }).count(), 0);
  const cardBox = await card.boundingBox();
  const afterBox = await after.boundingBox();
  assert.ok(cardBox && afterBox && cardBox.y < afterBox.y, 'the card kept its place above the later message');
  mkdirSync(RESULTS, { recursive: true });
  await page.screenshot({ path: join(RESULTS, 'webchat-card-updated-390x844.png') });
  await page.close();
});
