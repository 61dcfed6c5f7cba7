/**
 * The dashboard in headless Chromium, as support uses it. Three web chat users hit problems over
 * a few (injected) hours and paste what their commands printed: one fixes the proxy sign-in
 * (its step verified, the case resolved after 40 minutes), one's re-check still fails and is
 * escalated, one's certificate chain is untrusted and escalates at once. Two incidents come from the incidents source. Support asks
 * for a link in the Slack support channel, opens it in Chromium, presses the button, and sees
 * incidents, open cases, the findings chart (uPlot on a canvas), steps and resolution times,
 * screenshotted at 1280x800 and 390x844 into test-results/. Every request the page makes stays
 * on the bot's origin, no CSP violation is reported, and each response carries a CSP that names
 * no other source. Refused with 401, in the browser: /admin without a session, an expired link
 * (the bot's clock moved past it), a link from another deployment, and a link used twice.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type Browser, chromium, type Page } from 'playwright-core';
import { createTokens } from '../../bot/dashboard/tokens.ts';
import type { IncidentSummary } from '../../bot/dashboard/types.ts';
import { type Chat, openChat, paste } from '../bot/conversation-driver.ts';
import { CHROMIUM, CHROMIUM_FLAGS, NO_CHROMIUM, RESULTS, WAIT } from '../bot/phone-page.ts';
import { type DashboardLab, onlyOwnSources, SUPPORT, startDashboardLab } from './harness.ts';

const HOUR = 3_600_000;
let lab: DashboardLab;
let browser: Browser;
const chats: Chat[] = [];

const iso = (ms: number) => new Date(ms).toISOString();

before(async () => {
  const start = Math.floor(Date.now() / 60_000) * 60_000;
  const incidents: IncidentSummary[] = [
    {
      id: 'inc-1',
      cause: 'proxy.auth_required',
      headline: 'The proxy asks for a sign-in (407) on the office network',
      state: 'open',
      openedAt: iso(start - 5 * HOUR),
      firstCaseAt: iso(start - 5 * HOUR - 600_000),
      latestCaseAt: iso(start - HOUR),
      affected: ['sign-in'],
      members: 12,
      verified: 0,
    },
    {
      id: 'inc-0',
      cause: 'tls.inspection',
      headline: 'TLS inspection by "Contoso Inspect" on sign-in',
      state: 'resolved',
      openedAt: iso(start - 30 * HOUR),
      resolvedAt: iso(start - 27 * HOUR),
      firstCaseAt: iso(start - 30 * HOUR - 600_000),
      latestCaseAt: iso(start - 29 * HOUR),
      affected: ['sign-in', 'media'],
      members: 5,
      verified: 5,
    },
  ];
  lab = await startDashboardLab({ incidents });
  if (!NO_CHROMIUM) browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
});

after(async () => {
  for (const chat of chats) chat.close();
  await browser?.close();
  await lab?.close();
});

/** A web chat user who pastes `file` (what their command printed) into a new chat. */
async function userPastes(file: string): Promise<Chat> {
  const chat = await openChat(lab.bot.url);
  chats.push(chat);
  await chat.say(paste(file));
  await chat.card(/I found what is getting in the way/);
  return chat;
}

/** A page that records every request it makes and every CSP violation the console reports (and any script error). */
async function watchedPage(viewport: { width: number; height: number }) {
  const context = await browser.newContext({ viewport, deviceScaleFactor: viewport.width < 500 ? 2 : 1 });
  const page = await context.newPage();
  const requests: string[] = [];
  const violations: string[] = [];
  const csps: Record<string, string | null> = {};
  page.on('request', (r) => void requests.push(r.url()));
  page.on('response', (r) => {
    csps[new URL(r.url()).pathname] = r.headers()['content-security-policy'] ?? null;
  });
  page.on('pageerror', (error) => void violations.push(`script error: ${error.message}`));
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
  });
  return { page, context, requests, violations, csps };
}

/** Opens `link` and presses its button; resolves with the status of the page that follows. */
async function signIn(page: Page, link: string): Promise<number> {
  const shown = await page.goto(link);
  if (shown?.status() !== 200) return shown?.status() ?? 0;
  const [answer] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/admin/signin') && r.request().method() === 'POST', WAIT),
    page.getByRole('button', { name: 'Open the dashboard' }).click(),
  ]);
  await page.waitForLoadState('load');
  return answer.status() === 303 ? 303 : answer.status();
}

