/**
 * Issue 17 as the person sees it on both screens: the web chat page on the phone (Chromium at
 * 390x844 on this machine) gets to the pairing card; the computer's browser (Chromium inside a
 * lab namespace) opens /go with the code in its fragment, as the card's "On this computer?" link
 * does, and the code is taken at once; one press of "Check from this browser" later, the phone
 * shows the findings from the browser: here the sign-in endpoint refusing connections.
 * Screenshots of both go to test-results/.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { BrowserContext } from 'playwright-core';
import type { RunningBot } from '../../bot/app.ts';
import {
  itemWithCard,
  launchPhone,
  NO_CHROMIUM,
  RESULTS,
  screenshot,
  send,
  WAIT,
} from '../bot/phone-page.ts';
import { createLabNetns, type LabNetns } from '../lab/netns.ts';
import { type Scenario, startScenario } from '../lab/scenario.ts';
import { labCatalog, launchLabBrowser, startLabBot } from './browser-lab.ts';
import { pairingCodeIn } from './chat-bot.ts';
import { tempDir } from './harness.ts';

const tmp = tempDir('reconnect-browser-phone-');
let ns: LabNetns;
let lab: Scenario;
let bot: RunningBot;
let phone: BrowserContext;
let computer: BrowserContext;

before(async () => {
  if (NO_CHROMIUM) return;
  ns = await createLabNetns();
  lab = await startScenario({ netns: ns, endpoints: { auth: { server: 'closed' } } });
  const catalog = labCatalog(lab, ns);
  bot = await startLabBot(ns, tmp.dir, catalog);
  phone = await launchPhone(join(tmp.dir, 'phone'));
  computer = await launchLabBrowser(ns, tmp.dir, catalog, lab.pki, {
    viewport: { width: 1280, height: 800 },
  });
});
after(async () => {
  await computer?.close();
  await phone?.close();
  await bot?.close();
  await bot?.store.close();
  await lab?.close();
  await ns?.close();
  tmp.remove();
});

test('phone and computer: the code from the chat, one press on the computer, the browser’s findings on the phone', {
  skip: NO_CHROMIUM,
}, async () => {
  const chat = await phone.newPage();
  await chat.goto(`${bot.url}/`, WAIT);
  await send(chat, 'Teams says CAA20004');
  const intake = itemWithCard(chat, 'get Teams working again');
  await intake.getByRole('button', { name: 'Linux', exact: true }).click();
  await intake.getByRole('button', { name: '✓ Linux' }).waitFor(WAIT);
  await intake.getByRole('button', { name: 'Home', exact: true }).click();
  const card = itemWithCard(chat, 'Connect the affected computer').last();
  // biome-ignore lint/performance/useDomNodeTextContent: the rendered lines are what the person reads
  const { code } = pairingCodeIn(await card.locator('.ac-adaptiveCard').innerText(WAIT));

  const page = await computer.newPage();
  await page.goto(`${bot.url}/go#${code}`);
  await page.locator('#browser-run').waitFor({ state: 'visible', ...WAIT });
  assert.equal(await page.textContent('#message'), `The code ${code} is right.`, 'taken from the fragment');
  assert.equal(new URL(page.url()).hash, '', 'and dropped from the address bar');
  await page.click('#browser-run');
  await page.locator('#browser-check[data-state="sent"]').waitFor(WAIT);
  await page.screenshot({ path: join(RESULTS, 'browser-check-computer-1280x800.png'), fullPage: true });

  const said = chat.locator('.webchat__text-content', { hasText: 'Seen from the browser on your computer' });
  await said.waitFor(WAIT);
  const text = (await said.textContent()) ?? '';
  assert.match(text, /could not reach login\.lab\.test/);
  assert.match(text, /cannot see certificate chains, DNS answers or proxy settings/);
  await said.scrollIntoViewIfNeeded(WAIT);
  await screenshot(chat, 'browser-check-phone');
  assert.ok(RESULTS);
});
