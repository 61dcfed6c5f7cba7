/**
 * Test helpers for the Direct Line wire tests: a bot started in-process on 127.0.0.1 with a
 * temporary DATA_DIR, a tiny JSON fetch, and a stream reader that waits (with a deadline, never
 * a sleep) for an ActivitySet matching a predicate.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { type RunningBot, type StartOptions, startBot } from '../../bot/app.ts';
import { echoBot } from '../../bot/channels/directline/echo.ts';
import { loadBotConfig } from '../../bot/config.ts';
import { silentLogger } from '../../bot/log.ts';

export interface Activity {
  id: string;
  type: string;
  text?: string;
  timestamp?: string;
  from: { id: string; role?: string };
  channelData?: Record<string, unknown>;
  [field: string]: unknown;
}
export interface ActivitySet {
  activities: Activity[];
  watermark: string;
}

/** A temporary data directory, removed by the returned cleanup. */
export function tempDataDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'reconnect-bot-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Starts the bot on 127.0.0.1:0 with `dataDir` (reused across restarts by passing it again), for
 * tests of the Direct Line channel itself: the echo bot answers the web chat (unless `onActivity`
 * is given) and Teams is not mounted, so /api/messages is free for a test's own route module.
 * The assembled bot with the core is conversation-driver.ts's startCoreBot.
 */
export async function startTestBot(
  dataDir: string,
  options: Partial<StartOptions> = {},
): Promise<RunningBot> {
  const config = loadBotConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, NODE_ENV: 'test' });
  return startBot({ config, log: silentLogger, onActivity: echoBot, teams: false, ...options });
}

/** JSON over HTTP; `auth` is the bearer value (omitted when undefined). */
export async function call(
  base: string,
  method: string,
  path: string,
  options: { auth?: string; body?: unknown; rawBody?: string } = {},
  // biome-ignore lint/suspicious/noExplicitAny: tests read Direct Line JSON field by field and assert on it
): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = {};
  if (options.auth !== undefined) headers.authorization = `Bearer ${options.auth}`;
  const hasBody = options.body !== undefined || options.rawBody !== undefined;
  if (hasBody) headers['content-type'] = 'application/json';
  const res = await fetch(`${base}${path}`, {
    method,
    headers,
    body: options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? undefined : JSON.parse(text) };
}

/** The page's flow: token from /api/webchat/token, then start the conversation with it. */
export async function openConversation(base: string) {
  const minted = await call(base, 'POST', '/api/webchat/token');
  const started = await call(base, 'POST', '/v3/directline/conversations', { auth: minted.body.token });
  return { minted: minted.body, started };
}

/** A connected stream that records every ActivitySet and lets a test wait for one. */
export async function openStream(url: string) {
  const ws = new WebSocket(url);
  const sets: ActivitySet[] = [];
  let heartbeats = 0;
  const waiters: (() => void)[] = [];
  ws.on('message', (data) => {
    const text = data.toString();
    if (text === '') heartbeats += 1;
    else sets.push(JSON.parse(text) as ActivitySet);
    for (const wake of waiters.splice(0)) wake();
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  /** Resolves with the first recorded set (past or future) that matches, or rejects after `ms`. */
  const waitFor = (match: (set: ActivitySet) => boolean, ms = 10_000): Promise<ActivitySet> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no matching ActivitySet within ${ms} ms; got ${JSON.stringify(sets)}`)),
        ms,
      );
      const check = (): void => {
        const found = sets.find(match);
        if (found !== undefined) {
          clearTimeout(timer);
          resolve(found);
        } else waiters.push(check);
      };
      check();
    });
  const waitForHeartbeat = (ms = 10_000): Promise<void> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no heartbeat within ${ms} ms`)), ms);
      const check = (): void => {
        if (heartbeats > 0) {
          clearTimeout(timer);
          resolve();
        } else waiters.push(check);
      };
      check();
    });
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  return { ws, sets, waitFor, waitForHeartbeat, closed, close: () => ws.close() };
}

/** Answers the HTTP status of a refused WebSocket upgrade (or 101 when it was accepted). */
export function upgradeStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('open', () => {
      resolve(101);
      ws.close();
    });
    ws.once('error', (error) => {
      if (!/Unexpected server response/.test(error.message)) reject(error);
    });
  });
}
