/**
 * The fuzz suite's bot (issue 16): the whole bot as `npm start` assembles it (Direct Line, Teams
 * without an app id, Slack with a signing secret against the local Slack Web API, the agent
 * gateway, the real engine and playbooks, a memory store), on 127.0.0.1, and a checker for the
 * properties every answer must have. Failing inputs are kept as fixtures and replayed first.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, fetch } from 'undici';
import { type RunningBot, type StartOptions, startBot } from '../../bot/app.ts';
import { loadBotConfig } from '../../bot/config.ts';
import { silentLogger } from '../../bot/log.ts';
import { createMemoryStore } from '../../bot/store/memory.ts';
import { type BotConnector, startBotConnector } from '../lab/bot-connector.ts';
import { type SlackApiLab, signSlackRequest, startSlackApi } from '../lab/slack-api.ts';

/**
 * The generators' seed: fixed, so a run in CI explores the same inputs every time and a failure
 * is reproducible; set FUZZ_SEED to explore others locally (a new failure becomes a fixture).
 */
export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 20_261_207);

export const SIGNING_SECRET = 'fuzz-signing-secret-0123456789abcdef';

/** One request as the fuzzer builds it. */
export interface FuzzRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** A body of raw bytes (base64 here, so fixtures stay JSON): invalid UTF-8, fake gzip. */
  bytes?: string;
  /** Sign the body as Slack would. */
  slackSigned?: boolean;
}

export interface FuzzAnswer {
  status: number;
  text: string;
}

export interface FuzzBot {
  bot: RunningBot;
  url: string;
  connector: BotConnector;
  slack: SlackApiLab;
  /** A web chat conversation and its token, for the routes that need one. */
  conversation: { id: string; token: string };
  send(request: FuzzRequest): Promise<FuzzAnswer>;
  /** Errors the process raised outside any request (unhandled rejections, uncaught exceptions). */
  escaped: unknown[];
  close(): Promise<void>;
}

/** Starts the bot; `routes` adds route modules (the canary test plants a broken one). */
export async function startFuzzBot(routes: StartOptions['routes'] = []): Promise<FuzzBot> {
  const dataDir = mkdtempSync(join(tmpdir(), 'reconnect-fuzz-'));
  const connector = await startBotConnector({ recordBodies: false });
  const slack = await startSlackApi({ botToken: 'xoxb-fuzz' });
  const config = loadBotConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    NODE_ENV: 'test',
    DIRECTLINE_SECRET: 'fuzz-direct-line-secret-0123456789abcdef',
    SLACK_BOT_TOKEN: 'xoxb-fuzz',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    TEAMS_SERVICE_URLS: connector.url,
  });
  const bot = await startBot({ config, log: silentLogger, store: createMemoryStore(), routes });
  const escaped: unknown[] = [];
  const onEscape = (error: unknown) => void escaped.push(error);
  process.on('unhandledRejection', onEscape);
  process.on('uncaughtException', onEscape);
  const dispatcher = new Agent({ connections: 16 });
  const send = async (request: FuzzRequest): Promise<FuzzAnswer> => {
    const headers: Record<string, string> = { ...request.headers };
    if (request.slackSigned)
      Object.assign(
        headers,
        signSlackRequest(SIGNING_SECRET, request.body ?? '', Math.floor(Date.now() / 1000)),
      );
    const body = request.bytes === undefined ? request.body : Buffer.from(request.bytes, 'base64');
    const res = await fetch(`${bot.url}${request.path}`, {
      method: request.method,
      headers,
      ...(body === undefined || request.method === 'GET' || request.method === 'HEAD' ? {} : { body }),
      dispatcher,
      signal: AbortSignal.timeout(15_000),
    });
    return { status: res.status, text: await res.text() };
  };
  const token = JSON.parse((await send({ method: 'POST', path: '/api/webchat/token' })).text).token as string;
  const started = await send({
    method: 'POST',
    path: '/v3/directline/conversations',
    headers: { authorization: `Bearer ${token}` },
  });
  const conversation = { id: JSON.parse(started.text).conversationId as string, token };
  return {
    bot,
    url: bot.url,
    connector,
    slack,
    conversation,
    send,
    escaped,
    async close() {
      await bot.close();
      await dispatcher.close();
      await connector.close();
      await slack.close();
      process.off('unhandledRejection', onEscape);
      process.off('uncaughtException', onEscape);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** What no answer may contain: a stack frame, a source path, a module path. */
const LEAKS = /\bat [\w.<>]+ \(|\/work\/|node_modules|\.ts:\d+|file:\/\//;

/** The properties of one answer; throws naming the one that failed. */
export function checkAnswer(request: FuzzRequest, answer: FuzzAnswer): void {
  if (answer.status >= 500)
    throw new Error(
      `${request.method} ${request.path} answered ${answer.status}: ${answer.text.slice(0, 200)}`,
    );
  if (LEAKS.test(answer.text))
    throw new Error(`${request.method} ${request.path} leaked internals: ${answer.text.slice(0, 300)}`);
}

const FIXTURES = new URL('../fixtures/fuzz/', import.meta.url);

/** Inputs kept from earlier failures (shrunk), replayed before the generated ones. */
export function fixtures<T>(name: string): T[] {
  let files: string[] = [];
  try {
    files = readdirSync(FIXTURES).filter((f) => f.startsWith(`${name}-`) && f.endsWith('.json'));
  } catch {
    return [];
  }
  return files.map((f) => JSON.parse(readFileSync(new URL(f, FIXTURES), 'utf8')) as T);
}

/** Keeps a shrunk counterexample as a fixture, so it is replayed on every run from now on. */
export function keepFixture(name: string, example: unknown): void {
  mkdirSync(FIXTURES, { recursive: true });
  const file = new URL(`${name}-${Date.now().toString(36)}.json`, FIXTURES);
  writeFileSync(file, `${JSON.stringify(example, null, 2)}\n`);
}
