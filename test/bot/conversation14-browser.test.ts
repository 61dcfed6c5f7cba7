/**
 * Issue 14 on the web chat page at 390×844 in headless Chromium, served by the assembled bot
 * (manual path, SQLite): what a locked-out person on a phone sees. The CAA70007 guide (not
 * CAA20004's), the one symptom question with no code, commands as code blocks (not backticks),
 * a new line at the bottom, in view, when a card above changes, a double tap on Skip counted
 * once, and the link opened in a new tab continuing the conversation. Screenshots go to
 * test-results/issue14-*. Every wait is for something on the page, never for time.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { paste } from './conversation-driver.ts';
import { phoneLab } from './phone-lab.ts';
import { itemWithCard, NO_CHROMIUM, screenshot, send, WAIT } from './phone-page.ts';

const lab = phoneLab();

const WELCOME = 'I help when Teams will not sign in';

/** A page on a conversation of its own: the saved one (a new tab would resume it) is forgotten first. */
async function freshPage(): Promise<Page> {
  const page = await lab.context.newPage();
  // Before the page's own script runs, so it cannot resume another test's conversation.
  await page.addInitScript(() => window.localStorage.removeItem('reconnect.webchat'));
  await page.goto(`${lab.bot.url}/`, WAIT);
  await page.locator('.webchat__text-content', { hasText: WELCOME }).waitFor(WAIT);
  return page;
}

/** The text of the last transcript item, and whether it is inside the phone's viewport. */
async function lastItem(page: Page): Promise<{ text: string; inView: boolean }> {
  return page.evaluate(() => {
    const items = [...document.querySelectorAll('article.webchat__basic-transcript__activity')];
    const last = items.at(-1) as HTMLElement | undefined;
    if (!last) return { text: '', inView: false };
    const box = last.getBoundingClientRect();
    return { text: last.innerText, inView: box.bottom <= window.innerHeight + 1 && box.top >= 0 };
  });
}

/**
 * Waits until the last transcript item shows `text` and sits inside the viewport (Web Chat
 * scrolls to new messages with an animation): the person sees it without scrolling.
 */
async function lastInView(page: Page, text: RegExp): Promise<void> {
  await page.waitForFunction(
    (source) => {
      const items = [...document.querySelectorAll('article.webchat__basic-transcript__activity')];
      const last = items.at(-1) as HTMLElement | undefined;
      if (!last || !new RegExp(source).test(last.innerText)) return false;
      const box = last.getBoundingClientRect();
      return box.bottom <= window.innerHeight + 1 && box.top >= 0;
    },
    text.source,
    WAIT,
  );
}

const shot = (page: Page, name: string) => screenshot(page, `issue14-${name}`);

test('CAA70007 gets the connection guide, in plain words, with no CAA20004 step', {
  skip: NO_CHROMIUM,
}, async () => {
  const page = await freshPage();
  await send(page, 'Teams says CAA70007');
  const intake = itemWithCard(page, 'get Teams working again');
  await intake.getByRole('button', { name: 'macOS', exact: true }).click();
  await intake.getByRole('button', { name: 'Home', exact: true }).click();
  const step = itemWithCard(page, 'What this connection error means');
  await step.waitFor(WAIT);
  await shot(page, '1-caa70007');
  const cards = await page.locator('.ac-adaptiveCard').allInnerTexts();
  assert.ok(!cards.join('\n').includes('What CAA20004 means'), 'not the CAA20004 guide');
  assert.ok(!/Windows names this code/.test(cards.join('\n')));
  // The autolink is a link, not "<https://…>" as typed.
  const link = step.locator('a', { hasText: 'login.microsoftonline.com' });
  assert.equal(await link.count(), 1);
  assert.equal(await link.first().getAttribute('href'), 'https://login.microsoftonline.com');
  assert.ok(!(await page.locator('body').innerText()).includes('<https://'));
  await page.close();
});

test('"I can\'t sign in" with no code: one symptom question at the bottom, then the fitting guide', {
  skip: NO_CHROMIUM,
}, async () => {
  const page = await freshPage();
  await send(page, "I can't sign in to Teams");
  const intake = itemWithCard(page, 'get Teams working again');
  await intake.getByRole('button', { name: 'Windows', exact: true }).click();
  await intake.getByRole('button', { name: 'Office', exact: true }).click();
  await page
    .locator('.webchat__text-content', { hasText: 'One more question: what does Teams show?' })
    .waitFor(WAIT);
  // The question is the last message, where the person looks, in view without scrolling.
  await lastInView(page, /One more question/);
  await shot(page, '2-symptom-question');
  await intake.getByRole('button', { name: 'Sign-in refused or keeps asking' }).click();
  await itemWithCard(page, 'What this sign-in error means').waitFor(WAIT);
  await shot(page, '3-account-guide');
  await page.close();
});

