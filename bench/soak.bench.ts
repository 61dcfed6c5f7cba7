/**
 * `npm run bench:soak`: a bounded soak (default 3 minutes, `--seconds N`). A steady mix of
 * conversations on every channel at once: Teams (POST /api/messages, replies to the local Bot
 * Connector), Slack (signed DMs, replies to the local Web API fake), the web chat over Direct
 * Line and its stream (the manual path to a verified fix), and web chats whose lab agent pairs
 * with the code on the card, is confirmed, reports a check and answers the re-check (the real
 * protocol, a canned report). The bare botbuilder echo bot gets the same Teams traffic beside it.
 * Each bot samples itself in its own child process (bench/soak-serve.ts); this prints the curves
 * as numbers, a verdict per curve, and writes test-results/soak.svg. Everything is on 127.0.0.1.
 *
 * Options: --seconds S (180) --sample-ms M (5000)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { AGENTS_PATH, encode, parseServerMessage } from '../probes/agent/protocol.ts';
import { inspectedReport } from '../test/agents/fakes.ts';
import { type Chat, cardOf, cardText, openChat } from '../test/bot/conversation-driver.ts';
import { bodyOf, fresh, keyOf, SCRIPT } from '../test/faults/kill-driver.ts';
import { startBotConnector } from '../test/lab/bot-connector.ts';
import { signSlackRequest, startSlackApi } from '../test/lab/slack-api.ts';
import { eventRequest } from '../test/slack/harness.ts';
import { messageActivity } from '../test/teams/activities.ts';
import { CURVES, chart, table, verdict } from './soak-report.ts';
import type { Sample, SoakSpec } from './soak-serve.ts';

const SECRET = 'soak-signing-secret-0123456789abcdef';
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function child(spec: SoakSpec): Promise<{ url: string; proc: ChildProcess; samples: Sample[] }> {
  const script = join(import.meta.dirname, 'soak-serve.ts');
  const proc = spawn(process.execPath, [...process.execArgv, script, JSON.stringify(spec)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const samples: Sample[] = [];
  const lines = createInterface({ input: proc.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    lines.on('line', (line) => {
      const parsed = JSON.parse(line) as { url?: string } & Sample;
      if (parsed.url) resolve(parsed.url);
      else samples.push(parsed);
    });
    proc.once('exit', (code) => reject(new Error(`${spec.side} exited with ${code}`)));
  });
  return { url, proc, samples };
}

/** A lab agent: pairs with `code`, answers every job with the canned report, closes when told. */
function labAgent(url: string, code: string) {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}${AGENTS_PATH}`, { perMessageDeflate: false });
  let jobs = 0;
  ws.on('open', () =>
    ws.send(
      encode({
        v: 1,
        type: 'hello',
        code,
        device: { name: 'SOAK-PC', os: 'linux', osVersion: '6.8', agentVersion: '0.1.0' },
      }),
    ),
  );
  ws.on('message', (data) => {
    const message = parseServerMessage(data.toString());
    if (message.type === 'ping') ws.send(encode({ v: 1, type: 'pong' }));
    if (message.type === 'job') {
      jobs++;
      ws.send(encode({ v: 1, type: 'result', jobId: message.jobId, report: inspectedReport() }));
    }
  });
  ws.on('error', () => undefined);
  return { jobs: () => jobs, close: () => ws.close() };
}

/** Waits for a bot entry that was not there at `seen` and says `pattern`. */
const next = (chat: Chat, pattern: RegExp) => {
  const seen = new Set(chat.transcript().map(keyOf));
  return (ms = 20_000) => chat.waitUntil(`${pattern}`, fresh(seen, pattern), ms);
};

async function webChatManual(url: string): Promise<void> {
  const chat = await openChat(url);
  try {
    for (const step of SCRIPT) {
      const answer = next(chat, step.expect);
      await chat.post(bodyOf(chat, step));
      await answer();
    }
  } finally {
    chat.close();
  }
}

async function webChatWithAgent(url: string): Promise<void> {
  const chat = await openChat(url);
  let agent: ReturnType<typeof labAgent> | undefined;
  try {
    await chat.say('Teams says CAA20004');
    await chat.card(/Let's get Teams working again/);
    await chat.click('Linux');
    const pairing = next(chat, /Connect the affected computer/);
    await chat.click('Home');
    const card = cardText(cardOf((await pairing()).activity));
    const code = /\b([0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5})\b/.exec(card)?.[1];
    if (!code) throw new Error('no pairing code on the card');
    const device = next(chat, /Is this your computer\?/);
    agent = labAgent(url, code);
    await device();
    const findings = next(chat, /I found what is getting in the way/);
    await chat.click('Yes, that is my computer');
    await findings(30_000);
    const step = next(chat, /To do/);
    await chat.click('Show me the fix');
    await step();
    const rechecked = next(chat, /./);
    const before = agent.jobs();
    await chat.click('Done — check again');
    await rechecked();
    await chat.waitUntil('the re-check job', () => (agent!.jobs() > before ? true : undefined));
  } finally {
    agent?.close();
    chat.close();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '180' },
      'sample-ms': { type: 'string', default: '5000' },
    },
  });
  const seconds = Number(values.seconds);
  const sampleMs = Number(values['sample-ms']);
  const connector = await startBotConnector({ recordBodies: false });
  const slackApi = await startSlackApi();
  const spec = { slackApiUrl: slackApi.apiUrl, signingSecret: SECRET, sampleMs };
  const ours = await child({ side: 'ours', ...spec });
  const echo = await child({ side: 'echo', ...spec });
  const counts = { teams: 0, slack: 0, webchat: 0, agent: 0, errors: 0 };
  const conversationsAt: number[] = [];
  const end = performance.now() + seconds * 1000;
  const started = performance.now();
  const lane = (name: keyof typeof counts, gapMs: number, run: (n: number) => Promise<void>) =>
    (async () => {
      for (let n = 0; performance.now() < end; n++) {
        await run(n).then(
          () => {
            counts[name]++;
            conversationsAt.push((performance.now() - started) / 1000);
          },
          (error: Error) => {
            counts.errors++;
            if (counts.errors <= 5) process.stderr.write(`${name}: ${error.message.split('\n')[0]}\n`);
          },
        );
        await pause(gapMs);
      }
    })();

  const teams = async (n: number) => {
    for (const bot of [ours.url, echo.url])
      for (const text of ['Teams says CAA20004', 'It still fails']) {
        const activity = messageActivity(text, { serviceUrl: connector.url, conversationId: `a:soak-${n}` });
        const res = await fetch(`${bot}/api/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(activity),
        });
        await res.text();
        if (res.status !== 200) throw new Error(`teams answered ${res.status}`);
      }
  };
  const slack = async (n: number) => {
    const channel = `D${String(n).padStart(9, '0')}`;
    for (const text of ['Teams says CAA20004', 'It still fails']) {
      const request = eventRequest({
        type: 'message',
        channel,
        channel_type: 'im',
        user: `U${String(n).padStart(9, '0')}`,
        text,
        ts: `${Math.floor(Date.now() / 1000)}.${String(n).padStart(6, '0')}`,
      });
      const signed = signSlackRequest(SECRET, request.body, Math.floor(Date.now() / 1000));
      const res = await fetch(`${ours.url}/api/slack/events`, {
        method: 'POST',
        headers: { 'content-type': request.contentType, ...signed },
        body: request.body,
      });
      await res.text();
      if (res.status !== 200) throw new Error(`slack answered ${res.status}`);
    }
  };

  process.stderr.write(`soak: ${seconds} s, sampling every ${sampleMs} ms\n`);
  await Promise.all([
    lane('teams', 200, teams),
    lane('slack', 400, slack),
    lane('webchat', 300, () => webChatManual(ours.url)),
    lane('agent', 500, () => webChatWithAgent(ours.url)),
  ]);
  await pause(sampleMs + 500);
  ours.proc.kill('SIGKILL');
  echo.proc.kill('SIGKILL');
  await connector.close?.();
  await slackApi.close?.();

  // Conversations per quarter of the steady part, for the store's growth per conversation.
  const steadyFrom = ours.samples[Math.floor(ours.samples.length / 10)]?.t ?? 0;
  const q = (seconds - steadyFrom) / 4;
  const perQuarter = [0, 1, 2, 3].map(
    (i) => conversationsAt.filter((t) => t >= steadyFrom + i * q && t < steadyFrom + (i + 1) * q).length,
  );
  console.log(`\nconversations: ${JSON.stringify(counts)} in ${seconds} s`);
  console.log(`\n${table(ours.samples, echo.samples)}\n`);
  for (const c of CURVES) {
    console.log(`${c.label.padEnd(28)} ours: ${verdict(ours.samples, c, perQuarter)}`);
    if (c.key !== 'storeMiB') console.log(`${''.padEnd(28)} echo: ${verdict(echo.samples, c)}`);
  }
  const last = (s: Sample[]) => s.at(-1);
  const ratio = (last(ours.samples)?.rssMiB ?? 0) / (last(echo.samples)?.rssMiB ?? 1);
  console.log(`final RSS ours / echo: ${ratio.toFixed(2)}x`);
  const dir = join(import.meta.dirname, '..', 'test-results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'soak.svg'), chart(ours.samples, echo.samples));
  console.log(`chart: test-results/soak.svg`);
  process.exit(0);
}

await main();
