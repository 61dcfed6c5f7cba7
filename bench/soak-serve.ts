/**
 * The bot side of bench/soak.bench.ts, in a child process: ours as `npm start` assembles it
 * (bot/app.ts: SQLite in a scratch DATA_DIR, Teams without an app id replying to the local Bot
 * Connector, Slack through the local Web API fake, the web chat's Direct Line, the agent gateway),
 * or the bare botbuilder echo bot. Either way the child samples itself every `sampleMs` and prints
 * one JSON line per sample on stdout: RSS, heap, event-loop delay (mean and p99 since the last
 * sample), open handles (process.getActiveResourcesInfo) and the store's bytes on disk.
 */
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { guardNetwork } from '../test/teams/net-guard.ts';
import { startEchoBot } from './echo-bot.ts';

export interface SoakSpec {
  side: 'ours' | 'echo';
  slackApiUrl: string;
  signingSecret: string;
  sampleMs: number;
}

export interface Sample {
  t: number;
  rssMiB: number;
  heapMiB: number;
  eldMeanMs: number;
  eldP99Ms: number;
  handles: number;
  storeMiB: number;
}

const bytesIn = (dir: string): number =>
  readdirSync(dir).reduce((sum, name) => sum + statSync(join(dir, name)).size, 0);

export async function serveSoak(spec: SoakSpec): Promise<void> {
  guardNetwork();
  const dataDir = mkdtempSync(join(tmpdir(), 'reconnect-soak-'));
  let url: string;
  if (spec.side === 'echo') url = (await startEchoBot({ settings: {} })).url;
  else {
    // Loaded only for ours, so the echo bot's process carries none of our code.
    const { startBot } = await import('../bot/app.ts');
    const { loadBotConfig } = await import('../bot/config.ts');
    const { silentLogger } = await import('../bot/log.ts');
    const config = loadBotConfig({
      NODE_ENV: 'test',
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      SLACK_BOT_TOKEN: 'xoxb-lab-token',
      SLACK_SIGNING_SECRET: spec.signingSecret,
      SLACK_API_URL: spec.slackApiUrl,
    });
    url = (await startBot({ config, log: silentLogger, agents: {} })).url;
  }
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const started = performance.now();
  const sample = () => {
    const memory = process.memoryUsage();
    const line: Sample = {
      t: Math.round((performance.now() - started) / 1000),
      rssMiB: memory.rss / 2 ** 20,
      heapMiB: memory.heapUsed / 2 ** 20,
      eldMeanMs: delay.mean / 1e6,
      eldP99Ms: delay.percentile(99) / 1e6,
      handles: process.getActiveResourcesInfo().length,
      storeMiB: bytesIn(dataDir) / 2 ** 20,
    };
    delay.reset();
    process.stdout.write(`${JSON.stringify(line)}\n`);
  };
  process.stdout.write(`${JSON.stringify({ url })}\n`);
  setInterval(sample, spec.sampleMs);
}

// Run as `node bench/soak-serve.ts '<spec JSON>'` by bench/soak.bench.ts.
if (import.meta.main) await serveSoak(JSON.parse(process.argv[2]) as SoakSpec);
