/**
 * Issue 12 with the real linux-x64 executable and no Node anywhere on its PATH:
 * - downloaded from /go (a ZIP whose one entry carries the code and the bot in its name, with the
 *   run bit), unpacked and started with no arguments, it pairs with the chat that showed the
 *   code, and the same file renamed to another chat's code pairs with that chat;
 * - inside a network namespace where the bot's address is refused, it pairs only through a lab
 *   CONNECT proxy that wants Basic credentials, runs the check, and the findings show in the chat.
 */
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { unzipSync } from 'fflate';
import type { RunningBot } from '../../bot/app.ts';
import { type AgentProcess, startAgent } from '../agents/agent-process.ts';
import { chatToPairingCard, FIRST_PROGRESS, proxyOnlyPath, startAgentBot } from '../agents/chat-bot.ts';
import { tempDir } from '../agents/harness.ts';
import { type Chat, openChat } from '../bot/conversation-driver.ts';
import { createLabNetns } from '../lab/netns.ts';
import { type Scenario, startScenario } from '../lab/scenario.ts';
import { BUILD_TIMEOUT_MS, buildForTest, pathWithoutNode, type TestBuild } from './build.ts';

const LONG = 90_000;
const tmp = tempDir('reconnect-exe-pair-');
const cleanup: Array<() => unknown> = [];
let build: TestBuild;
let noNode: { dir: string; close: () => Promise<void> };

before(
  async () => {
    // With its .gz: the /go page frames the Linux download's ZIP from it.
    build = await buildForTest(['linux-x64'], { compress: true });
    noNode = await pathWithoutNode();
  },
  { timeout: BUILD_TIMEOUT_MS },
);
after(async () => {
  for (const fn of cleanup.reverse()) await fn();
  await build?.close();
  await noNode?.close();
  tmp.remove();
});

async function pairedAndChecked(chat: Chat, agent: AgentProcess): Promise<void> {
  await agent.waitFor(/Joined .+\./, LONG);
  await chat.card(/Is this your computer\?/, LONG);
  await chat.click('Yes, that is my computer');
  await chat.card(FIRST_PROGRESS, LONG);
  await chat.card(/Your network looks healthy for Teams\.|I found what is getting in the way\./, LONG);
  await agent.waitFor(/Sent to the chat\./, LONG);
}

describe('the linux-x64 executable pairs as a person runs it', { timeout: 10 * 60_000 }, () => {
  let lab: Scenario;
  let bot: RunningBot;
  before(async () => {
    lab = await startScenario();
    cleanup.push(() => lab.close());
    bot = await startAgentBot(join(tmp.dir, 'data'), {
      agents: { heartbeatMs: 300, progressIntervalMs: 300, agentsDir: build.dir },
    });
    cleanup.push(() => bot.close());
  });

  test('downloaded from /go, unpacked and double-clicked: it pairs; renamed to another code, it pairs with that chat', async () => {
    const first = await openChat(bot.url);
    cleanup.push(() => first.close());
    const { code } = await chatToPairingCard(first);
    const res = await fetch(`${bot.url}/go/download/linux-x64?code=${code}`);
    assert.equal(res.status, 200);
    const [[name, bytes], ...more] = Object.entries(unzipSync(new Uint8Array(await res.arrayBuffer())));
    assert.equal(more.length, 0, 'one file in the ZIP');
    assert.equal(name, `Reconnect-${code}@127.0.0.1_${new URL(bot.url).port}`);
    const dir = join(tmp.dir, 'Downloads');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, name);
    writeFileSync(file, bytes);
    // What Archive Utility or unzip does with the entry's mode (the ZIP test checks 0755 itself).
    chmodSync(file, 0o755);
    assert.equal(
      statSync(file).size,
      build.manifest.targets['linux-x64']?.size,
      'the built executable, whole',
    );

    const env = { ...lab.env, PATH: noNode.dir, RECONNECT_CATALOG: lab.catalogPath };
    const agent = startAgent({ code: '', server: '', executable: file, args: [], env });
    cleanup.push(() => agent.kill());
    await agent.waitFor(new RegExp(`Pairing code ${code}, helpdesk bot ${bot.url.replace(/\./g, '\\.')}`));
    await pairedAndChecked(first, agent);
    agent.kill();

    const second = await openChat(bot.url);
    cleanup.push(() => second.close());
    const other = (await chatToPairingCard(second)).code;
    const renamed = join(dir, `${name.replace(code, other)} (1)`);
    copyFileSync(file, renamed);
    chmodSync(renamed, 0o755);
    const again = startAgent({ code: '', server: '', executable: renamed, args: [], env });
    cleanup.push(() => again.kill());
    await again.waitFor(new RegExp(`Pairing code ${other}`));
    await pairedAndChecked(second, again);
    again.kill();
  });

  test('through a CONNECT proxy that wants Basic credentials, with the direct path refused', async () => {
    const ns = await createLabNetns();
    cleanup.push(() => ns.close());
    const nsLab = await startScenario({ netns: ns });
    cleanup.push(() => nsLab.close());
    const botPort = Number(new URL(bot.url).port);
    const { proxy, proxyUrl } = await proxyOnlyPath(ns, bot);
    cleanup.push(() => proxy.close());

    const chat = await openChat(bot.url);
    cleanup.push(() => chat.close());
    const { code, server } = await chatToPairingCard(chat);
    const agent = startAgent({
      code,
      server,
      netns: ns.name,
      executable: build.path('linux-x64'),
      env: {
        ...nsLab.env,
        PATH: noNode.dir,
        RECONNECT_CATALOG: nsLab.catalogPath,
        HTTP_PROXY: proxyUrl,
      },
    });
    cleanup.push(() => agent.kill());
    await pairedAndChecked(chat, agent);
    const tunnels = proxy.connects.filter((c) => c.target === `127.0.0.1:${botPort}`);
    assert.ok(tunnels.length > 0, 'the executable came through the proxy');
    assert.ok(
      tunnels.every((c) => c.authorized),
      'with the credentials from the proxy URL',
    );
    agent.kill();
  });
});
