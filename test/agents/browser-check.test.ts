/**
 * Issue 17 end to end: the chat on the phone (Direct Line, as the web chat page speaks it) gets
 * to the pairing card; on the "computer", Debian's Chromium runs inside a lab namespace, opens
 * /go, takes the code and presses "Check from this browser". The page probes the lab catalog's
 * endpoints (fetch no-cors), its WebSocket, ICE against its media host, and its clock against
 * the bot's; the bot diagnoses the report, and the phone's chat shows the findings marked as seen
 * from the browser, with what a browser cannot see. One lab per fault, described by what the
 * network does: healthy; the sign-in endpoint refusing connections; an inspecting proxy that
 * refuses WebSocket upgrades; UDP to the media ports dropped in the namespace; the page's clock
 * ten minutes ahead. Screenshots of the /go page at 390x844 and 1280x800 go to test-results/.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { RunningBot } from '../../bot/app.ts';
import type { Session } from '../../bot/core/types.ts';
import { openChat } from '../bot/conversation-driver.ts';
import { NO_CHROMIUM, RESULTS } from '../bot/phone-page.ts';
import { createLabNetns, type LabNetns } from '../lab/netns.ts';
import { type ScenarioSpec, startScenario } from '../lab/scenario.ts';
import {
  type LabBrowserOptions,
  labCatalog,
  launchLabBrowser,
  runBrowserCheck,
  startLabBot,
} from './browser-lab.ts';
import { chatToPairingCard } from './chat-bot.ts';
import { tempDir } from './harness.ts';

const tmp = tempDir('reconnect-browser-check-');
let ns: LabNetns;

before(async () => {
  if (!NO_CHROMIUM) ns = await createLabNetns();
});
after(async () => {
  await ns?.close();
  tmp.remove();
});

interface Outcome {
  /** The chat's message about the browser check. */
  text: string;
  session: Session;
}

/** One fault: its lab, its bot, the chat to the pairing card, the browser check; what the phone shows. */
async function check(
  name: string,
  spec: ScenarioSpec,
  options: {
    browser?: Omit<LabBrowserOptions, 'proxy'>;
    proxied?: boolean;
    before?: (ports: number[]) => Promise<() => Promise<void>>;
  } = {},
): Promise<Outcome> {
  const dir = join(tmp.dir, name);
  mkdirSync(dir, { recursive: true });
  const lab = await startScenario({ ...spec, netns: ns });
  const catalog = labCatalog(lab, ns);
  let bot: RunningBot | undefined;
  let undo: (() => Promise<void>) | undefined;
  const browser = await launchLabBrowser(ns, dir, catalog, lab.pki, {
    ...options.browser,
    ...(options.proxied ? { proxy: lab.env.HTTPS_PROXY } : {}),
  });
  try {
    bot = await startLabBot(ns, dir, catalog);
    undo = await options.before?.(catalog.media.flatMap((m) => m.ports));
    const chat = await openChat(bot.url);
    const { code } = await chatToPairingCard(chat);
    const page = await browser.newPage();
    // Everything the page asks for beyond the bot: only the catalog's origins, with nothing in the path.
    const asked: string[] = [];
    page.on('request', (r) => asked.push(r.url()));
    page.on('websocket', (ws) => asked.push(ws.url()));
    assert.equal(
      (await runBrowserCheck(page, bot, code)).state,
      'sent',
      (await page.textContent('#browser-status')) ?? '',
    );
    mkdirSync(RESULTS, { recursive: true });
    await page.screenshot({ path: join(RESULTS, `browser-check-${name}-1280x800.png`), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: join(RESULTS, `browser-check-${name}-390x844.png`), fullPage: true });
    const allowed = new Set(
      catalog.endpoints.flatMap((e) => [
        `https://${e.host}:${e.port}/`,
        ...(e.purpose === 'websocket' ? [`wss://${e.host}:${e.port}${e.path ?? '/'}`] : []),
      ]),
    );
    const botUrl = bot.url;
    const beyond = asked.filter((u) => !u.startsWith(`${botUrl}/`));
    assert.ok(beyond.length > 0, 'the page probed something');
    assert.deepEqual(
      beyond.filter((u) => !allowed.has(u)),
      [],
      'only catalog origins, no data in the URL',
    );
    const said = await chat.text(/Seen from the browser/);
    chat.close();
    const key = `webchat:${chat.conversationId}`;
    const session = (await bot.store.sessions.findByConversation(key))!;
    return { text: said.activity.text ?? '', session };
  } finally {
    await undo?.();
    await browser.close();
    await bot?.close();
    await bot?.store.close();
    await lab.close();
  }
}

