/**
 * Slack wire-test harness: the local Slack Web API, the real config loader, a memory store,
 * the Slack channel and our restify server on 127.0.0.1, plus builders for signed Events API,
 * interaction and slash-command requests shaped like Slack's.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createSlackChannel,
  type SlackChannel,
  type SlackChannelOptions,
} from '../../bot/channels/slack/channel.ts';
import { SLACK_EVENTS_PATH, slackRoutes } from '../../bot/channels/slack/routes.ts';
import { type BotConfig, loadBotConfig } from '../../bot/config.ts';
import type { InboundEvent } from '../../bot/core/types.ts';
import type { Logger } from '../../bot/log.ts';
import { createServer } from '../../bot/server.ts';
import { createMemoryStore } from '../../bot/store/memory.ts';
import type { Store, VersionedDoc } from '../../bot/store/types.ts';
import { type SlackApiLab, signSlackRequest, startSlackApi } from '../lab/slack-api.ts';

export const SIGNING_SECRET = 'lab-signing-secret-0123456789abcdef';
export const BOT_TOKEN = 'xoxb-lab-token';
export const USER = 'U0LABUSER1';
export const DM = 'D0LABUSER1';

export interface LogLine {
  level: 'info' | 'warn' | 'error';
  message: string;
  fields?: Record<string, unknown>;
}

export function collectingLogger(lines: LogLine[]): Logger {
  return {
    info: (message, fields) => void lines.push({ level: 'info', message, fields }),
    warn: (message, fields) => void lines.push({ level: 'warn', message, fields }),
    error: (message, fields) => void lines.push({ level: 'error', message, fields }),
  };
}

export interface Harness {
  api: SlackApiLab;
  config: BotConfig;
  store: Store<VersionedDoc>;
  channel: SlackChannel;
  /** `http://127.0.0.1:PORT/api/slack/events`. */
  endpoint: string;
  logs: LogLine[];
  close(): Promise<void>;
}

export interface HarnessOptions
  extends Partial<Pick<SlackChannelOptions, 'retryConfig' | 'ackDeadlineMs' | 'now' | 'replies'>> {
  handle: (event: InboundEvent) => Promise<unknown>;
  /** Skip channel.start() (auth.test), e.g. to deliver before the bot knows its ids. */
  noStart?: boolean;
  store?: Store<VersionedDoc>;
}

/** Everything up and listening on loopback; `close()` takes it down again. */
export async function startHarness(options: HarnessOptions): Promise<Harness> {
  const api = await startSlackApi({ botToken: BOT_TOKEN });
  const cwd = mkdtempSync(join(tmpdir(), 'reconnect-slack-'));
  const config = loadBotConfig(
    {
      PORT: '0',
      HOST: '127.0.0.1',
      DIRECTLINE_SECRET: 'd'.repeat(40),
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: api.apiUrl,
    },
    { cwd },
  );
  const logs: LogLine[] = [];
  const log = collectingLogger(logs);
  const store = options.store ?? createMemoryStore();
  const channel = createSlackChannel({
    settings: config.slack!,
    handle: options.handle,
    dedupe: store.dedupe,
    logger: log,
    retryConfig: options.retryConfig ?? { retries: 3, minTimeout: 10, maxTimeout: 50, factor: 2 },
    ...(options.ackDeadlineMs === undefined ? {} : { ackDeadlineMs: options.ackDeadlineMs }),
    ...(options.now ? { now: options.now } : {}),
    ...(options.replies ? { replies: options.replies } : {}),
  });
  if (!options.noStart) await channel.start();
  const server = createServer({ config, store, log, routes: [slackRoutes(channel)] });
  const { url } = await server.listen();
  return {
    api,
    config,
    store,
    channel,
    endpoint: `${url}${SLACK_EVENTS_PATH}`,
    logs,
    async close() {
      await server.close();
      await api.close();
      if (!options.store) await store.close();
      rmSync(cwd, { recursive: true, force: true });
    },
  };
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

export interface SlackRequest {
  body: string;
  contentType: string;
}

/** POSTs a body signed with `secret` at `timestampSec` (defaults: the lab secret, now). */
export async function postSigned(
  endpoint: string,
  request: SlackRequest,
  options: { secret?: string; timestampSec?: number; headers?: Record<string, string> } = {},
): Promise<{ status: number; text: string }> {
  const signed = signSlackRequest(
    options.secret ?? SIGNING_SECRET,
    request.body,
    options.timestampSec ?? nowSeconds(),
  );
  return post(endpoint, request, { ...signed, ...options.headers });
}

/** POSTs with exactly the given headers (no signature unless they carry one). */
export async function post(
  endpoint: string,
  request: SlackRequest,
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string }> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': request.contentType, ...headers },
    body: request.body,
  });
  return { status: response.status, text: await response.text() };
}

