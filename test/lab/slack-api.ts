/**
 * A local Slack Web API for wire tests (DESIGN.md: wire-level fakes only for SaaS we cannot
 * run). node:http on 127.0.0.1 answers the methods the Slack adapter calls (auth.test,
 * chat.postMessage, chat.update, conversations.open), keeps the messages it was sent so
 * in-place updates can be checked, records posts to response_url (served at /response/<id>),
 * and answers 429 with Retry-After on demand. Also signs request bodies the way Slack does, so
 * tests can send events and interactions the bot must accept.
 */
import { createHmac } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

/** One request the fake received. `params`: the form or JSON body, with `blocks` parsed. */
export interface SlackApiCall {
  method: string;
  params: Record<string, unknown>;
  /** performance.now() when the request arrived. */
  at: number;
  status: number;
  authorization?: string;
}

export interface StoredMessage {
  channel: string;
  ts: string;
  text?: string;
  blocks?: Record<string, unknown>[];
  thread_ts?: string;
  /** How many chat.update calls replaced it. */
  updates: number;
}

export interface SlackApiOptions {
  /** The bot token the fake accepts; any other answers invalid_auth. Default 'xoxb-lab-token'. */
  botToken?: string;
  botUserId?: string;
  botId?: string;
  teamId?: string;
}

export interface SlackApiLab {
  /** `http://127.0.0.1:PORT/api/`: what SLACK_API_URL is set to. */
  apiUrl: string;
  /** A fresh response_url on this server (`/response/<n>`). */
  responseUrl(): string;
  calls: SlackApiCall[];
  /** Posts to response_url, in order. */
  responses: { path: string; body: Record<string, unknown>; at: number }[];
  /** Messages by `${channel}/${ts}`, as last updated. */
  messages: Map<string, StoredMessage>;
  /** The next `count` calls of `method` answer 429 with `Retry-After: retryAfterSec`. */
  rateLimit(method: string, retryAfterSec: number, count?: number): void;
  /** Resolves with the first recorded call (past or future) matching `match`; rejects after `timeoutMs`. */
  waitForCall(match: (call: SlackApiCall) => boolean, timeoutMs?: number): Promise<SlackApiCall>;
  close(): Promise<void>;
}

const BOT = { botUserId: 'UBOTLAB01', botId: 'BBOTLAB01', teamId: 'TLAB00001' };

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The WebClient sends form-encoded fields with objects as JSON strings; response_url gets JSON. */
function parseParams(req: IncomingMessage, raw: string): Record<string, unknown> {
  if ((req.headers['content-type'] ?? '').includes('application/json')) return raw ? JSON.parse(raw) : {};
  const params: Record<string, unknown> = Object.fromEntries(new URLSearchParams(raw));
  if (typeof params.blocks === 'string') params.blocks = JSON.parse(params.blocks);
  return params;
}

/** Starts the fake on 127.0.0.1 (a free port). */
export async function startSlackApi(options: SlackApiOptions = {}): Promise<SlackApiLab> {
  const token = options.botToken ?? 'xoxb-lab-token';
  const ids = { ...BOT, ...options };
  const events = new EventEmitter();
  const calls: SlackApiCall[] = [];
  const responses: SlackApiLab['responses'] = [];
  const messages = new Map<string, StoredMessage>();
  const limits = new Map<string, { retryAfterSec: number; count: number }>();
  let tsCounter = 0;
  let responseCounter = 0;

  function answer(
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  }

  function method(name: string, p: Record<string, unknown>): Record<string, unknown> {
    switch (name) {
      case 'auth.test':
        return {
          ok: true,
          url: 'https://lab.slack.test/',
          team: 'Lab',
          user: 'reconnect',
          team_id: ids.teamId,
          user_id: ids.botUserId,
          bot_id: ids.botId,
        };
      case 'chat.postMessage': {
        if (typeof p.channel !== 'string') return { ok: false, error: 'channel_not_found' };
        tsCounter += 1;
        const ts = `1700000000.${String(tsCounter).padStart(6, '0')}`;
        const message: StoredMessage = {
          channel: p.channel,
          ts,
          text: p.text as string | undefined,
          blocks: p.blocks as StoredMessage['blocks'],
          ...(typeof p.thread_ts === 'string' ? { thread_ts: p.thread_ts } : {}),
          updates: 0,
        };
        messages.set(`${p.channel}/${ts}`, message);
        return { ok: true, channel: p.channel, ts, message: { ...message, bot_id: ids.botId } };
      }
      case 'chat.update': {
        const stored = messages.get(`${p.channel}/${p.ts}`);
        if (!stored) return { ok: false, error: 'message_not_found' };
        stored.text = p.text as string | undefined;
        stored.blocks = p.blocks as StoredMessage['blocks'];
        stored.updates += 1;
        return { ok: true, channel: p.channel, ts: p.ts };
      }
      case 'conversations.open':
        if (typeof p.users !== 'string' || p.users === '') return { ok: false, error: 'users_not_found' };
        return { ok: true, channel: { id: `D${p.users.replace(/^U/, '')}` } };
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }

  const server: Server = createServer((req, res) => {
    void (async () => {
      const raw = await readBody(req);
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const at = performance.now();
      if (url.pathname.startsWith('/response/')) {
        responses.push({ path: url.pathname, body: raw ? JSON.parse(raw) : {}, at });
        events.emit('change');
        return answer(res, 200, { ok: true });
      }
      const name = url.pathname.replace(/^\/api\//, '');
      const params = parseParams(req, raw);
      const call: SlackApiCall = {
        method: name,
        params,
        at,
        status: 200,
        authorization: req.headers.authorization,
      };
      calls.push(call);
      const limit = limits.get(name);
      if (limit && limit.count > 0) {
        limit.count -= 1;
        call.status = 429;
        events.emit('change');
        return answer(
          res,
          429,
          { ok: false, error: 'ratelimited' },
          { 'retry-after': String(limit.retryAfterSec) },
        );
      }
      const body =
        req.headers.authorization === `Bearer ${token}`
          ? method(name, params)
          : { ok: false, error: 'invalid_auth' };
      events.emit('change');
      answer(res, 200, body);
    })().catch((error: Error) => answer(res, 500, { ok: false, error: error.message }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;

  return {
    apiUrl: `${origin}/api/`,
    responseUrl: () => `${origin}/response/${++responseCounter}`,
    calls,
    responses,
    messages,
    rateLimit(name, retryAfterSec, count = 1) {
      limits.set(name, { retryAfterSec, count });
    },
    waitForCall(match, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const found = calls.find(match);
          if (found) {
            cleanup();
            resolve(found);
          }
          return found !== undefined;
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(
            new Error(
              `slack-api lab: no matching call within ${timeoutMs} ms; got ${calls.map((c) => c.method).join(', ')}`,
            ),
          );
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          events.off('change', check);
        };
        if (!check()) events.on('change', check);
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Slack's request signature (v0): HMAC-SHA256 over `v0:<timestamp>:<raw body>` with the signing
 * secret. Returns the two headers Slack sends.
 */
export function signSlackRequest(
  signingSecret: string,
  rawBody: string,
  timestampSec: number,
): { 'x-slack-signature': string; 'x-slack-request-timestamp': string } {
  const digest = createHmac('sha256', signingSecret).update(`v0:${timestampSec}:${rawBody}`).digest('hex');
  return { 'x-slack-signature': `v0=${digest}`, 'x-slack-request-timestamp': String(timestampSec) };
}