const problems = (s: Session) =>
  (s.browser?.report.findings ?? []).filter((f) => f.severity !== 'info').map((f) => f.id);
const CANNOT_SEE = /cannot see certificate chains, DNS answers or proxy settings/;

test('healthy lab: every probe passes, the phone hears that everything a browser can check works', {
  skip: NO_CHROMIUM,
}, async () => {
  const { text, session } = await check('healthy', {});
  const report = session.browser!.report;
  assert.equal(report.source, 'browser');
  assert.deepEqual(
    report.probes.filter((p) => p.status !== 'pass').map((p) => `${p.id} ${p.failure?.detail}`),
    [],
  );
  assert.deepEqual([...new Set(report.probes.map((p) => p.kind))].sort(), [
    'browser-clock',
    'browser-env',
    'browser-fetch',
    'browser-ice',
    'browser-websocket',
  ]);
  assert.equal(report.verdict, 'healthy');
  assert.match(
    text,
    /Everything a browser can check works: 3 Microsoft addresses answer, the live connection \(WebSocket\) opens, call media gets through \(UDP\), the clock is right/,
  );
  assert.match(text, CANNOT_SEE);
  assert.match(text, /run the Reconnect agent/);
  assert.equal(session.state, 'pairing', 'the pairing card stays, so the agent can still pair');
});

test('the sign-in endpoint refuses connections: the phone names it, seen from the browser', {
  skip: NO_CHROMIUM,
}, async () => {
  const { text, session } = await check('signin-refused', { endpoints: { auth: { server: 'closed' } } });
  assert.deepEqual(problems(session), ['endpoint.failed']);
  assert.deepEqual(session.browser!.report.findings[0].facts.hosts, ['login.lab.test']);
  assert.match(text, /the browser could not reach login\.lab\.test \(the connection failed at once\)/);
  assert.doesNotMatch(text, /teams\.lab\.test/, 'the endpoints that answer are not blamed');
  assert.match(text, CANNOT_SEE);
});

test('an inspecting proxy refuses the WebSocket upgrade: proxy.websocket_blocked from the browser', {
  skip: NO_CHROMIUM,
}, async () => {
  const { text, session } = await check(
    'websocket-refused',
    { proxy: 'inspect-refuse-ws', trustInspection: true },
    { proxied: true },
  );
  assert.deepEqual(problems(session), ['proxy.websocket_blocked']);
  const ws = session.browser!.report.probes.find((p) => p.kind === 'browser-websocket')!;
  assert.equal(ws.failure?.code, 'upgrade_refused');
  assert.match(text, /live connection \(WebSocket\) that Teams needs is refused on the way/);
});

test('UDP to the media ports dropped in the namespace: no server-reflexive candidate, media.udp_blocked', {
  skip: NO_CHROMIUM,
}, async () => {
  const { text, session } = await check(
    'udp-dropped',
    {},
    {
      before: async (ports) => {
        const rule = ['OUTPUT', '-p', 'udp', '-m', 'multiport', '--dports', ports.join(','), '-j', 'DROP'];
        await ns.iptables('-A', ...rule);
        return () => ns.iptables('-D', ...rule);
      },
    },
  );
  assert.deepEqual(problems(session), ['media.udp_blocked']);
  const ice = session.browser!.report.probes.find((p) => p.kind === 'browser-ice')!;
  assert.equal(ice.status, 'fail');
  assert.equal(ice.detail.srflx, 0);
  assert.match(text, /Calls and meetings may suffer.*no answer on UDP ports/s);
});

test('the page clock ten minutes ahead of the bot: clock.skew, blocking, from the round trip', {
  skip: NO_CHROMIUM,
}, async () => {
  const { text, session } = await check('clock-ahead', {}, { browser: { clockOffsetMs: 10 * 60_000 } });
  assert.deepEqual(problems(session), ['clock.skew']);
  const skew = session.browser!.report.findings[0];
  assert.equal(skew.severity, 'blocking');
  const offset = skew.facts.offsetSeconds as number;
  assert.ok(offset < -590 && offset > -610, `offset ${offset} s`);
  assert.match(text, /clock is ahead by about 10 minutes/);
});
