/**
 * Issue 12, item 4: the agent reaches the bot through the proxy the computer uses for the bot's
 * URL. The agent runs in a network namespace of its own, where the bot's address (127.0.0.1:PORT)
 * is that namespace's own loopback: nothing listens there, and iptables rejects it as well, so
 * the direct path is truly refused. The only way out is the lab CONNECT proxy on the veth, which
 * wants Basic credentials (given in HTTP_PROXY, as users' tools take them) and dials the bot on
 * this side's loopback. The agent pairs, runs the check, and the findings show in the chat.
 *
 * A proxy that answers 407 asking only for NTLM or Negotiate is named in plain words, and the
 * agent falls back to its own check and the result code.
 */
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openChat } from '../bot/conversation-driver.ts';
import { createLabNetns } from '../lab/netns.ts';
import { startScenario } from '../lab/scenario.ts';
import { startAgent } from './agent-process.ts';
import { chatToPairingCard, FIRST_PROGRESS, proxyOnlyPath, startAgentBot } from './chat-bot.ts';
import { tempDir } from './harness.ts';

const tmp = tempDir('reconnect-proxy-pair-');
const cleanup: Array<() => unknown> = [];
after(async () => {
  for (const fn of cleanup.reverse()) await fn();
  tmp.remove();
});
const LONG = 90_000;
const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

test('pairs only through a CONNECT proxy that wants Basic credentials; the findings show in the chat', async () => {
  const ns = await createLabNetns();
  cleanup.push(() => ns.close());
  const lab = await startScenario({ netns: ns });
  cleanup.push(() => lab.close());
  const bot = await startAgentBot(join(tmp.dir, 'basic'), {
    agents: { heartbeatMs: 300, progressIntervalMs: 300 },
  });
  cleanup.push(() => bot.close());
  const botPort = Number(new URL(bot.url).port);
  // The direct path is refused twice over: nothing listens on the namespace's loopback there,
  // and the kernel rejects it before anything could.
  const { proxy, proxyUrl } = await proxyOnlyPath(ns, bot);
  cleanup.push(() => proxy.close());

  const chat = await openChat(bot.url);
  cleanup.push(() => chat.close());
  const { code, server } = await chatToPairingCard(chat);
  assert.equal(server, bot.url);

  const direct = await ns.run(process.execPath, [
    '-e',
    `require('net').connect(${botPort}, '127.0.0.1').on('error', (e) => { console.log(e.code); })`,
  ]);
  assert.equal(direct.stdout.trim(), 'ECONNREFUSED', 'from the namespace, the bot is not reachable directly');

  const agent = startAgent({
    code,
    server,
    netns: ns.name,
    env: {
      ...lab.env,
      PATH,
      RECONNECT_CATALOG: lab.catalogPath,
      HTTP_PROXY: proxyUrl,
    },
  });
  cleanup.push(() => agent.kill());
  await agent.waitFor(/Joined .+\./, LONG);
  await chat.card(/Is this your computer\?/, LONG);
  await chat.click('Yes, that is my computer');
  await chat.card(FIRST_PROGRESS, LONG);
  await chat.card(/Your network looks healthy for Teams\.|I found what is getting in the way\./, LONG);
  await agent.waitFor(/Sent to the chat\./, LONG);

  const tunnels = proxy.connects.filter((c) => c.target === `127.0.0.1:${botPort}`);
  assert.ok(tunnels.length > 0, 'the agent came through the proxy');
  assert.ok(
    tunnels.every((c) => c.authorized),
    'with the credentials from the proxy URL',
  );
  agent.kill();
});

/** A proxy that wants Windows sign-in and nothing else, as many corporate proxies do. */
async function ntlmOnlyProxy(): Promise<{ port: number; close(): Promise<void>; hits: number }> {
  const sockets = new Set<Socket>();
  const state = { hits: 0 };
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.once('data', () => {
      state.hits++;
      socket.end(
        'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: NTLM\r\nProxy-Authenticate: Negotiate\r\nContent-Length: 0\r\nConnection: close\r\n\r\n',
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    get hits() {
      return state.hits;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

test('a proxy that wants only NTLM or Negotiate: said in plain words, then the result code', async () => {
  const lab = await startScenario();
  cleanup.push(() => lab.close());
  const bot = await startAgentBot(join(tmp.dir, 'ntlm'));
  cleanup.push(() => bot.close());
  const proxy = await ntlmOnlyProxy();
  cleanup.push(() => proxy.close());
  const agent = startAgent({
    code: '7K3M9-QXT4H',
    server: bot.url,
    env: { ...lab.env, RECONNECT_CATALOG: lab.catalogPath, HTTP_PROXY: `http://127.0.0.1:${proxy.port}` },
  });
  cleanup.push(() => agent.kill());
  const said = await agent.waitFor(/wants Windows sign-in \((NTLM|Negotiate)\)[^\n]*/, LONG);
  assert.match(
    said[0],
    /which this agent cannot do; ask IT to let http:\/\/127\.0\.0\.1:\d+ through the proxy without sign-in/,
  );
  await agent.waitFor(
    /The helpdesk bot cannot be reached from here, so this computer checks the network on its own\./,
    LONG,
  );
  await agent.waitFor(/Result code: \S+\nType this code into the chat on your phone/, LONG);
  assert.ok(proxy.hits > 0, 'the agent asked the proxy, not the bot directly');
  agent.kill();
});
