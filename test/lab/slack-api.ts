/**
 * A local Slack Web API for wire tests (DESIGN.md: wire-level fakes only for SaaS we cannot
 * run). node:http on 127.0.0.1 answers the methods the Slack adapter calls (auth.test,
 * chat.postMessage, chat.update, conversations.open), keeps the messages it was sent so
 * in-place updates can be checked, records posts to response_url (served at /response/<id>),
 * and answers 429 with Retry-After on demand. Also signs request bodies the way Slack does, so
 * tests can send events and interactions the bot must accept.
 *
 * For the support relay (issue 8): posts keep their `metadata` and `thread_ts`,
 * conversations.replies and conversations.history list them, and `failNext` scripts HTTP
 * failures (429 with Retry-After, 412, 502, 504), optionally after the post was stored (a
 * failure the caller cannot tell from a lost request); `hangNext` holds calls unanswered.
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
  /** Message metadata as posted ({event_type, event_payload}). */
  metadata?: { event_type?: string; event_payload?: Record<string, unknown> };
  /** How many chat.update calls replaced it. */
  updates: number;
}

/** A scripted failure: the next `count` calls of a method answer `status`. */
export interface ScriptedFailure {
  status: number;
  count?: number;
  /** Sent as Retry-After (seconds). */
  retryAfterSec?: number;
  /** Carry out the call (e.g. store the post) before failing: the caller cannot know it landed. */
  land?: boolean;
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
  /** Queues scripted failures for `method`, answered in order before any normal answer. */
  failNext(method: string, ...failures: ScriptedFailure[]): void;
  /**
   * Makes the next `count` calls of `method` to `channel` never answer (held until close), as the
   * Bot Connector fake's hangNext does. They are recorded, with status 0.
   */
  hangNext(method: string, channel: string, count?: number): void;
  /** Messages posted to `channel` (thread replies included), oldest first. */
  posted(channel: string): StoredMessage[];
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
  if (typeof params.metadata === 'string') params.metadata = JSON.parse(params.metadata);
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
  const scripted = new Map<string, ScriptedFailure[]>();
  const hangs = new Map<string, number>();
  const inChannel = (channel: unknown) => [...messages.values()].filter((m) => m.channel === channel);
  const withMetadata = (m: StoredMessage, include: boolean) => {
    const { updates: _u, metadata, ...rest } = m;
    return { type: 'message', ...rest, ...(include && metadata ? { metadata } : {}) };
  };
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
          ...(typeof p.metadata === 'object' && p.metadata !== null
            ? { metadata: p.metadata as StoredMessage['metadata'] }
            : {}),
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
      case 'conversations.replies': {
        const include = p.include_all_metadata === 'true' || p.include_all_metadata === true;
        const thread = inChannel(p.channel).filter((m) => m.ts === p.ts || m.thread_ts === p.ts);
        if (thread.length === 0) return { ok: false, error: 'thread_not_found' };
        return { ok: true, messages: thread.map((m) => withMetadata(m, include)), has_more: false };
      }
      case 'conversations.history': {
        const include = p.include_all_metadata === 'true' || p.include_all_metadata === true;
        const top = inChannel(p.channel).filter((m) => m.thread_ts === undefined || m.thread_ts === m.ts);
        return { ok: true, messages: top.reverse().map((m) => withMetadata(m, include)), has_more: false };
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
      const hangKey = `${name}|${String(params.channel)}`;
      if ((hangs.get(hangKey) ?? 0) > 0) {
        hangs.set(hangKey, (hangs.get(hangKey) ?? 0) - 1);
        call.status = 0;
        events.emit('change');
        return; // never answered: close() ends it
      }
      const script = scripted.get(name);
      const failure = script?.[0];
      if (failure) {
        failure.count = (failure.count ?? 1) - 1;
        if (failure.count <= 0) script.shift();
        if (failure.land) method(name, params);
        call.status = failure.status;
        events.emit('change');
        return answer(
          res,
          failure.status,
          { ok: false, error: `scripted_${failure.status}` },
          failure.retryAfterSec === undefined ? {} : { 'retry-after': String(failure.retryAfterSec) },
        );
      }
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
    failNext(name, ...failures) {
      scripted.set(name, [...(scripted.get(name) ?? []), ...failures.map((f) => ({ ...f }))]);
    },
    hangNext(name, channel, count = 1) {
      hangs.set(`${name}|${channel}`, count);
    },
    posted: (channel) => inChannel(channel),
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
