/**
 * The web chat browser tests' common setup: the page built into a temporary directory, the
 * assembled core bot (SQLite, no agent gateway: the manual path, as a deployment without one runs)
 * and one phone-sized Chromium, started before the file's tests and closed after them.
 */
import { join } from 'node:path';
import { after, before } from 'node:test';
import type { BrowserContext } from 'playwright-core';
import type { RunningBot } from '../../bot/app.ts';
import { buildWeb } from '../../scripts/build-web.ts';
import { startCoreBot } from './conversation-driver.ts';
import { tempDataDir } from './directline-client.ts';
import { launchPhone, NO_CHROMIUM } from './phone-page.ts';

/** What the tests use; `bot` and `context` are set once the `before` hook has run. */
export interface PhoneLab {
  readonly dir: string;
  bot: RunningBot;
  context: BrowserContext;
}

/** Registers the before/after hooks; a file's own hooks registered later run after these. */
export function phoneLab(): PhoneLab {
  const data = tempDataDir();
  const lab = { dir: data.dir } as PhoneLab;
  before(async () => {
    if (NO_CHROMIUM) return;
    const webRoot = join(data.dir, 'web');
    await buildWeb(webRoot);
    lab.bot = await startCoreBot(join(data.dir, 'state'), { webRoot, agents: false });
    lab.context = await launchPhone(join(data.dir, 'chromium-profile'));
  });
  after(async () => {
    await lab.context?.close();
    await lab.bot?.close();
    data.remove();
  });
  return lab;
}
