/**
 * npm run bench:browser: the whole browser check of the /go page (issue 17), from the press of
 * "Check from this browser" to the page's "sent", in Debian's Chromium inside a lab namespace:
 * on the healthy lab (budget 5 s) and with every TCP and UDP packet to the lab's endpoints and
 * media ports dropped (budget 10 s). Beside it, in the same run and the same browser, the
 * baseline: a bare load of the /go page. Nothing leaves the namespace this bench makes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labCatalog, launchLabBrowser, runBrowserCheck, startLabBot } from '../test/agents/browser-lab.ts';
import { chatToPairingCard } from '../test/agents/chat-bot.ts';
import { openChat } from '../test/bot/conversation-driver.ts';
import { createLabNetns } from '../test/lab/netns.ts';
import { startScenario } from '../test/lab/scenario.ts';

const RUNS = 5;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (ms: number) => `${String(Math.round(ms)).padStart(6)} ms`;

const dir = mkdtempSync(join(tmpdir(), 'reconnect-bench-browser-'));
const ns = await createLabNetns();
try {
  for (const label of ['healthy lab', 'everything dropped'] as const) {
    const lab = await startScenario({ netns: ns });
    const catalog = labCatalog(lab, ns);
    const bot = await startLabBot(ns, join(dir, label.replace(/ /g, '-')), catalog);
    const browser = await launchLabBrowser(ns, dir, catalog, lab.pki);
    const rules: string[][] = [];
    if (label === 'everything dropped') {
      const tcp = catalog.endpoints.map((e) => e.port).join(',');
      const udp = catalog.media.flatMap((m) => m.ports).join(',');
      rules.push(['OUTPUT', '-p', 'tcp', '-m', 'multiport', '--dports', tcp, '-j', 'DROP']);
      rules.push(['OUTPUT', '-p', 'udp', '-m', 'multiport', '--dports', udp, '-j', 'DROP']);
      for (const rule of rules) await ns.iptables('-A', ...rule);
    }
    try {
      const page = await browser.newPage();
      const loads: number[] = [];
      const checks: Array<{ wallMs: number; pageMs: number; state: string }> = [];
      for (let i = 0; i < RUNS; i++) {
        const started = performance.now();
        await page.goto(`${bot.url}/go`, { waitUntil: 'load' });
        loads.push(performance.now() - started);
        // A case of its own per run: a case takes a few browser reports a window.
        const chat = await openChat(bot.url);
        const { code } = await chatToPairingCard(chat);
        checks.push(await runBrowserCheck(page, bot, code));
        chat.close();
      }
      const wall = checks.map((c) => c.wallMs);
      const budget = label === 'healthy lab' ? 5000 : 10_000;
      console.log(
        `${label.padEnd(20)} browser check median ${fmt(median(wall))}  max ${fmt(Math.max(...wall))}  (page's own: ${fmt(median(checks.map((c) => c.pageMs)))})  budget ${budget} ms  ${Math.max(...wall) < budget ? 'within' : 'OVER'}   states ${[...new Set(checks.map((c) => c.state))].join(',')}`,
      );
      console.log(
        `${''.padEnd(20)} baseline /go load   median ${fmt(median(loads))}  max ${fmt(Math.max(...loads))}   ratio check/load ${(median(wall) / median(loads)).toFixed(1)}x`,
      );
    } finally {
      for (const rule of rules) await ns.iptables('-D', ...rule).catch(() => {});
      await browser.close();
      await bot.close();
      await bot.store.close();
      await lab.close();
    }
  }
} finally {
  await ns.close();
  rmSync(dir, { recursive: true, force: true });
}
