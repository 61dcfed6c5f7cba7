/**
 * The Slack channel: Bolt, set up so that direct messages, mentions, `/reconnect` and button
 * clicks all become core events for the same engine that serves Teams, and the engine's views
 * come back as Block Kit through the ChannelPort. Every Bolt import stays in this folder.
 *
 * Order of work for each delivery: ack (Bolt acks events itself; commands and actions ack
 * first thing), then dedupe on the delivery id, then the core. A retry (X-Slack-Retry-Num) or
 * a repeated interaction finds its id already recorded and moves nothing.
 */
import { App, SocketModeReceiver } from '@slack/bolt';
import { ConfigError, type SlackSettings } from '../../config.ts';
import type { ChannelPort, InboundEvent } from '../../core/types.ts';
import { DEFAULT_LIMITS } from '../../limits.ts';
import type { Logger } from '../../log.ts';
import { boundedPort, REPLY_RETRY, type ReplyRetry, replyDeadline } from '../../ports/bounded-port.ts';
import type { SupportTransport } from '../../ports/support-thread.ts';
import type { DedupeStore } from '../../store/types.ts';
import { isRegisterCommand } from '../commands.ts';
import {
  boltLogger,
  createWebClient,
  platformError,
  type RetryOptions,
  slackFailure,
  webClientOptions,
} from './client.ts';
import { createSlackPort, replyFinder } from './port.ts';
import { SlackHttpReceiver, type SlackHttpRequest, type SlackHttpResponse } from './receiver.ts';
import { createSlackSupportTransport } from './support-transport.ts';
import {
  fromAppMention,
  fromBlockAction,
  fromDirectMessage,
  fromRegisterCommand,
  fromSlashCommand,
  fromThreadReply,
  type SlackBlockActions,
  type SlackMessageEvent,
} from './translate.ts';

/** Slack retries a delivery for about an hour; remember ids well past that. */
export const DEDUPE_TTL_MS = 6 * 60 * 60 * 1000;
export const SLASH_COMMAND = '/reconnect';
/**
 * The Events API subscriptions the listeners below serve, and the bot scopes the channel's
 * calls need. deploy/slack/manifest.yaml must list them all (test/slack/manifest.test.ts).
 */
/** message.channels / message.groups: replies in support threads (translate.ts fromThreadReply). */
export const SLACK_EVENTS = ['message.im', 'app_mention', 'message.channels', 'message.groups'] as const;
export const SLACK_SCOPES = [
  'app_mentions:read',
  'channels:history',
  'chat:write',
  'commands',
  'groups:history',
  'im:history',
  'im:write',
] as const;

export interface SlackChannelOptions {
  settings: SlackSettings;
  /** The engine's entry point; may be bound after the channel is made (the engine needs `port`). */
  handle: (event: InboundEvent) => Promise<unknown>;
  dedupe: DedupeStore;
  logger: Logger;
  /** Epoch ms for signature windows and event times. Default Date.now. */
  now?: () => number;
  retryConfig?: RetryOptions;
  /** See SlackHttpReceiver. */
  ackDeadlineMs?: number;
  /**
   * The engine's posts and card updates (bot/ports/bounded-port.ts): `timeoutMs` per try
   * (config.limits.replyTimeoutMs), or a `deadline` signal per try; retries by REPLY_RETRY.
   */
  replies?: Partial<ReplyRetry> & { timeoutMs?: number; deadline?: () => AbortSignal };
}

export interface SlackChannel {
  mode: SlackSettings['mode'];
  /** What the engine posts and updates Slack messages through. */
  port: ChannelPort;
  /** HTTP mode only: handles one POST to /api/slack/events. */
  dispatch?: (request: SlackHttpRequest) => Promise<SlackHttpResponse>;
  /** Checks the bot token (auth.test) and, in Socket Mode, connects. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Resolves when the work of every HTTP delivery received so far has finished. */
  idle(): Promise<void>;
  /** Case threads for the support relay, over the Web API (support-transport.ts). `now`: epoch ms. */
  supportTransport(options?: { now?: () => number }): SupportTransport;
}

