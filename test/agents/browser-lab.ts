/**
 * The browser check's lab (issue 17), shared by its test and its bench: the bot and a lab
 * scenario (test/lab/scenario.ts) on a lab namespace's veth, and Debian's Chromium run INSIDE
 * that namespace (no default route: nothing it sends can leave the machine; WebRTC's packets
 * included), with the catalog's names mapped to the lab's address by --host-resolver-rules
 * (every other name fails) and only the lab's keys allowed past certificate errors.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { type RunningBot, startBot } from '../../bot/app.ts';
import { loadBotConfig } from '../../bot/config.ts';
import { silentLogger } from '../../bot/log.ts';
import { loadCatalogFile } from '../../probes/catalog/index.ts';
import { spkiSha256FromPem } from '../../probes/certs/spki.ts';
import type { Catalog } from '../../probes/types.ts';
import { CHROMIUM, CHROMIUM_FLAGS, WAIT } from '../bot/phone-page.ts';
import type { LabNetns } from '../lab/netns.ts';
import type { LabPki } from '../lab/pki.ts';
import type { Scenario } from '../lab/scenario.ts';
import { writeAgentsFixture } from './agents-fixture.ts';
import { freePort } from './chat-bot.ts';

/** The bot on the namespace's veth (so the browser inside reaches it), probing `catalog` from the page. */
export async function startLabBot(ns: LabNetns, dir: string, catalog: Catalog): Promise<RunningBot> {
  const port = await freePort();
  mkdirSync(join(dir, 'agents'), { recursive: true });
  const fixture = await writeAgentsFixture(join(dir, 'agents'), { targets: ['linux-x64'] });
  const config = loadBotConfig({
    PORT: String(port),
    HOST: ns.hostAddress,
    DATA_DIR: join(dir, 'data'),
    NODE_ENV: 'test',
  });
  return startBot({
    config,
    log: silentLogger,
    teams: false,
    agents: { agentsDir: fixture.dir },
    browserCatalogs: { [catalog.cloud]: catalog },
  });
}

/**
 * The scenario's catalog, its media relay named by address: Chromium's WebRTC resolves STUN
 * names itself, past --host-resolver-rules (seen: stun:relay.lab.test never resolves in the
 * namespace, while the address answers), so a lab name would read as "UDP blocked".
 */
export function labCatalog(lab: Scenario, ns: LabNetns): Catalog {
  const catalog = loadCatalogFile(lab.catalogPath);
  return { ...catalog, media: catalog.media.map((m) => ({ ...m, host: ns.hostAddress })) };
}

/** Base64 SHA-256 SPKI hashes of the lab's keys only: the Microsoft issuing CA and the key every lab leaf shares. */
export function labSpkiList(pki: LabPki): string {
  const leaf = pki.issueLeaf({ issuer: 'microsoft', hosts: ['spki.lab.test'] });
  return [pki.microsoftIntermediate.certPem, leaf.certPem]
    .map((pem) => Buffer.from(spkiSha256FromPem(pem), 'hex').toString('base64'))
    .join(',');
}

export interface LabBrowserOptions {
  /** The lab proxy's URL (scenario env HTTPS_PROXY): the browser's fixed proxy, the bot bypassed. */
  proxy?: string;
  /** The page's clock is off by this many ms (Date replaced before any page script runs). */
  clockOffsetMs?: number;
  viewport?: { width: number; height: number };
}

/** Chromium inside `ns`, with the catalog's names resolving to the lab and nothing else resolving. */
export async function launchLabBrowser(
  ns: LabNetns,
  dir: string,
  catalog: Catalog,
  pki: LabPki,
  options: LabBrowserOptions = {},
): Promise<BrowserContext> {
  const wrapper = join(dir, 'chromium-in-netns');
  // Playwright talks to the browser over inherited pipes, which `ip netns exec` keeps.
  writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${ns.name} ${CHROMIUM} "$@"\n`);
  chmodSync(wrapper, 0o755);
  const names = [...new Set([...catalog.endpoints.map((e) => e.host), ...catalog.media.map((m) => m.host)])];
  // The bot and the proxy are addresses, kept from the catch-all; every other name fails.
  const rules = [
    ...names.map((n) => `MAP ${n} ${ns.hostAddress}`),
    'MAP * ~NOTFOUND',
    `EXCLUDE ${ns.hostAddress}`,
  ].join(', ');
  const context = await chromium.launchPersistentContext(join(dir, `profile-${Date.now()}`), {
    executablePath: wrapper,
    viewport: options.viewport ?? { width: 1280, height: 800 },
    args: [
      ...CHROMIUM_FLAGS,
      '--disable-quic',
      `--host-resolver-rules=${rules}`,
      `--ignore-certificate-errors-spki-list=${labSpkiList(pki)}`,
      ...(options.proxy
        ? [`--proxy-server=${options.proxy}`, `--proxy-bypass-list=${ns.hostAddress}`]
        : ['--no-proxy-server']),
    ],
  });
  if (options.clockOffsetMs) await context.addInitScript(shiftClock, options.clockOffsetMs);
  return context;
}

/** Runs in the page before its scripts: Date (now, and new Date()) shifted by `offset` ms. */
function shiftClock(offset: number): void {
  const Real = Date;
  class Shifted extends Real {
    constructor(...args: unknown[]) {
      if (args.length === 0) super(Real.now() + offset);
      else super(...(args as [number]));
    }
    static now(): number {
      return Real.now() + offset;
    }
  }
  globalThis.Date = Shifted as DateConstructor;
}

/** What one press of "Check from this browser" came to. */
export interface CheckRun {
  /** 'sent' once the report is in the chat, 'failed' otherwise. */
  state: string;
  /** From the press to the page's answer, as the test saw it, and as the page measured it. */
  wallMs: number;
  pageMs: number;
}

/** /go on `bot`, the code typed, the browser check pressed; resolves once the page says it sent (or failed). */
export async function runBrowserCheck(page: Page, bot: RunningBot, code: string): Promise<CheckRun> {
  await page.goto(`${bot.url}/go`);
  await page.fill('#code', code);
  await page.click('#check');
  await page.waitForFunction(() => document.querySelector('#message')?.className !== '', undefined, WAIT);
  if (await page.locator('#browser-check').isHidden())
    throw new Error(`the code was not taken: ${await page.textContent('#message')}`);
  const started = performance.now();
  await page.click('#browser-run');
  await page.waitForFunction(
    () =>
      ['sent', 'failed'].includes(document.querySelector('#browser-check')?.getAttribute('data-state') ?? ''),
    undefined,
    WAIT,
  );
  const wallMs = performance.now() - started;
  const state = (await page.getAttribute('#browser-check', 'data-state')) ?? '';
  const pageMs = Number(await page.getAttribute('#browser-check', 'data-ms'));
  return { state, wallMs, pageMs };
}
