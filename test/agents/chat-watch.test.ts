/**
 * Issue 15's watch from the chat, end to end: the assembled bot (startBot, SQLite, the agent
 * gateway) driven over Direct Line as the web chat page drives it, the real agent process paired
 * with the code read off the card, and a lab whose sign-in endpoint resets every third TLS
 * handshake (a fault that comes and goes). The user presses "Keep checking while I try to sign
 * in"; the live card watches (time left, rounds so far, Stop) and the findings card then shows
 * the intermittent finding with its figures. A second case presses Stop on a healthy lab: the
 * watch ends early and the card says what it saw.
 *
 * The bot's watch is shortened to the protocol's minimum (10 s); every wait is for text on a
 * card, never for time.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { RunningBot } from '../../bot/app.ts';
import { conversationKey, type Session } from '../../bot/core/types.ts';
import { MIN_WATCH_MS } from '../../probes/agent/protocol.ts';
import type { Catalog } from '../../probes/types.ts';
import { type Chat, cardOf, cardText, openChat, submitsOf } from '../bot/conversation-driver.ts';
import { type Scenario, type ScenarioSpec, startScenario } from '../lab/scenario.ts';
import { pairFromCard, startAgentBot } from './chat-bot.ts';
import { tempDir } from './harness.ts';

const data = tempDir('reconnect-chat-watch-');
const cleanup: Array<() => unknown> = [];
after(async () => {
  for (const fn of cleanup.reverse()) await fn();
  data.remove();
});

const KNOBS = { heartbeatMs: 300, heartbeatTimeoutMs: 3000, reconnectGraceMs: 1500, progressIntervalMs: 300 };
const LONG = 90_000;
const WATCH_BUTTON = 'Keep checking while I try to sign in';

async function lab(spec: ScenarioSpec): Promise<Scenario> {
  const scenario = await startScenario(spec);
  cleanup.push(() => scenario.close());
  return scenario;
}

async function bot(dir: string, watchMs: number): Promise<RunningBot> {
  const running = await startAgentBot(dir, { agents: KNOBS, watchMs });
  cleanup.push(() => running.close());
  return running;
}

/** Error, Linux, Home, the agent paired from the card and confirmed: the check runs. */
const pairAndCheck = (chat: Chat, scenario: Scenario) =>
  pairFromCard(chat, scenario, (agent) => cleanup.push(() => agent.kill()), LONG);

const sessionOf = (running: RunningBot, chat: Chat): Promise<Session | undefined> =>
  running.store.sessions.findByConversation(conversationKey('webchat', chat.conversationId));

/** The latest card that shows a button titled `title`. */
const cardWithButton = (chat: Chat, title: string, ms = LONG) =>
  chat.waitUntil(
    `a card with a "${title}" button`,
    (entries) => entries.findLast((e) => submitsOf(cardOf(e.activity)).some((b) => b.title === title)),
    ms,
  );

const buttons = (entry: { activity: Parameters<typeof cardOf>[0] }) =>
  submitsOf(cardOf(entry.activity)).map((s) => s.title);