/** The answer to `/reconnect support-here`, from what the support relay said (the turn's `text`). */
export function registeredText(result: unknown): string {
  const { outcome, text } = (result ?? {}) as { outcome?: unknown; text?: unknown };
  if (typeof text !== 'string') return 'Sorry, I could not register this channel. Please try again.';
  return outcome === 'registered'
    ? `${text} Make sure the Reconnect app is a member of this channel (/invite @Reconnect) so it can post here.`
    : text;
}

const START_CHECK_MS = 5_000;

/**
 * HTTP deliveries to our own endpoint, or Socket Mode when an app token is configured (the
 * workspace then needs no public URL; Slack signs nothing there, the socket is authenticated).
 */
export function selectReceiver(
  settings: SlackSettings,
  options: { logger: Logger; now?: () => number; ackDeadlineMs?: number },
): SlackHttpReceiver | SocketModeReceiver {
  if (settings.mode === 'socket') {
    return new SocketModeReceiver({
      appToken: settings.appToken!,
      logger: boltLogger(options.logger),
      installerOptions: { clientOptions: { slackApiUrl: settings.apiUrl } },
    });
  }
  return new SlackHttpReceiver({
    signingSecret: settings.signingSecret!,
    logger: options.logger,
    ...(options.now ? { now: options.now } : {}),
    ...(options.ackDeadlineMs === undefined ? {} : { ackDeadlineMs: options.ackDeadlineMs }),
  });
}

