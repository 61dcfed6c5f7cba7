/**
 * The web chat page in headless Chromium at phone size (390×844), shared by the browser tests:
 * launch, type into the send box, find the transcript item holding a card, screenshot into
 * test-results/. Every wait is for something on the page, never for time.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
/** Why a browser test is skipped on a machine without Chromium, or false. */
export const NO_CHROMIUM =
  !existsSync(CHROMIUM) && `${CHROMIUM} is not installed (apt-get install -y chromium)`;
export const RESULTS = join(import.meta.dirname, '..', '..', 'test-results');
export const WAIT = { timeout: 30_000 };
/** How every browser test starts Chromium: headless, and nothing of its own on the network. */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** A phone-sized, touch, headless Chromium with its profile in `profileDir`. */
export function launchPhone(profileDir: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    args: [...CHROMIUM_FLAGS, '--disable-quic'],
  });
}

/** The transcript item (one per activity) holding the card that shows `text`. */
export const itemWithCard = (page: Page, text: string | RegExp): Locator =>
  page.locator('article.webchat__basic-transcript__activity', {
    has: page.locator('.ac-adaptiveCard', { hasText: text }),
  });

/** Types `text` into the send box and sends it; resolves once Web Chat has taken it. */
export async function send(page: Page, text: string): Promise<void> {
  const box = page.getByRole('textbox').first();
  await box.fill(text);
  await box.press('Enter');
  // The send box empties once Web Chat has taken the message.
  await page.waitForFunction(
    () => (document.querySelector('textarea, input[type="text"]') as HTMLTextAreaElement)?.value === '',
    undefined,
    WAIT,
  );
}

/** test-results/<name>-390x844.png */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(RESULTS, { recursive: true });
  await page.screenshot({ path: join(RESULTS, `${name}-390x844.png`) });
}

/**
 * Opens the chat at `url`, waits for the welcome, says "Teams says CAA20004" and taps Linux and
 * Home: the agent path's pairing card comes next (when the bot runs the agent gateway).
 */
export async function toPairingCard(page: Page, url: string): Promise<void> {
  await page.goto(`${url}/`, WAIT);
  await page
    .locator('.webchat__text-content', { hasText: 'I help when Teams will not sign in' })
    .waitFor(WAIT);
  await send(page, 'Teams says CAA20004');
  const intake = itemWithCard(page, 'get Teams working again');
  await intake.getByRole('button', { name: 'Linux', exact: true }).click();
  await intake.getByRole('button', { name: '✓ Linux' }).waitFor(WAIT);
  await intake.getByRole('button', { name: 'Home', exact: true }).click();
}