test('sign-in resets every third handshake: the watch card runs, and the findings card shows it comes and goes', async () => {
  const scenario = await lab({ endpoints: { auth: { resetEvery: 3 } } });
  const running = await bot(join(data.dir, 'flaky'), MIN_WATCH_MS);
  const chat = await openChat(running.url);
  cleanup.push(() => chat.close());
  await pairAndCheck(chat, scenario);

  // The one-snapshot check is done: its findings card offers the watch, since an agent is paired.
  const findings = await cardWithButton(chat, WATCH_BUTTON);
  const before = await sessionOf(running, chat);
  assert.equal(before?.state, 'plan');
  assert.equal(before?.report?.watch, undefined, 'the first check was a single snapshot');
  const live = before?.cardActivityId;
  assert.equal(findings.activity.id, live);

  await chat.click(WATCH_BUTTON);
  // The live card watches: it says so, offers Stop, then counts the agent's rounds.
  const watching = await chat.card(/Watching your connection/);
  assert.equal(watching.activity.id, live, 'the findings card turned into the watching card in place');
  assert.deepEqual(buttons(watching), ['Stop']);
  const counting = await chat.card(/[1-9]\d* rounds? of checks so far/, LONG);
  assert.match(cardText(cardOf(counting.activity)), /About \d+ s left of 10 s/);
  // Some rounds fail while the watch runs, and the card counts them as they come.
  await chat.card(/[1-9]\d* rounds? of checks so far, [1-9]\d* with drop-outs/, LONG);
  const during = await sessionOf(running, chat);
  assert.equal(during?.watch?.durationMs, MIN_WATCH_MS);

  // The report: the findings card, in place, with the watch's figures in plain words.
  const result = await chat.card(/Watched the connection for/, LONG);
  assert.equal(result.activity.id, live);
  const text = cardText(cardOf(result.activity));
  const catalog = JSON.parse(await readFile(scenario.catalogPath, 'utf8')) as Catalog;
  const auth = catalog.endpoints.find((e) => e.purpose === 'auth');
  assert.ok(auth);
  assert.match(
    text,
    new RegExp(`login\\.lab\\.test:${auth.port} dropped out in \\d+ of \\d+ rounds \\(\\d+%\\)`),
  );
  assert.match(text, /comes and goes/, 'the network.intermittent finding is on the card');

  const done = await sessionOf(running, chat);
  assert.equal(done?.watch, undefined, 'the watch is over');
  const intermittent = done?.findings.find((f) => f.id === 'network.intermittent');
  assert.ok(intermittent, JSON.stringify(done?.findings.map((f) => f.id)));
  assert.deepEqual(intermittent.facts.hosts, [`login.lab.test:${auth.port}`]);
  const w = done?.report?.watch?.endpoints.find((e) => e.port === auth.port);
  // One handshake per round after the full check, every third reset: some rounds fail, most pass.
  assert.ok(w && w.failed > 0 && w.failed < w.rounds, JSON.stringify(w));
  assert.ok(w.rounds >= 3, `${w.rounds} rounds`);
  // The other endpoints never dropped out.
  for (const other of done?.report?.watch?.endpoints ?? [])
    if (other.port !== auth.port) assert.equal(other.failed, 0, JSON.stringify(other));
});

test('Stop on a healthy lab: the watch ends early and the card says no drop-outs', async () => {
  const scenario = await lab({});
  const watchMs = 5 * 60_000;
  const running = await bot(join(data.dir, 'stop'), watchMs);
  const chat = await openChat(running.url);
  cleanup.push(() => chat.close());
  await pairAndCheck(chat, scenario);
  const healthy = await cardWithButton(chat, WATCH_BUTTON);
  assert.match(cardText(cardOf(healthy.activity)), /looks healthy/);
  // CAA20004 has steps beyond the network (device registration): the fix first, then the watch.
  assert.deepEqual(buttons(healthy), ['Show me the fix', WATCH_BUTTON, 'Escalate']);

  await chat.click(WATCH_BUTTON);
  await chat.card(/[1-9]\d* rounds? of checks so far, no drop-outs/, LONG);
  await chat.click('Stop');
  const stopping = await chat.card(/Stopping the watch/);
  assert.deepEqual(buttons(stopping), [], 'no second Stop');

  const result = await chat.card(/Watched the connection for/, LONG);
  assert.match(cardText(cardOf(result.activity)), /no drop-outs in \d+ rounds of checks/);
  const done = await sessionOf(running, chat);
  assert.equal(done?.watch, undefined);
  assert.equal(done?.report?.verdict, 'healthy');
  // The agent ended its rounds on Stop: the window it reports is shorter than the one asked for.
  const summary = done?.report?.watch;
  assert.ok(summary && summary.durationMs < watchMs, JSON.stringify(summary));
  assert.ok(summary.rounds >= 2);
});
