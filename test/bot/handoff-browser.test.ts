/**
 * Issue 14 on the web chat page at 390×844 in headless Chromium, served by the assembled bot
 * (manual path, SQLite): the IT hand-off reads as prose and its "Copy text" button puts the
 * whole text on the clipboard (the page's own handler, a "Copied" toast); and the case number,
 * typed in a new chat of the same browser, brings the case back, while another browser typing it
 * gets nothing. Screenshots go to test-results/issue14-handoff-*. Every wait is for something on
 * the page, never for time.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { tempDataDir } from './directline-client.ts';
import { phoneLab } from './phone-lab.ts';
import { itemWithCard, launchPhone, NO_CHROMIUM, screenshot, send, WAIT } from './phone-page.ts';

const lab = phoneLab();
// The second phone has a folder of its own: hooks of one file do not run in a fixed order.
const otherData = tempDataDir();
let other: BrowserContext;
after(async () => {
  await other?.close();
  otherData.remove();
});

const WELCOME = 'I help when Teams will not sign in';
const paste = readFileSync(
  new URL('../fixtures/paste/nslookup-windows-nxdomain.txt', import.meta.url),
  'utf8',
);

async function open(ctx: BrowserContext, forget: boolean): Promise<Page> {
  const page = await ctx.newPage();
  // A new conversation, not the resumed one; the browser's last token (its user) stays.
  if (forget) await page.addInitScript(() => window.localStorage.removeItem('reconnect.webchat'));
  await page.goto(`${lab.bot.url}/`, WAIT);
  await page.locator('.webchat__text-content', { hasText: WELCOME }).waitFor(WAIT);
  return page;
}

const tap = async (page: Page, card: string | RegExp, button: string) =>
  itemWithCard(page, card).last().getByRole('button', { name: button, exact: true }).click();

test('the hand-off in prose, copied with one tap; the case number continues the case in a new chat of this browser only', {
  skip: NO_CHROMIUM,
}, async () => {
  await lab.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: lab.bot.url });
  other = await launchPhone(otherData.dir);
  const page = await open(lab.context, true);
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  await send(page, 'Teams says CAA20004 on windows at home');
  await itemWithCard(page, 'What CAA20004 means').waitFor(WAIT);
  await send(page, paste);
  await tap(page, 'getting in the way', 'Show me the fix');
  await tap(page, 'Flush the DNS cache', 'Skip');
  await tap(page, 'Ask a public DNS resolver', 'Skip');
  await tap(page, 'Make the internal DNS answer', 'Text for my IT admin');

  const handoff = itemWithCard(page, 'For your IT admin').last();
  await handoff.waitFor(WAIT);
  // biome-ignore lint/performance/useDomNodeTextContent: the rendered lines are what the person reads
  const shown = await handoff.locator('.ac-adaptiveCard').innerText(WAIT);
  assert.match(
    shown,
    /DNS resolver 192\.168\.1\.1 answered NXDOMAIN \(no such name\) for login\.microsoftonline\.com/,
  );
  assert.doesNotMatch(shown, /\[|\bdns\.system_failed\b|error=|hosts=/);
  await handoff.getByRole('button', { name: 'Copy text' }).click();
  await page.locator('.webchat__toast', { hasText: 'Copied' }).waitFor(WAIT);
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  assert.match(copied, /^Reconnect admin hand-off/);
  assert.match(copied, /answered NXDOMAIN \(no such name\) for login\.microsoftonline\.com/);
  assert.match(copied, /DNS: these names must resolve to Microsoft/);
  await screenshot(page, 'issue14-handoff-1-copied');

  // The case number the person is shown when the case goes to support.
  await send(page, 'escalate');
  const told = itemWithCard(page, /case RC-[0-9A-Z]{6}/i).last();
  // biome-ignore lint/performance/useDomNodeTextContent: the rendered lines are what the person reads
  const number = /RC-[0-9A-Z]{6}/.exec(await told.locator('.ac-adaptiveCard').innerText(WAIT))?.[0];
  assert.ok(number);
  await page.close();

  // Another phone typing the number: nothing opens.
  const stranger = await open(other, true);
  await send(stranger, number);
  await stranger.locator('.webchat__text-content', { hasText: `I cannot open case ${number}` }).waitFor(WAIT);
  await screenshot(stranger, 'issue14-handoff-2-other-browser');
  await stranger.close();

  // This phone, a new chat (not the resumed one): the number brings the case here.
  const back = await open(lab.context, true);
  await send(back, number.toLowerCase());
  await back
    .locator('.webchat__text-content', { hasText: `Welcome back. This is your case ${number}` })
    .waitFor(WAIT);
  await itemWithCard(back, `case ${number}`)
    .last()
    .getByRole('button', { name: 'Try the steps again' })
    .waitFor(WAIT);
  await screenshot(back, 'issue14-handoff-3-case-continued');
  assert.deepEqual(problems, [], 'no page errors');
});
