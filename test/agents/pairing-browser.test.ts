/**
 * Issue 6, end to end: the assembled bot (startBot on 127.0.0.1, SQLite, the agent gateway), the
 * web chat page in headless Chromium at 390×844, and the real agent process
 * (`node probes/agent/main.ts pair CODE --server URL`) in a lab where the sign-in endpoint
 * presents a TLS-inspection certificate that the computer trusts. The user types the error and
 * gets a code on the pairing card; the agent pairs with it; the user confirms the device; the
 * progress card fills; the findings card names tls.inspection and the inspecting issuer; "Done
 * — check again" re-checks on the computer and the step shows still failing. Then the lab
 * switches the endpoint to the genuine certificate, "Done — check again" shows verified, the
 * conversation resolves, and the agent is told the case is closed. Every wait is for text on
 * the page or the agent's terminal, never for time. Screenshots go to test-results/.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import type { BrowserContext, Page } from 'playwright-core';
import type { RunningBot } from '../../bot/app.ts';
import { conversationKey } from '../../bot/core/types.ts';
import { buildWeb } from '../../scripts/build-web.ts';
import { AGENT_BUNDLE } from '../agent/agent-run.ts';
import {
  itemWithCard,
  launchPhone,
  NO_CHROMIUM,
  screenshot,
  toPairingCard,
  WAIT,
} from '../bot/phone-page.ts';
import { type Scenario, startScenario } from '../lab/scenario.ts';
import type { AgentProcess } from './agent-process.ts';
import { agentForCard, FIRST_PROGRESS, pairingCodeIn, startAgentBot } from './chat-bot.ts';
import { tempDir } from './harness.ts';

const run = promisify(execFile);
const data = tempDir('reconnect-pairing-browser-');
const LONG = { timeout: 90_000 };
let lab: Scenario;
let bot: RunningBot;
let context: BrowserContext;
let agent: AgentProcess | undefined;

before(async () => {
  if (NO_CHROMIUM) return;
  lab = await startScenario({ endpoints: { auth: { cert: 'inspection' } }, trustInspection: true });
  const webRoot = join(data.dir, 'web');
  await buildWeb(webRoot);
  bot = await startAgentBot(join(data.dir, 'state'), { webRoot });
  context = await launchPhone(join(data.dir, 'chromium-profile'));
});
after(async () => {
  agent?.kill();
  await context?.close();
  await bot?.close();
  await lab?.close();
  data.remove();
});

/** A screenshot with the card showing `cardText` scrolled into view. */
async function shot(page: Page, name: string, cardText: string | RegExp): Promise<void> {
  await itemWithCard(page, cardText).last().scrollIntoViewIfNeeded(WAIT);
  await screenshot(page, `pairing-${name}`);
}

/** What the card in `item` says, as the user reads it: rendered text, one line per block. */
const textOf = (page: Page, cardText: string | RegExp) =>
  // biome-ignore lint/performance/useDomNodeTextContent: the rendered lines are the point (the command is one line)
  itemWithCard(page, cardText).last().locator('.ac-adaptiveCard').innerText(WAIT);

