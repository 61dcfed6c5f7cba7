/**
 * `npm run bench:turns`: throughput and p50/p99 latency of POST /api/messages at a fixed
 * concurrency, for our bot (bot/server.ts + the Teams channel + the conversation core on SQLite,
 * as `npm start` runs it) and, in the same run, a bare botbuilder echo bot (bench/echo-bot.ts).
 * Both reply to the same local Bot Connector; everything is on 127.0.0.1.
 *
 * Each request is a user's first message ("Teams says CAA20004") in a new conversation: our bot
 * opens a session, saves it, and answers with its cards; the echo bot answers one text. Ours
 * runs twice: on SQLite (the default) and on the Redis store (REDIS_URL, a redis-server this
 * run starts on loopback without persistence), each against the same echo bot.
 * Each bot runs in its own child process (the load generator and the connector stay in this
 * one), the two are measured in alternating rounds so drift hits both, and the figures pool
 * the rounds. Budget (DESIGN.md): ours ≥ 0.67× echo's throughput and ≤ 1.5× echo's p99.
 *
 * Options: --requests N (per bot per round, default 1500) --concurrency C (16) --rounds R (3)
 *          --warmup W (200) --max-seconds S (per measurement, 60) --auth none|jwt (none)
 * --auth jwt turns JWT validation on for both bots, against a loopback issuer.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import http from 'node:http';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { startBotConnector } from '../test/lab/bot-connector.ts';
import { startRedis } from '../test/lab/redis.ts';
import { messageActivity } from '../test/teams/activities.ts';
import { startLabIssuer } from '../test/teams/issuer.ts';
import { serveBot } from './turns-serve.ts';

const APP_ID = '0b0b0b0b-1111-4222-8333-444455556666';

export type Side = 'echo' | 'ours' | 'redis';

/** What a child needs to serve one bot. */
export interface ServeSpec {
  side: Side;
  connectorUrl: string;
  auth?: { appId: string; metadataUrl: string; issuer: string };
  /** Side `redis`: the Redis store at this URL. */
  redisUrl?: string;
}