test('commands are code blocks, a card changed above brings a line at the bottom, a double tap counts once', {
  skip: NO_CHROMIUM,
}, async () => {
  const page = await freshPage();
  await send(page, 'Teams says CAA82EE7 on windows at home');
  const step = itemWithCard(page, 'What this certificate or proxy script error means').or(
    itemWithCard(page, 'Step 1 of'),
  );
  await step.first().waitFor(WAIT);
  // The tip names a command as code, not in backticks.
  const tip = page.locator('.webchat__text-content', { hasText: 'No agent needed' });
  await tip.waitFor(WAIT);
  assert.equal(
    await tip.locator('code', { hasText: 'nslookup login.microsoftonline.com' }).count(),
    1,
    await tip.innerHTML(),
  );
  assert.ok(!(await tip.innerText()).includes('`'), 'no backticks shown');

  // A double tap on Skip: one step skipped, and no "out of date".
  const card = itemWithCard(page, 'Step 1 of');
  const skip = card.getByRole('button', { name: 'Skip' });
  await skip.dblclick();
  // Seen once in a full CI run (the line never came); keep what the page showed for the next one.
  await page
    .locator('.webchat__text-content', { hasText: /^Next, step 2 of/ })
    .waitFor(WAIT)
    .catch(async (error: unknown) => {
      await shot(page, 'FAILED-double-tap').catch(() => {});
      throw error;
    });
  // (Web Chat's markdown turns straight quotes into curly ones.)
  await lastInView(page, /Next, step 2 of \d+: [“"]/);
  assert.match((await lastItem(page)).text, /Next, step 2 of \d+: [“"]Check that the computer is online/);
  await shot(page, '4-bottom-line-after-skip');
  assert.ok(!(await page.locator('body').innerText()).includes('out of date'), 'the second tap was quiet');
  assert.equal(await page.locator('.webchat__text-content', { hasText: /^Next, step 3 of/ }).count(), 0);

  // "Done — check again" asks for output with the command in a code block, and a way out.
  await itemWithCard(page, 'Step 2 of').getByRole('button', { name: 'Done — check again' }).click();
  const request = page.locator('.webchat__text-content', { hasText: 'paste the whole output here' });
  await request.waitFor(WAIT);
  assert.ok((await request.locator('pre, code').count()) > 0, 'the command is a code block');
  const checking = itemWithCard(page, 'Waiting for the pasted output until');
  await checking.waitFor(WAIT);
  assert.equal(await checking.getByRole('button', { name: 'Skip' }).count(), 1, 'a way out while checking');
  await shot(page, '5-checking-with-way-out');

  // The link opened again in a new tab continues the same conversation.
  const again = await lab.context.newPage();
  await again.goto(`${lab.bot.url}/`, WAIT);
  await itemWithCard(again, 'Waiting for the pasted output until').waitFor(WAIT);
  await shot(again, '6-new-tab-continues');
  await again.close();
  await page.close();
});

test('output that changes nothing is read back in words; escalating with no support channel names whom to contact', {
  skip: NO_CHROMIUM,
}, async () => {
  const page = await freshPage();
  await send(page, 'Teams says CAA20004 on windows at home');
  await itemWithCard(page, /Step 1 of|What CAA20004 means/)
    .first()
    .waitFor(WAIT);
  await send(page, paste('nslookup-windows-nxdomain.txt'));
  await itemWithCard(page, 'Show me the fix').first().waitFor(WAIT);
  // The same output again changes nothing: the reply says what it read, in words.
  await send(page, paste('nslookup-windows-nxdomain.txt'));
  await lastInView(page, /Thanks, I read that/);
  // (Web Chat wraps the host it links in zero-width spaces.)
  const read = (await lastItem(page)).text.replace(/\u200b/g, '');
  assert.match(
    read,
    /the name lookup of login\.microsoftonline\.com through this computer.s resolver failed/,
  );
  assert.doesNotMatch(read, /dns:|@system|\bfail\b/);
  await shot(page, '7-read-back-in-words');

  // This bot has a support relay but no support channel: the card says so and whom to contact.
  await send(page, 'escalate');
  const card = itemWithCard(page, 'Your case is saved');
  await card.waitFor(WAIT);
  const text = (await card.textContent()) ?? '';
  assert.match(text, /Nobody from support can answer in this chat yet\. Please contact your IT help desk\./);
  assert.doesNotMatch(text, /is with support|Passed to support/);
  assert.equal(await card.getByRole('button', { name: 'Teams works now' }).count(), 1);
  await card.scrollIntoViewIfNeeded();
  await shot(page, '8-escalated-no-support-channel');
  await page.close();
});
