/**
 * Issue 5's browser test: the web chat page, built into a temporary directory and served by the
 * assembled bot (startBot with the core, SQLite) on 127.0.0.1, driven by headless Chromium at
 * phone size (390×844). The user types "Teams says CAA20004", taps Windows and Home, pastes an
 * nslookup that cannot find login.microsoftonline.com, opens the fix, taps "Done — check again",
 * pastes a good nslookup, and sees the step verified. The cards change in place: the page's own
 * Direct Line stream carries the same activity id for every state, the DOM element stays the
 * same node at the same position, and the store's live card is that id. Screenshots go to
 * test-results/. Every wait is for specific text, never for time.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { conversationKey } from '../../bot/core/types.ts';
import { paste } from './conversation-driver.ts';
import { phoneLab } from './phone-lab.ts';
import { itemWithCard, NO_CHROMIUM, RESULTS, screenshot, send, WAIT } from './phone-page.ts';

const lab = phoneLab();

interface SeenActivity {
  id: string;
  text?: string;
  attachments?: { content?: unknown }[];
}

/** Every activity the page received on its Direct Line stream, in order (updates included). */
function recordStream(page: Page): SeenActivity[] {
  const seen: SeenActivity[] = [];
  page.on('websocket', (ws) =>
    ws.on('framereceived', ({ payload }) => {
      const text = typeof payload === 'string' ? payload : payload.toString('utf8');
      if (text !== '') seen.push(...(JSON.parse(text) as { activities: SeenActivity[] }).activities);
    }),
  );
  return seen;
}

/** Ids of the card activities whose JSON mentions `needle`. */
const idsMentioning = (seen: SeenActivity[], needle: string) =>
  new Set(
    seen.filter((a) => a.attachments && JSON.stringify(a.attachments).includes(needle)).map((a) => a.id),
  );

/**
 * Marks the transcript item `item` resolves to now and returns a locator for exactly that DOM
 * node: if Web Chat re-created the item (a new activity instead of an update), the locator finds
 * nothing and the next wait fails.
 */
async function pin(page: Page, item: Locator, mark: string): Promise<Locator> {
  const handle = await item.elementHandle(WAIT);
  await handle!.evaluate((el, m) => {
    (el as HTMLElement).dataset.reconnectMark = m;
  }, mark);
  return page.locator(`article[data-reconnect-mark="${mark}"]`);
}

/** Where `item` sits among the transcript's items. */
const indexOf = (item: Locator): Promise<number> =>
  item.evaluate((el) =>
    [...document.querySelectorAll('article.webchat__basic-transcript__activity')].indexOf(el),
  );

const shot = (page: Page, name: string) => screenshot(page, `conversation-${name}`);

test('on the page at 390×844: CAA20004 → Windows, Home → NXDOMAIN pasted → fix → "Done — check again" → good nslookup pasted → verified, cards updated in place', {
  skip: NO_CHROMIUM,
}, async () => {
  const page = await lab.context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  const stream = recordStream(page);
  await page.goto(`${lab.bot.url}/`, WAIT);
  await page
    .locator('.webchat__text-content', { hasText: 'I help when Teams will not sign in' })
    .waitFor(WAIT);

  // Intake: typed code, then two taps on the same card.
  await send(page, 'Teams says CAA20004');
  const intake = await pin(page, itemWithCard(page, 'get Teams working again'), 'intake');
  const intakeAt = await indexOf(intake);
  await intake.getByRole('button', { name: 'Windows', exact: true }).click();
  await intake.getByRole('button', { name: '✓ Windows' }).waitFor(WAIT);
  await intake.getByRole('button', { name: 'Home', exact: true }).click();
  await intake.getByRole('button', { name: '✓ Home' }).waitFor(WAIT);
  assert.equal(await indexOf(intake), intakeAt, 'the intake card changed in place (same node, same place)');
  await shot(page, '1-intake');

  // The first step of the ladder, then the user pastes what nslookup printed on Windows.
  await itemWithCard(page, 'What CAA20004 means').waitFor(WAIT);
  await send(page, paste('nslookup-windows-nxdomain.txt'));
  const step = await pin(page, itemWithCard(page, 'name lookup (DNS) cannot find'), 'dns-step');
  const stepAt = await indexOf(step);
  await shot(page, '2-findings');

  // The findings card becomes the step card, which goes to checking and then verified.
  await step.getByRole('button', { name: 'Show me the fix' }).click();
  await step.locator('.ac-adaptiveCard', { hasText: /Flush the DNS cache[\s\S]*To do/ }).waitFor(WAIT);
  assert.equal(await indexOf(step), stepAt, 'the findings card turned into the step card in place');
  await step.getByRole('button', { name: 'Done — check again' }).click();
  await step.locator('.ac-adaptiveCard', { hasText: 'Checking…' }).waitFor(WAIT);
  await page
    .locator('.webchat__text-content', { hasText: 'nslookup login.microsoftonline.com' })
    .last()
    .waitFor(WAIT);
  assert.equal(await indexOf(step), stepAt);
  await shot(page, '3-checking');

  await send(page, paste('nslookup-windows-ok.txt'));
  await step.locator('.ac-adaptiveCard', { hasText: 'Fixed (verified)' }).waitFor(WAIT);
  await itemWithCard(page, 'Teams should work again').waitFor(WAIT);
  await shot(page, '4-resolved');
  await step.screenshot({ path: join(RESULTS, 'conversation-4-step-verified-390x844.png') });

  // Same DOM node, same place, new state; no leftover copy of the old states anywhere.
  assert.equal(await indexOf(step), stepAt);
  assert.ok(
    stepAt < (await indexOf(itemWithCard(page, 'Teams should work again'))),
    'the card kept its place above later messages',
  );
  assert.equal(await step.getByRole('button', { name: 'Done — check again' }).count(), 0);
  assert.equal(await itemWithCard(page, 'ipconfig /flushdns').count(), 1, 'one step card, not one per state');
  assert.equal(
    await itemWithCard(page, 'name lookup (DNS) cannot find').count(),
    0,
    'the findings card was replaced',
  );

  // The page's own stream: every state of the DNS step arrived under one activity id.
  const stepIds = idsMentioning(stream, '"stepId":"flush-dns-cache"');
  const findingsIds = idsMentioning(stream, 'name lookup (DNS) cannot find');
  assert.equal(stepIds.size, 1, `the step states came under one id, got ${[...stepIds]}`);
  assert.deepEqual(findingsIds, stepIds, 'the findings card and the step card are the same activity');
  const [cardId] = stepIds;
  assert.ok(stream.filter((a) => a.id === cardId).length >= 4, 'findings, to do, checking, verified');

  // The store agrees: the step is verified, and the Direct Line log holds that card once, updated.
  const conversationId = cardId.split('|')[0];
  const session = await lab.bot.store.sessions.findByConversation(conversationKey('webchat', conversationId));
  assert.equal(session?.plan.find((p) => p.stepId === 'flush-dns-cache')?.status, 'verified');
  assert.equal(session?.state, 'resolved');
  const log = await lab.bot.store.directline.list(conversationId);
  assert.equal(log.activities.filter((a) => a.id === cardId).length, 1);
  assert.match(JSON.stringify(log.activities.find((a) => a.id === cardId)), /Fixed \(verified\)/);

  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `the page must not scroll sideways at phone width (scrollWidth ${width})`);
  assert.deepEqual(problems, []);
  await page.close();
});