interface Measurement {
  latencies: number[];
  errors: number;
  elapsedMs: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0
    ? Number.NaN
    : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

/** Starts a child serving `spec`; resolves with its URL once it listens. */
async function child(spec: ServeSpec): Promise<{ url: string; process: ChildProcess }> {
  const script = new URL(import.meta.url).pathname;
  const proc = spawn(process.execPath, [...process.execArgv, script, '--serve', JSON.stringify(spec)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const errors: string[] = [];
  createInterface({ input: proc.stderr! }).on('line', (line) => errors.push(line));
  const lines = createInterface({ input: proc.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    lines.once('line', (line) => resolve((JSON.parse(line) as { url: string }).url));
    proc.once('exit', (code) =>
      reject(new Error(`${spec.side} bot exited (${code}): ${errors.slice(-5).join('\n')}`)),
    );
  });
  return { url, process: proc };
}

async function load(
  url: string,
  side: Side,
  label: string,
  count: number,
  options: { concurrency: number; deadline: number; connectorUrl: string; authorization?: string },
): Promise<Measurement> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency });
  const target = new URL('/api/messages', url);
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const post = (i: number) =>
    new Promise<number>((resolve, reject) => {
      const activity = messageActivity('Teams says CAA20004', {
        serviceUrl: options.connectorUrl,
        appId: APP_ID,
        conversationId: `a:bench-${side}-${label}-${i}`,
      });
      const body = JSON.stringify(activity);
      const headers: Record<string, string | number> = {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
      };
      if (options.authorization) headers.authorization = options.authorization;
      const req = http.request(target, { method: 'POST', agent, headers }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end(body);
    });
  const worker = async () => {
    while (next < count && performance.now() < options.deadline) {
      const i = next++;
      const started = performance.now();
      const status = await post(i).catch(() => 0);
      latencies.push(performance.now() - started);
      if (status !== 200) errors++;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const elapsedMs = performance.now() - started;
  agent.destroy();
  return { latencies, errors, elapsedMs };
}

function summarise(runs: Measurement[]) {
  const latencies = runs.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const elapsed = runs.reduce((s, r) => s + r.elapsedMs, 0);
  return {
    requests: latencies.length,
    errors: runs.reduce((s, r) => s + r.errors, 0),
    rps: latencies.length / (elapsed / 1000),
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      requests: { type: 'string', default: '1500' },
      concurrency: { type: 'string', default: '16' },
      rounds: { type: 'string', default: '3' },
      warmup: { type: 'string', default: '200' },
      'max-seconds': { type: 'string', default: '60' },
      auth: { type: 'string', default: 'none' },
    },
  });
  const n = Number(values.requests);
  const concurrency = Number(values.concurrency);
  const rounds = Number(values.rounds);
  const warmup = Number(values.warmup);
  const maxMs = Number(values['max-seconds']) * 1000;
  if (values.auth !== 'none' && values.auth !== 'jwt')
    throw new Error(`--auth is "${values.auth}": accepted none, jwt`);

  const connector = await startBotConnector({ recordBodies: false });
  const issuer = values.auth === 'jwt' ? await startLabIssuer() : undefined;
  const auth = issuer ? { appId: APP_ID, metadataUrl: issuer.metadataUrl, issuer: issuer.issuer } : undefined;
  // One token for the whole run (valid an hour): signing is the channel's cost, not the bot's.
  const authorization = issuer ? `Bearer ${issuer.channelToken(APP_ID, connector.url)}` : undefined;
  const redis = await startRedis();
  const bots = {
    echo: await child({ side: 'echo', connectorUrl: connector.url, auth }),
    ours: await child({ side: 'ours', connectorUrl: connector.url, auth }),
    redis: await child({ side: 'redis', connectorUrl: connector.url, auth, redisUrl: redis.url }),
  };
  const sides = ['echo', 'ours', 'redis'] as const;
  const results: Record<Side, Measurement[]> = { echo: [], ours: [], redis: [] };
  try {
    for (const side of sides) {
      const deadline = performance.now() + maxMs;
      await load(bots[side].url, side, 'warmup', warmup, {
        concurrency,
        deadline,
        connectorUrl: connector.url,
        authorization,
      });
    }
    for (let round = 0; round < rounds; round++) {
      // Each round starts with another bot, so drift over the run hits all three alike.
      for (const side of [...sides.slice(round % 3), ...sides.slice(0, round % 3)]) {
        const deadline = performance.now() + maxMs;
        const opts = { concurrency, deadline, connectorUrl: connector.url, authorization };
        results[side].push(await load(bots[side].url, side, `r${round}`, n, opts));
      }
    }
  } finally {
    for (const bot of Object.values(bots)) bot.process.kill('SIGTERM');
    await connector.close();
    await issuer?.close();
    await redis.stop();
  }

  const echo = summarise(results.echo);
  const ours = summarise(results.ours);
  const onRedis = summarise(results.redis);
  // What each turn cost in calls to the connector (measured rounds only): the core's cards and
  // notices against the echo's single reply.
  const outbound = (side: Side) =>
    connector.records.filter((r) => r.conversationId?.startsWith(`a:bench-${side}-r`)).length /
    results[side].reduce((sum, r) => sum + r.latencies.length, 0);
  const row = (name: string, s: ReturnType<typeof summarise>) =>
    `${name.padEnd(6)} ${String(s.requests).padStart(8)} ${String(s.errors).padStart(7)} ${s.rps.toFixed(0).padStart(8)} ${s.p50.toFixed(2).padStart(8)} ${s.p99.toFixed(2).padStart(8)}`;
  const ratios = (name: string, s: ReturnType<typeof summarise>) => {
    const throughput = s.rps / echo.rps;
    const tail = s.p99 / echo.p99;
    return (
      `ratio  ${name.padEnd(6)} throughput/echo ${throughput.toFixed(2)} (budget ≥ 0.67: ${throughput >= 0.67 ? 'ok' : 'OVER'})` +
      `   p99/echo ${tail.toFixed(2)} (budget ≤ 1.5: ${tail <= 1.5 ? 'ok' : 'OVER'})`
    );
  };
  const lines = [
    `bench:turns  auth=${values.auth}  concurrency=${concurrency}  requests=${n}×${rounds} rounds per bot  (127.0.0.1, ${process.version})`,
    `bot    requests  errors      rps   p50 ms   p99 ms`,
    row('echo', echo),
    row('ours', ours),
    row('redis', onRedis),
    `calls to the connector per turn: echo ${outbound('echo').toFixed(2)}, ours ${outbound('ours').toFixed(2)}, redis ${outbound('redis').toFixed(2)}`,
    ratios('ours', ours),
    ratios('redis', onRedis),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  if (echo.errors + ours.errors + onRedis.errors > 0)
    process.stdout.write('note: non-200 answers were counted as errors above\n');
}

const serveAt = process.argv.indexOf('--serve');
if (serveAt >= 0) {
  serveBot(JSON.parse(process.argv[serveAt + 1]) as ServeSpec).then(
    (url) => process.stdout.write(`${JSON.stringify({ url })}\n`),
    (error: Error) => {
      process.stderr.write(`${error.stack}\n`);
      process.exit(1);
    },
  );
} else {
  main().catch((error: Error) => {
    process.stderr.write(`${error.stack}\n`);
    process.exit(1);
  });
}