let counter = 0;
const nextTs = (): string => `1700001000.${String(++counter).padStart(6, '0')}`;

/** An Events API envelope as Slack delivers it. */
export function eventRequest(
  event: Record<string, unknown>,
  eventId = `Ev${String(++counter).padStart(8, '0')}`,
): SlackRequest {
  return {
    contentType: 'application/json',
    body: JSON.stringify({
      token: 'deprecated-verification-token',
      team_id: 'TLAB00001',
      api_app_id: 'ALAB00001',
      event: { event_ts: event.ts, ...event },
      type: 'event_callback',
      event_id: eventId,
      event_time: nowSeconds(),
      authorizations: [{ team_id: 'TLAB00001', user_id: 'UBOTLAB01', is_bot: true }],
    }),
  };
}

/** A user's direct message to the bot (message.im). */
export function directMessage(
  text: string,
  options: { user?: string; channel?: string; eventId?: string } = {},
) {
  const ts = nextTs();
  const event = {
    type: 'message',
    channel: options.channel ?? DM,
    channel_type: 'im',
    user: options.user ?? USER,
    text,
    ts,
  };
  return eventRequest(event, options.eventId);
}

/** An @mention in a channel (app_mention), optionally inside a thread. */
export function appMention(
  text: string,
  options: { channel?: string; threadTs?: string; user?: string } = {},
) {
  const ts = nextTs();
  const event = {
    type: 'app_mention',
    channel: options.channel ?? 'C0LABCHAN1',
    user: options.user ?? USER,
    text: `<@UBOTLAB01> ${text}`,
    ts,
    ...(options.threadTs ? { thread_ts: options.threadTs } : {}),
  };
  return eventRequest(event);
}

/** A click on a button of a message the bot posted (block_actions, form-encoded `payload`). */
export function blockAction(
  message: { channel: string; ts: string; thread_ts?: string },
  button: { action_id: string; value?: string },
  options: { user?: string; responseUrl?: string; triggerId?: string } = {},
): SlackRequest {
  const payload = {
    type: 'block_actions',
    user: { id: options.user ?? USER, username: 'lab.user', name: 'lab.user', team_id: 'TLAB00001' },
    api_app_id: 'ALAB00001',
    token: 'deprecated-verification-token',
    container: {
      type: 'message',
      message_ts: message.ts,
      channel_id: message.channel,
      is_ephemeral: false,
      ...(message.thread_ts ? { thread_ts: message.thread_ts } : {}),
    },
    trigger_id: options.triggerId ?? `trig.${++counter}`,
    team: { id: 'TLAB00001', domain: 'lab' },
    channel: { id: message.channel, name: 'directmessage' },
    message: {
      type: 'message',
      ts: message.ts,
      bot_id: 'BBOTLAB01',
      ...(message.thread_ts ? { thread_ts: message.thread_ts } : {}),
    },
    response_url: options.responseUrl ?? 'http://127.0.0.1:9/unused',
    actions: [
      {
        type: 'button',
        block_id: 'b',
        action_id: button.action_id,
        ...(button.value === undefined ? {} : { value: button.value }),
        action_ts: nextTs(),
      },
    ],
  };
  return {
    contentType: 'application/x-www-form-urlencoded',
    body: new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
  };
}

/** `/reconnect <text>` typed in `channel`. */
export function slashCommand(
  text: string,
  options: { channel?: string; responseUrl: string; user?: string },
): SlackRequest {
  const fields = {
    token: 'deprecated-verification-token',
    team_id: 'TLAB00001',
    team_domain: 'lab',
    channel_id: options.channel ?? 'C0LABCHAN1',
    channel_name: 'general',
    user_id: options.user ?? USER,
    user_name: 'lab.user',
    command: '/reconnect',
    text,
    api_app_id: 'ALAB00001',
    response_url: options.responseUrl,
    trigger_id: `trig.${++counter}`,
  };
  return { contentType: 'application/x-www-form-urlencoded', body: new URLSearchParams(fields).toString() };
}

/** A deferred promise the test resolves: the "slow step" it controls. */
export function gate(): { promise: Promise<void>; open(): void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}
