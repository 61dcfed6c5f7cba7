/**
 * Issue 12, a double-click: the one-file agent copied under the name the /go download gives it,
 * run with no arguments (`node <that file>`), pairs by itself with the chat that showed the code,
 * says whose case it joined and what to do next, and the findings show in the chat. The same
 * file renamed to carry another chat's code pairs with that chat. A name whose code the bot does
 * not know ends in plain words and waits for Enter before the window may close.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { RunningBot } from '../../bot/app.ts';
import { AGENT_BUNDLE } from '../agent/agent-run.ts';
import { type Chat, openChat } from '../bot/conversation-driver.ts';
import { type Scenario, startScenario } from '../lab/scenario.ts';
import { type AgentProcess, startAgent } from './agent-process.ts';
import { writeAgentsFixture } from './agents-fixture.ts';
import { chatToPairingCard, FIRST_PROGRESS, startAgentBot } from './chat-bot.ts';
import { tempDir } from './harness.ts';

const tmp = tempDir('reconnect-launch-');
const cleanup: Array<() => unknown> = [];
after(async () => {
  for (const fn of cleanup.reverse()) await fn();
  tmp.remove();
});
const LONG = 90_000;

let lab: Scenario;
let bot: RunningBot;
async function setUp(): Promise<void> {
  if (bot) return;
  lab = await startScenario();
  cleanup.push(() => lab.close());
  mkdirSync(join(tmp.dir, 'agents'));
  const agents = await writeAgentsFixture(join(tmp.dir, 'agents'), { targets: ['linux-x64'] });
  bot = await startAgentBot(join(tmp.dir, 'data'), {
    agents: { heartbeatMs: 300, progressIntervalMs: 300, agentsDir: agents.dir },
  });
  cleanup.push(() => bot.close());
}

/** A chat up to its pairing card; the card's /go line and its code. */
async function chatToCode(): Promise<{ chat: Chat; code: string; card: string }> {
  const chat = await openChat(bot.url);
  cleanup.push(() => chat.close());
  const { card, code } = await chatToPairingCard(chat);
  return { chat, code, card };
}

/** The name /go gives the Linux download's program: the ZIP's name without `.zip`. */
async function downloadStem(code: string): Promise<string> {
  const res = await fetch(`${bot.url}/go/download/linux-x64?code=${code}`);
  assert.equal(res.status, 200);
  await res.arrayBuffer();
  const m = /filename="([^"]+)\.zip"/.exec(res.headers.get('content-disposition') ?? '');
  assert.ok(m, 'the download is named');
  return m[1];
}

/** The one-file agent under `name`, started as a double-click starts it: no arguments. */
function doubleClick(name: string): AgentProcess {
  const file = join(tmp.dir, name);
  copyFileSync(AGENT_BUNDLE, file);
  const agent = startAgent({
    code: '',
    server: '',
    entry: file,
    args: [],
    env: { ...lab.env, RECONNECT_CATALOG: lab.catalogPath },
  });
  cleanup.push(() => agent.kill());
  return agent;
}

async function pairedAndChecked(chat: Chat, agent: AgentProcess): Promise<void> {
  await chat.card(/Is this your computer\?/, LONG);
  await chat.click('Yes, that is my computer');
  await chat.card(FIRST_PROGRESS, LONG);
  await agent.waitFor(/Sent to the chat\.\nWhat to do next: look at the chat on your phone/, LONG);
}

test('the download name pairs with no arguments, and the same file renamed pairs with another chat', async () => {
  await setUp();
  const first = await chatToCode();
  const host = new URL(bot.url).host;
  assert.match(
    first.card.replace(/\*/g, ''),
    new RegExp(`open ${host.replace(/\./g, '\\.')}/go in a web browser and type the code ${first.code}`),
  );
  const stem = await downloadStem(first.code);
  assert.equal(stem, `Reconnect-${first.code}@${host.replace(':', '_')}`);

  // A browser that already had a file of that name adds " (1)": it still pairs.
  const agent = doubleClick(`${stem} (1)`);
  await agent.waitFor(
    new RegExp(`Pairing code ${first.code}, helpdesk bot ${bot.url.replace(/\./g, '\\.')}`),
  );
  await agent.waitFor(/Joined .+\./, LONG);
  await pairedAndChecked(first.chat, agent);
  // The findings card of this very chat.
  await first.chat.card(/Your network looks healthy for Teams\./, LONG);
  agent.kill();

  const second = await chatToCode();
  assert.notEqual(second.code, first.code);
  const renamed = doubleClick(`${stem.replace(first.code, second.code)}.js`);
  await renamed.waitFor(new RegExp(`Pairing code ${second.code}`));
  await pairedAndChecked(second.chat, renamed);
  renamed.kill();
});

test('a name whose code the bot does not know: plain words, then the window waits for Enter', async () => {
  await setUp();
  const host = new URL(bot.url).host.replace(':', '_');
  const agent = doubleClick(`Reconnect-7K3M9-QXT4H@${host}`);
  await agent.waitFor(/the helpdesk bot refused this computer/, LONG);
  await agent.waitFor(/What to do next: go back to the chat on your phone/);
  await agent.waitFor(/Press Enter to close this window\./);
  assert.equal(agent.child.exitCode, null, 'still open: the person has not pressed Enter');
  agent.type('');
  assert.equal(await agent.exited, 2);
});

test('a name with no code in it says how to get one, and waits for Enter', async () => {
  await setUp();
  const agent = doubleClick('reconnect-agent.js');
  await agent.waitFor(/Its file name should carry your pairing code, but this one does not\./);
  await agent.waitFor(/Press Enter to close this window\./);
  assert.equal(agent.child.exitCode, null);
  agent.type('');
  assert.equal(await agent.exited, 2);
});
