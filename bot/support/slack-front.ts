/**
 * The two Slack deliveries the support relay needs that the Slack channel (issue 7) does not
 * pass on: `/reconnect support-here` (the channel turns every `/reconnect` into a case in the
 * user's DM, so the channel it was typed in is lost), and plain replies in a support channel's
 * case threads (the channel keeps direct messages only). This wrapper looks at each signed POST
 * before the channel does: those two are handled here, everything else goes to the channel
 * unchanged, so Bolt's handling, acks and dedupe stay as they are.
 *
 * The Slack app needs the `message.channels` (and `message.groups`) events and the
 * channels:history (groups:history) scopes for thread replies to arrive.
 */
import type { SlackChannel } from '../channels/slack/channel.ts';
import { parseSlackBody, type SlackHttpRequest, type SlackHttpResponse } from '../channels/slack/receiver.ts';
import { checkSlackSignature } from '../channels/slack/signature.ts';
import { conversationOf, type SlackMessageEvent } from '../channels/slack/translate.ts';
import { type CoreEvent, conversationKey } from '../core/types.ts';
import type { Logger } from '../log.ts';
import type { DedupeStore } from '../store/types.ts';
import { RELAY_DEDUPE_MS } from './context.ts';
import { isRegisterCommand, slackRegistered } from './messages.ts';
import type { RegisterResult } from './registry.ts';

export interface SlackFrontOptions {
  signingSecret: string;
  log: Logger;
  dedupe: DedupeStore;
  /** Epoch ms, for the signature window. */
  now?: () => number;
  /** True when `channelId` is a support channel (its thread replies are ours). */
  isSupportChannel(channelId: string): Promise<boolean>;
  register(channelId: string, userId: string): Promise<RegisterResult>;
  /** The support relay's entry point (gate). */
  handle(event: CoreEvent): Promise<unknown>;
}

function header(headers: SlackHttpRequest['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

const json = (body: unknown): SlackHttpResponse => ({
  status: 200,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

/** A person's reply inside a thread of a (non-DM) channel, or undefined. */
function threadReply(body: Record<string, unknown>): SlackMessageEvent | undefined {
  if (body.type !== 'event_callback') return undefined;
  const event = body.event as SlackMessageEvent | undefined;
  if (event?.type !== 'message' || event.subtype !== undefined || event.bot_id !== undefined)
    return undefined;
  if (!event.channel || !event.user || !event.ts || !event.thread_ts || event.thread_ts === event.ts)
    return undefined;
  if (event.channel_type === 'im' || event.channel.startsWith('D')) return undefined;
  return event;
}

/** Returns `channel` with its dispatch looking at support deliveries first. */
export function wrapSlackChannel(channel: SlackChannel, options: SlackFrontOptions): SlackChannel {
  const original = channel.dispatch;
  if (!original) return channel;
  const now = options.now ?? Date.now;
  const inFlight = new Set<Promise<unknown>>();

  const signed = (request: SlackHttpRequest): boolean =>
    checkSlackSignature({
      signingSecret: options.signingSecret,
      rawBody: request.rawBody,
      headers: request.headers,
      nowMs: now(),
    }).ok;

  async function dispatch(request: SlackHttpRequest): Promise<SlackHttpResponse> {
    const body = parseSlackBody(request.rawBody, header(request.headers, 'content-type'));
    // Unsigned or forged requests go to the channel, which refuses them with its own 401 and log line.
    if (body === undefined || !signed(request)) return original!(request);

    if (body.command === '/reconnect' && typeof body.text === 'string' && isRegisterCommand(body.text)) {
      const result = await options.register(String(body.channel_id), String(body.user_id));
      return json({
        response_type: 'ephemeral',
        text: slackRegistered(result.ok, result.ok ? '' : result.message),
      });
    }

    const reply = threadReply(body);
    if (!reply || !(await options.isSupportChannel(reply.channel!))) return original!(request);
    const eventId = String(body.event_id ?? reply.ts);
    if (await options.dedupe.seen(`slack:delivery:${eventId}`, RELAY_DEDUPE_MS)) return json({ ok: true });
    const conversation = conversationOf(reply.channel!, reply.thread_ts);
    const event: CoreEvent = {
      id: `slack:msg:${reply.channel}:${reply.ts}`,
      channel: 'slack',
      conversationKey: conversationKey('slack', conversation.id),
      conversation,
      actor: { id: reply.user!, role: 'user' },
      at: new Date(now()).toISOString(),
      kind: 'message',
      text: (reply.text ?? '').trim(),
    };
    // Ack first (Slack wants an answer within 3 s); the relay goes on behind it.
    const work = options
      .handle(event)
      .catch((error: unknown) => options.log.error('support: a Slack thread reply failed', { error }))
      .finally(() => inFlight.delete(work));
    inFlight.add(work);
    return { status: 200, headers: {}, body: '' };
  }

  return {
    ...channel,
    dispatch,
    async idle() {
      await channel.idle();
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
}