test('support sees incidents, cases, findings over time, steps, resolution and agents at 1280 and 390 px', {
  skip: NO_CHROMIUM,
}, async () => {
  // The bot's clock starts 10 hours back and ends where it began (the support relay, which
  // stamps the cases, runs on real time). A proxy sign-in, fixed 40 minutes later (the step
  // verified, the case resolved).
  lab.clock.t -= 10 * HOUR;
  const fixed = await userPastes('curl-I-proxy-407.txt');
  await fixed.click('Show me the fix');
  await fixed.card(/To do/);
  lab.clock.t += 40 * 60_000;
  await fixed.say(paste('curl-I-proxy-ok.txt'));
  await fixed.card(/Teams should work again/);
  // Two hours on: another proxy sign-in; the re-check still fails, so the user escalates.
  lab.clock.t += 2 * HOUR;
  const failing = await userPastes('curl-I-proxy-407.txt');
  await failing.click('Show me the fix');
  await failing.card(/To do/);
  await failing.say(paste('curl-I-proxy-407.txt'));
  await failing.card(/Still failing|still fail/i);
  await failing.click('Escalate');
  // Two hours on: an untrusted certificate chain, escalated at once.
  lab.clock.t += 2 * HOUR;
  const inspected = await userPastes('curl-v-inspection.txt');
  await inspected.click('Escalate');
  lab.clock.t += 5 * HOUR + 20 * 60_000;
  await lab.bot.support.idle();

  for (const viewport of [
    { width: 1280, height: 800 },
    { width: 390, height: 844 },
  ]) {
    const { page, context, requests, violations, csps } = await watchedPage(viewport);
    assert.equal(await signIn(page, await lab.link()), 303);
    await page.waitForSelector('body[data-loaded="true"]', WAIT);
    await page.waitForSelector('#chart canvas', WAIT);

    assert.equal(await page.locator('#n-incidents').textContent(), '1');
    assert.equal(await page.locator('#n-cases').textContent(), '2');
    assert.equal(await page.locator('#n-resolve').textContent(), '40 min');
    assert.equal(await page.locator('#incidents li').count(), 2);
    assert.match(
      (await page.locator('#incidents li').first().textContent()) ?? '',
      /12 users · 0\/12 verified/,
    );
    const cases = (await page.locator('#cases').textContent()) ?? '';
    assert.match(cases, /proxy\.auth_required/);
    assert.match(cases, /tls\.untrusted/);
    const steps = (await page.locator('#steps').textContent()) ?? '';
    assert.match(steps, /1 verified · 1 failed/, 'the proxy step verified once and failed once');
    const legend = (await page.locator('#chart .u-legend').textContent()) ?? '';
    assert.match(legend, /proxy\.auth_required/);
    assert.match(legend, /tls\.untrusted/);
    assert.match((await page.locator('#resolution').textContent()) ?? '', /Incidents.*median 3 h/);
    // Nothing wider than the screen.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page is ${overflow}px wider than ${viewport.width}`);

    mkdirSync(RESULTS, { recursive: true });
    await page.screenshot({ path: join(RESULTS, `dashboard-${viewport.width}x${viewport.height}.png`) });
    await page.screenshot({ path: join(RESULTS, `dashboard-${viewport.width}-full.png`), fullPage: true });

    const origin = new URL(lab.bot.url).origin;
    assert.deepEqual(
      requests.filter((u) => new URL(u).origin !== origin),
      [],
      'no request leaves the bot',
    );
    assert.deepEqual(violations, []);
    for (const path of [
      '/admin/signin',
      '/admin',
      '/admin/admin.js',
      '/admin/admin.css',
      '/admin/api/summary',
    ])
      assert.ok(onlyOwnSources(csps[path] ?? null), `${path}: ${csps[path]}`);
    await context.close();
  }
});

test("refused with 401 in the browser: no session, an expired link, another deployment's link, a reused link", {
  skip: NO_CHROMIUM,
}, async () => {
  const { page, context, csps } = await watchedPage({ width: 1280, height: 800 });
  for (const path of ['/admin', '/admin/admin.js', '/admin/api/summary', '/admin/anything'])
    assert.equal((await page.goto(`${lab.bot.url}${path}`))?.status(), 401, path);
  assert.ok(onlyOwnSources(csps['/admin'] ?? null));
  assert.match((await page.textContent('body')) ?? '', /@Reconnect dashboard/);

  // Another deployment: the same link format, signed with another secret.
  const other = createTokens('another-deployment-secret-0123456789abcdef', () => lab.clock.t);
  const foreign = other.mint('link', { ttlMs: 600_000, channel: `slack:${SUPPORT}`, by: 'U0X' });
  assert.equal(await signIn(page, `${lab.bot.url}/admin/signin?t=${foreign}`), 401);

  // Expired: asked for now, opened after its 10 minutes on the bot's clock. Shown first, while valid.
  const late = await lab.link();
  assert.equal((await page.goto(late))?.status(), 200);
  lab.clock.t += 10 * 60_000;
  const [expired] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST', WAIT),
    page.getByRole('button', { name: 'Open the dashboard' }).click(),
  ]);
  assert.equal(expired.status(), 401);
  assert.equal((await page.goto(late))?.status(), 401, 'and the link page itself now says so');

  // Reused: the first use signs in; the same link again, in a fresh browser, is refused.
  const once = await lab.link();
  assert.equal(await signIn(page, once), 303);
  assert.equal((await page.goto(`${lab.bot.url}/admin/api/summary`))?.status(), 200, 'signed in');
  const second = await browser.newContext();
  const again = await second.newPage();
  const [reused] = await Promise.all([
    again.waitForResponse((r) => r.request().method() === 'POST', WAIT),
    again.goto(once).then(() => again.getByRole('button', { name: 'Open the dashboard' }).click()),
  ]);
  assert.equal(reused.status(), 401);
  assert.equal((await again.goto(`${lab.bot.url}/admin`))?.status(), 401, 'the second browser stays out');

  // The session ends on the bot's clock too.
  lab.clock.t += 8 * HOUR;
  assert.equal((await page.goto(`${lab.bot.url}/admin/api/summary`))?.status(), 401);
  await second.close();
  await context.close();
});