export function createSlackChannel(options: SlackChannelOptions): SlackChannel {
  const { settings, logger, dedupe } = options;
  const now = options.now ?? Date.now;
  const bolt = boltLogger(logger);
  const client = createWebClient(settings, { retryConfig: options.retryConfig, logger: bolt });
  // The engine's replies get a client of their own that neither retries nor sleeps out a 429
  // (one try per call, its socket freed at the reply timeout): the bounded port retries, so a
  // rate-limited or failing conversation waits alone, for at most REPLY_RETRY's cap.
  const { timeoutMs = DEFAULT_LIMITS.replyTimeoutMs, deadline, ...retry } = options.replies ?? {};
  const replyClient = createWebClient(settings, {
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeoutMs,
    logger: bolt,
  });
  const receiver = selectReceiver(settings, { logger, now, ackDeadlineMs: options.ackDeadlineMs });
  const http = receiver instanceof SlackHttpReceiver ? receiver : undefined;

  // auth.test once per process (retried after a failure): Bolt's ignoreSelf middleware needs
  // the bot's ids to drop the bot's own messages.
  let identity: Promise<{ botUserId?: string; botId?: string }> | undefined;
  const whoami = () =>
    (identity ??= client.auth.test().then(
      (r) => ({ botUserId: r.user_id, botId: r.bot_id }),
      (error: unknown) => {
        identity = undefined;
        throw error;
      },
    ));

  const app = new App({
    receiver,
    authorize: async () => ({ botToken: settings.botToken, ...(await whoami()) }),
    logger: bolt,
    clientOptions: webClientOptions(settings, { retryConfig: options.retryConfig, logger: bolt }),
    convoStore: false,
  });
  app.error(async (error) => logger.error('slack: listener failed', { error }));

  const common = (deliveryId: string) => ({ deliveryId, at: new Date(now()).toISOString() });

  /** True when this delivery id was already handled (a retry or a replay): skip it. */
  async function duplicate(deliveryId: string, retryNum: unknown): Promise<boolean> {
    if (!(await dedupe.seen(`slack:delivery:${deliveryId}`, DEDUPE_TTL_MS))) return false;
    logger.info('slack: duplicate delivery ignored', { deliveryId, retryNum });
    return true;
  }

  async function run(event: InboundEvent | undefined, retryNum: unknown): Promise<void> {
    if (event === undefined) return;
    const deliveryId = event.id.slice('slack:'.length);
    if (await duplicate(deliveryId, retryNum)) return;
    await options.handle(event);
  }

  // Bolt routes every message.* under 'message': a DM is the user's, a reply in a channel's
  // thread may be support's (the support relay knows which threads are cases).
  app.event('message', async ({ event, body, context }) => {
    const id = (body as { event_id?: string }).event_id;
    if (!id) return;
    const message = event as SlackMessageEvent;
    const inbound =
      fromDirectMessage(message, common(id)) ?? fromThreadReply(message, common(id), context.botUserId);
    await run(inbound, context.retryNum);
  });

  app.event('app_mention', async ({ event, body, context }) => {
    const id = (body as { event_id?: string }).event_id;
    if (id) await run(fromAppMention(event as SlackMessageEvent, common(id)), context.retryNum);
  });

  app.command(SLASH_COMMAND, async ({ ack, command, respond }) => {
    if (isRegisterCommand(command.text ?? '')) {
      // `/reconnect support-here` registers the channel it was typed in, answered in the ack
      // with what the support relay said (a few store writes, well inside Slack's 3 s).
      if (await duplicate(command.trigger_id, undefined)) return ack();
      const result = await options.handle(fromRegisterCommand(command, common(command.trigger_id)));
      return ack({ response_type: 'ephemeral', text: registeredText(result) });
    }
    await ack();
    if (await duplicate(command.trigger_id, undefined)) return;
    try {
      // The case goes on in the user's DM with the bot, wherever the command was typed: the
      // bot may not be in that channel, and a user's network details are not for a channel.
      const opened = await client.conversations.open({ users: command.user_id });
      const dm = opened.channel?.id;
      if (!dm) throw new Error('conversations.open returned no channel');
      await options.handle(fromSlashCommand(command, dm, common(command.trigger_id)));
      if (dm !== command.channel_id) {
        await respond({ response_type: 'ephemeral', text: `I've sent you a direct message: <#${dm}>` });
      }
    } catch (error) {
      logger.error('slack: /reconnect failed', { error, slackError: platformError(error) });
      await respond({
        response_type: 'ephemeral',
        text: 'Sorry, I could not start your case. Please try again.',
      });
    }
  });

  app.action({ type: 'block_actions' }, async ({ ack, body, respond }) => {
    await ack();
    const actions = body as unknown as SlackBlockActions;
    const id = actions.trigger_id ?? actions.actions[0]?.action_ts;
    if (!id) return logger.warn('slack: block_actions without trigger_id or action_ts; ignored');
    let event: InboundEvent | undefined;
    try {
      event = fromBlockAction(actions, common(id));
    } catch (error) {
      return logger.warn('slack: a button sent data that is not ours; ignored', { error });
    }
    try {
      await run(event, undefined);
    } catch (error) {
      logger.error('slack: button handling failed', { error, slackError: platformError(error) });
      await respond({
        response_type: 'ephemeral',
        replace_original: false,
        text: 'Sorry, that did not go through. Please try again.',
      });
    }
  });

  return {
    mode: settings.mode,
    port: boundedPort(createSlackPort(replyClient), {
      name: 'slack',
      deadline: deadline ?? replyDeadline(timeoutMs),
      retry: { policy: REPLY_RETRY, classify: slackFailure, landed: replyFinder(replyClient), ...retry },
    }),
    ...(http ? { dispatch: (request: SlackHttpRequest) => http.dispatch(request) } : {}),
    async start() {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const slow = new Promise<'slow'>((resolve) => {
        timer = setTimeout(() => resolve('slow'), START_CHECK_MS);
      });
      try {
        // A refused token is a configuration error (the server must not start as if Slack
        // worked); an unreachable Slack is not ours to fix at start (the first delivery tries
        // auth.test again), so that only warns.
        if ((await Promise.race([whoami(), slow])) === 'slow') {
          logger.warn('slack: auth.test is slow; starting anyway', { apiUrl: settings.apiUrl });
        }
      } catch (error) {
        const code = platformError(error);
        if (code)
          throw new ConfigError(`SLACK_BOT_TOKEN was refused by ${settings.apiUrl} (auth.test: ${code})`);
        logger.warn('slack: auth.test failed; starting anyway', { error, apiUrl: settings.apiUrl });
      } finally {
        clearTimeout(timer);
      }
      if (settings.mode === 'socket') await app.start();
    },
    async stop() {
      await app.stop();
    },
    idle: () => http?.idle() ?? Promise.resolve(),
    supportTransport: (transport = {}) =>
      createSlackSupportTransport({
        botToken: settings.botToken,
        apiUrl: settings.apiUrl,
        ...(transport.now ? { now: transport.now } : {}),
      }),
  };
}