test('on the phone: CAA20004 → code → agent pairs → confirm → tls.inspection by "Lab Zscaler Root CA", still failing → genuine certificate → verified → resolved', {
  skip: NO_CHROMIUM,
}, async () => {
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  // Direct Line activity ids are `<conversation id>|<n>`: the first one names the conversation.
  let conversationId: string | undefined;
  page.on('websocket', (ws) =>
    ws.on('framereceived', ({ payload }) => {
      const text = typeof payload === 'string' ? payload : payload.toString('utf8');
      const id =
        text === '' ? undefined : (JSON.parse(text) as { activities: { id: string }[] }).activities[0]?.id;
      conversationId ??= id?.split('|')[0];
    }),
  );
  // The error, then two taps: the affected computer is the Linux one the agent runs on.
  await toPairingCard(page, bot.url);

  // The pairing card: a code, and the Linux line first, naming this server and checking the file.
  const pairingText = await textOf(page, 'Connect the affected computer');
  const { code, server } = pairingCodeIn(pairingText);
  assert.equal(server, bot.url, 'the command names the server the user is talking to');
  const linux = pairingText.split('\n').find((line) => line.startsWith('curl ') && line.includes(code));
  assert.ok(linux, `a download line on the card:\n${pairingText}`);
  assert.match(linux, /reconnect-agent\.js\.sha256 \| sha256sum -c && node reconnect-agent\.js pair/);
  await shot(page, '1-code', 'Connect the affected computer');

  // The card's download-and-check half, run as printed: the served file passes sha256sum.
  const fetchAndCheck = linux.slice(0, linux.indexOf(' && node '));
  const work = join(data.dir, 'download');
  mkdirSync(work);
  // Asynchronously: the server answering curl runs in this very process.
  const fetched = await run('sh', ['-c', fetchAndCheck], { cwd: work, timeout: 30_000 });
  assert.match(fetched.stdout, /^reconnect-agent\.js: OK$/m);
  assert.deepEqual(readFileSync(join(work, 'reconnect-agent.js')), readFileSync(AGENT_BUNDLE));

  // The agent, started with that code; the chat shows the device and asks.
  agent = agentForCard(code, server, lab);
  await agent.waitFor(/Joined .*case [0-9A-Z]{8} \(web chat\)/, 60_000);
  const pairing = itemWithCard(page, 'Is this your computer?');
  await pairing.locator('.ac-adaptiveCard', { hasText: hostname() }).waitFor(LONG);
  assert.match(await textOf(page, 'Is this your computer?'), /Linux/);
  await shot(page, '2-confirm', 'Is this your computer?');
  await pairing.getByRole('button', { name: 'Yes, that is my computer' }).click();

  // Progress streams onto the same card, then the findings replace it.
  await itemWithCard(page, FIRST_PROGRESS).waitFor(LONG);
  await shot(page, '3-progress', FIRST_PROGRESS);
  const findings = itemWithCard(page, 're-signs the secure connection');
  await findings.waitFor(LONG);
  const findingsText = await textOf(page, 're-signs the secure connection');
  assert.match(findingsText, new RegExp(lab.pki.inspectionRoot.name));
  assert.equal(lab.pki.inspectionRoot.name, 'Lab Zscaler Root CA');
  await shot(page, '4-findings', 're-signs the secure connection');

  // The step, re-checked on the computer while the inspection is still there.
  await findings.getByRole('button', { name: 'Show me the fix' }).click();
  const step = itemWithCard(page, /To do/);
  await step.waitFor(WAIT);
  await step.getByRole('button', { name: 'Done — check again' }).click();
  await itemWithCard(page, 'Still failing')
    .locator('.ac-adaptiveCard', { hasText: /Still failing:/ })
    .waitFor(LONG);
  const failed = await textOf(page, 'Still failing');
  assert.match(failed, /❌ Still failing/);
  await shot(page, '5-still-failing', 'Still failing');

  // The inspection is switched off: the endpoint shows the genuine chain again.
  lab.setCertificate('auth', 'genuine');
  await itemWithCard(page, 'Still failing').getByRole('button', { name: 'Done — check again' }).click();
  await itemWithCard(page, 'Fixed (verified)').waitFor(LONG);
  await itemWithCard(page, 'Teams should work again').waitFor(WAIT);
  await shot(page, '6-resolved', 'Fixed (verified)');
  assert.match(await textOf(page, 'Fixed (verified)'), /passed just now/);

  // The case is closed on the computer too.
  await agent.waitFor(/The helpdesk closed the case/, 30_000);
  assert.equal(await agent.exited, 0);

  // The store agrees: resolved on the agent's measurements, the agent's secret stored hashed only.
  assert.ok(conversationId, 'the page opened a Direct Line stream');
  const session = await bot.store.sessions.findByConversation(conversationKey('webchat', conversationId));
  assert.equal(session?.state, 'resolved');
  assert.equal(session?.reportSource, 'agent');
  assert.equal(session?.pairing?.confirmed, true);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `the page must not scroll sideways at phone width (scrollWidth ${width})`);
  assert.deepEqual(problems, []);
  await page.close();
});
