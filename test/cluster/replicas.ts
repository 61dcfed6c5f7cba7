/**
 * Bot replicas sharing one Redis, for the scale-out tests: each is the assembled bot (startBot,
 * the real config loader with REDIS_URL and one DIRECTLINE_SECRET for all), in this process or
 * as `node bot/main.ts` children (to SIGKILL one). PUBLIC_URL is the balancer in front of them,
 * so the pairing card sends agents there.
 */
import { type RunningBot, type StartOptions, startBot } from '../../bot/app.ts';
import { loadBotConfig } from '../../bot/config.ts';
import { createLogger, silentLogger } from '../../bot/log.ts';
import { type Started, spawnBot } from '../bot/bot-process.ts';

export const SHARED_SECRET = 'cluster-test-directline-secret-0123456789abcdef';

export interface ReplicaOptions {
  redisUrl: string;
  dataDir: string;
  publicUrl?: string;
  /** More environment (Slack settings, …). */
  env?: Record<string, string>;
}

const environment = (options: ReplicaOptions): Record<string, string> => ({
  HOST: '127.0.0.1',
  NODE_ENV: 'test',
  DATA_DIR: options.dataDir,
  REDIS_URL: options.redisUrl,
  DIRECTLINE_SECRET: SHARED_SECRET,
  ...(options.publicUrl ? { PUBLIC_URL: options.publicUrl } : {}),
  ...options.env,
});

/** A replica in this process on a free port. */
export function startReplica(
  options: ReplicaOptions,
  start: Partial<Omit<StartOptions, 'config' | 'log'>> = {},
): Promise<RunningBot> {
  const config = loadBotConfig({ PORT: '0', ...environment(options) });
  return startBot({
    config,
    log: process.env.CLUSTER_DEBUG ? createLogger(process.stderr) : silentLogger,
    teams: false,
    ...start,
  });
}

/** A replica as its own process (`node bot/main.ts`), to kill with a signal. */
export function spawnReplica(options: ReplicaOptions): Promise<Started> {
  return spawnBot(environment(options));
}

export const portOf = (url: string): number => Number(new URL(url).port);
