/**
 * npm run bench:gateway (DESIGN.md, Performance budgets: "thousands of idle paired agents per
 * replica; memory per agent measured"):
 *
 * 1. Memory per idle paired agent at 1,000 and 10,000 WebSocket connections on one server. A
 *    fresh bot process per size (bench/gateway-serve.ts: startBot with SQLite and the gateway)
 *    seeds N chats at the pairing card with real codes; a second process (bench/gateway-
 *    clients.ts) opens N connections that speak the real protocol: hello with the code, then
 *    idle, answering pings. The figure is the server's RSS after full GCs with the agents
 *    paired minus before they connected, over N (heap + external beside it). Budget < 32 KB.
 * 2. The time from "agent started with a code" to "first progress on the card": the assembled
 *    bot in this process, a chat over Direct Line that reaches the pairing card, the shipped
 *    one-file agent (dist/reconnect-agent.js) started with the card's code against a lab, "Yes,
 *    that is my computer" pressed as soon as the device card shows, and the first progress card
 *    on the chat's stream. Median of RUNS.
 *
 * Everything is on loopback (clients from 127.0.0.1–4). Each child raises its open-file limit
 * (the hard one too where it may: root); 10,000 connections need about 10,100 descriptors in
 * each process. `--sizes 1000,5000,10000` picks other sizes.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildAgent } from '../scripts/build.ts';
import { AGENT_BUNDLE } from '../test/agent/agent-run.ts';
import { agentForCard, FIRST_PROGRESS, pairingCodeIn, startAgentBot } from '../test/agents/chat-bot.ts';
import { cardOf, cardText, openChat } from '../test/bot/conversation-driver.ts';
import { startScenario } from '../test/lab/scenario.ts';
import type { ClientsReply, ClientsRequest } from './gateway-clients.ts';
import type { ServeReply, ServeRequest } from './gateway-serve.ts';

const SIZES = (
  parseArgs({ options: { sizes: { type: 'string', default: '1000,10000' } } }).values.sizes ?? ''
)
  .split(',')
  .map(Number);
const BUDGET_BYTES = 32 * 1024;
const RUNS = 5;
const STEP_MS = 600_000;

/** `node ARGS` forked with IPC, its soft open-file limit raised to the hard one first. */
function fork(args: string[]): ChildProcess {
  const script =
    '[ "$(ulimit -Hn)" = unlimited ] || [ "$(ulimit -Hn)" -ge 65536 ] || ulimit -Hn 65536 2>/dev/null; ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@"';
  return spawn('sh', ['-c', script, 'sh', process.execPath, ...args], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

/** Sends `request` (if any) and resolves with the child's next message of `kind`. */
function ask<R extends { kind: string }>(
  child: ChildProcess,
  kind: R['kind'],
  request?: ServeRequest | ClientsRequest,
): Promise<R> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`no "${kind}" within ${STEP_MS} ms`)), STEP_MS);
    const onMessage = (message: R) => {
      if (message.kind === 'error') done(new Error((message as unknown as { message: string }).message));
      else if (message.kind === kind) done(undefined, message);
    };
    const onExit = (code: number | null) => done(new Error(`the child exited (${code}) before "${kind}"`));
    const done = (error?: Error, message?: R) => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve(message!);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
    if (request) child.send(request);
  });
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

async function memoryAt(n: number): Promise<boolean> {
  const dir = mkdtempSync(join(tmpdir(), 'reconnect-bench-gateway-'));
  const server = fork(['--expose-gc', join(import.meta.dirname, 'gateway-serve.ts'), dir]);
  let clients: ChildProcess | undefined;
  try {
    const { url } = await ask<Extract<ServeReply, { kind: 'ready' }>>(server, 'ready');
    const { codes } = await ask<Extract<ServeReply, { kind: 'seeded' }>>(server, 'seeded', {
      cmd: 'seed',
      n,
    });
    const before = await ask<Extract<ServeReply, { kind: 'memory' }>>(server, 'memory', { cmd: 'measure' });
    clients = fork([join(import.meta.dirname, 'gateway-clients.ts')]);
    const connected = await ask<Extract<ClientsReply, { kind: 'connected' }>>(clients, 'connected', {
      cmd: 'connect',
      url,
      codes,
    });
    if (connected.ok !== n)
      throw new Error(`${n - connected.ok} of ${n} agents did not pair: ${connected.failed.join('; ')}`);
    const settled = await ask<Extract<ServeReply, { kind: 'settled' }>>(server, 'settled', { cmd: 'settle' });
    if (settled.paired !== n) throw new Error(`only ${settled.paired} of ${n} chats show their device`);
    const after = await ask<Extract<ServeReply, { kind: 'memory' }>>(server, 'memory', { cmd: 'measure' });
    if (after.connections !== n)
      throw new Error(`the gateway holds ${after.connections} connections, not ${n}`);
    const rss = (after.rss - before.rss) / n;
    const heap = (after.heapUsed + after.external - before.heapUsed - before.external) / n;
    const met = rss < BUDGET_BYTES;
    console.log(
      `idle paired agents ${String(n).padStart(5)}   RSS ${mb(before.rss)} → ${mb(after.rss)}   ` +
        `per agent: RSS ${kb(rss)}, heap+external ${kb(heap)}   budget < 32 KB: ${met ? 'met' : 'MISSED'}   ` +
        `(paired ${connected.perSecond.toFixed(0)}/s)`,
    );
    return met;
  } finally {
    clients?.send({ cmd: 'stop' });
    if (server.connected) server.send({ cmd: 'stop' });
    await Promise.all(
      [server, clients].map(
        (c) => c && c.exitCode === null && new Promise((resolve) => c.once('exit', resolve)),
      ),
    );
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function timeToProgress(): Promise<void> {
  if (!existsSync(AGENT_BUNDLE)) await buildAgent();
  const dir = mkdtempSync(join(tmpdir(), 'reconnect-bench-progress-'));
  const lab = await startScenario({});
  const bot = await startAgentBot(join(dir, 'state'));
  const total: number[] = [];
  const toDevice: number[] = [];
  const afterConfirm: number[] = [];
  try {
    for (let run = 0; run < RUNS; run++) {
      const chat = await openChat(bot.url);
      await chat.say('Teams says CAA20004');
      await chat.card(/Let's get Teams working again/);
      await chat.click('Linux');
      await chat.click('Home');
      const { code, server } = pairingCodeIn(
        cardText(cardOf((await chat.card(/Connect the affected computer/)).activity)),
      );
      const started = performance.now();
      const agent = agentForCard(code, server, lab, AGENT_BUNDLE);
      try {
        await chat.card(/Is this your computer\?/, 60_000);
        const paired = performance.now();
        await chat.click('Yes, that is my computer');
        const confirmed = performance.now();
        await chat.card(FIRST_PROGRESS, 60_000);
        const progressed = performance.now();
        total.push(progressed - started - (confirmed - paired));
        toDevice.push(paired - started);
        afterConfirm.push(progressed - confirmed);
      } finally {
        agent.kill();
        chat.close();
      }
    }
    console.log(
      `agent start → first progress on the card   median ${median(total).toFixed(0)} ms over ${RUNS} runs ` +
        `(start → device card ${median(toDevice).toFixed(0)} ms, "Yes" → first progress ${median(afterConfirm).toFixed(0)} ms; ` +
        `the person's time to press "Yes" left out)`,
    );
  } finally {
    await bot.close();
    await lab.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

let allMet = true;
for (const n of SIZES) allMet = (await memoryAt(n)) && allMet;
await timeToProgress();
if (!allMet) process.exitCode = 1;
