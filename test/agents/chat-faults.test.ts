/**
 * Issue 6's fault tests at the level the user sees them: the assembled bot (startBot, SQLite,
 * the agent gateway) driven over Direct Line as the web chat page drives it, and the real agent
 * process pairing with the code read off the pairing card. The lab's STUN responders stay
 * silent, so a check runs for seconds on the media probes' deadlines: long enough to kill the
 * agent, or restart the bot, while it runs (every wait is for text, never for time).
 *
 * - The agent killed mid-check: the chat says the agent stopped, the live card goes back to the
 *   pairing card with "Get a new code" and "Continue manually" (the dead agent cannot come back:
 *   its secret lived in its memory), nothing reads as a result, and a new code is a new card.
 * - The bot restarted while the agent runs a check: the agent reconnects to the new process,
 *   its result arrives once, and the user sees one findings card.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { RunningBot } from '../../bot/app.ts';
import { conversationKey, type Session } from '../../bot/core/types.ts';
import { type Chat, cardOf, cardText, openChat, submitsOf } from '../bot/conversation-driver.ts';
import { type Scenario, startScenario } from '../lab/scenario.ts';
import type { AgentProcess } from './agent-process.ts';
import { FIRST_PROGRESS, pairFromCard as pairAndConfirm, pairingCodeIn, startAgentBot } from './chat-bot.ts';
import { tempDir } from './harness.ts';

const data = tempDir('reconnect-chat-faults-');
const cleanup: Array<() => unknown> = [];
after(async () => {
  for (const fn of cleanup.reverse()) await fn();
  data.remove();
});

/** Quick gateway timings, so a dead agent is noticed within a second or two. */
const KNOBS = { heartbeatMs: 300, heartbeatTimeoutMs: 3000, reconnectGraceMs: 1500, progressIntervalMs: 300 };
const LONG = 90_000;

async function lab(): Promise<Scenario> {
  const scenario = await startScenario({
    endpoints: { auth: { cert: 'inspection' } },
    trustInspection: true,
    stun: 'silence',
  });
  cleanup.push(() => scenario.close());
  return scenario;
}

async function bot(dir: string, port?: number): Promise<RunningBot> {
  const running = await startAgentBot(dir, { agents: KNOBS, ...(port ? { port } : {}) });
  cleanup.push(() => running.close());
  return running;
}

/** Paired and confirmed; the check runs: the agent's own progress is on the card. */
async function pairFromCard(chat: Chat, scenario: Scenario): Promise<AgentProcess> {
  const agent = await pairAndConfirm(chat, scenario, (a) => cleanup.push(() => a.kill()), LONG);
  await chat.card(FIRST_PROGRESS, LONG);
  return agent;
}

const sessionOf = (running: RunningBot, chat: Chat): Promise<Session | undefined> =>
  running.store.sessions.findByConversation(conversationKey('webchat', chat.conversationId));

test('the agent killed mid-check: the chat says so, and the card offers a new code or the manual path', async () => {
  const scenario = await lab();
  const running = await bot(join(data.dir, 'killed'));
  const chat = await openChat(running.url);
  cleanup.push(() => chat.close());
  const agent = await pairFromCard(chat, scenario);
  const paired = await sessionOf(running, chat);
  const live = paired?.cardActivityId;
  const oldCode = paired?.pairing?.code;
  assert.ok(oldCode, 'the session holds the code the agent paired with');

  agent.kill('SIGKILL');
  const told = await chat.text(/stopped/, LONG);
  assert.equal(
    told.activity.text,
    'The agent on the computer stopped (closed, killed or offline) while the job ran. ' +
      'Press "Get a new code" and start the agent again on the computer, or type "manual" to go on without the agent.',
  );
  // The same live card, back to pairing: a new code or the manual path, no retry of the dead agent.
  const card = await chat.card(/this code is used up/);
  assert.equal(card.activity.id, live, 'the progress card turned back into the pairing card in place');
  assert.deepEqual(
    submitsOf(cardOf(card.activity)).map((s) => s.title),
    ['Get a new code', 'Continue manually'],
  );
  const session = await sessionOf(running, chat);
  assert.equal(session?.state, 'pairing');
  assert.equal(session?.pairing?.device, undefined, 'the dead agent is forgotten');
  assert.equal(session?.pairing?.lost, true);
  assert.equal(session?.report, undefined, 'no result was made up');
  assert.equal(
    chat.transcript().filter((e) => /tls\.inspection/.test(cardText(cardOf(e.activity) ?? {}))).length,
    0,
    'no findings card',
  );

  // "Get a new code": the gateway issues a fresh code, and the card shows it with its commands.
  await chat.click('Get a new code');
  const renewed = await chat.card(/Code expires at/);
  assert.equal(renewed.activity.id, live, 'the new code replaced the lost card in place');
  const { code: newCode } = pairingCodeIn(cardText(cardOf(renewed.activity)));
  assert.notEqual(newCode, oldCode, 'a different code');
  assert.deepEqual(
    submitsOf(cardOf(renewed.activity)).map((s) => s.title),
    ['No computer access? Continue manually'],
  );
  const again = await sessionOf(running, chat);
  assert.equal(again?.pairing?.lost, undefined);
  assert.equal(again?.pairing?.code, newCode);
});

test('the bot restarted while the agent checks: the agent reconnects, and the user sees one result', async () => {
  const scenario = await lab();
  const dir = join(data.dir, 'restart');
  const first = await bot(dir);
  const port = new URL(first.url).port;
  const chat = await openChat(first.url);
  const agent = await pairFromCard(chat, scenario);
  const before = await sessionOf(first, chat);
  assert.equal(before?.state, 'probing', 'the check is still running when the bot goes down');
  const live = before?.cardActivityId;
  chat.close();

  await first.close();
  const restartedAt = Date.now();
  await agent.waitFor(/Lost the connection to the helpdesk bot/, LONG);
  const second = await bot(dir, Number(port));
  const resumed = await openChat(second.url, { conversationId: chat.conversationId, token: chat.token });
  cleanup.push(() => resumed.close());

  const findings = await resumed.card(/re-signs the secure connection/, LONG);
  assert.equal(findings.activity.id, live, 'the result replaced the progress card, in place');
  assert.match(cardText(cardOf(findings.activity)), /Lab Zscaler Root CA/);
  // One more turn through the new process: anything still in flight has landed by its answer.
  await resumed.click('Show me the fix');
  await resumed.card(/To do/);

  const withFindings = resumed
    .transcript()
    .filter((e) => /I found what is getting in the way/.test(cardText(cardOf(e.activity) ?? {})));
  assert.equal(withFindings.length, 0, 'the findings card became the step card; no second findings card');
  const session = await sessionOf(second, resumed);
  const results = (await second.store.audit.list(session!.id)).filter((e) => e.kind === 'agent_job_result');
  assert.equal(results.length, 1, 'one result for the one check');
  assert.ok(results[0].at >= restartedAt, 'the result came in through the restarted bot');
  const reports = session!.timeline.filter((t) => t.text === 'Report from the agent');
  assert.equal(reports.length, 1, 'the session took one report');
  assert.equal(session!.state, 'step');
  assert.equal(agent.child.exitCode, null, 'the agent is still connected for re-checks');
});
