/**
 * The Slack channel's side of the support relay (bot/ports/support-thread.ts): case threads on
 * Slack, over the Web API directly (fetch) rather than Bolt's WebClient: the
 * WebClient retries on its own, with real timers, while the outbox must own every retry (its
 * clock is injected and its state survives a restart). One call per attempt; every failure is a
 * DeliveryError the outbox can act on.
 *
 * Each post carries the outbox key as message metadata, so after an ambiguous failure `find`
 * can look the message up (conversations.replies / conversations.history) instead of posting it
 * twice. Needs the bot scopes chat:write and channels:history (groups:history for a private
 * support channel).
 */

import { SLACK } from '../../../cards/limits.ts';
import { escapeSlack } from '../../../cards/markdown.ts';
import { renderSlack, type SlackMessage } from '../../../cards/slack.ts';
import { clip } from '../../../cards/truncate.ts';
import {
  DeliveryError,
  httpFailure,
  type SupportTarget,
  type SupportTransport,
  type ThreadMessage,
} from '../../ports/support-thread.ts';

export interface SlackTransportOptions {
  botToken: string;
  /** Web API base ending in `/` (config.slack.apiUrl). */
  apiUrl: string;
  /** Epoch ms, for Retry-After given as a date. */
  now?: () => number;
  /** Per call (default 20 s). */
  timeoutMs?: number;
}

/** The metadata event type our posts carry. */
export const METADATA_EVENT = 'reconnect_outbox';

/** Slack platform errors that retrying will not fix. */
const PERMANENT = new Set([
  'channel_not_found',
  'not_in_channel',
  'is_archived',
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'missing_scope',
  'invalid_blocks',
  'msg_too_long',
  'msg_blocks_too_long',
  'no_text',
  'invalid_arguments',
  'message_not_found',
  'cant_update_message',
]);

/** A message's Slack payload: the card as Block Kit, text and code as mrkdwn. */
export function slackMessage(message: ThreadMessage): SlackMessage | { text: string } {
  switch (message.kind) {
    case 'card':
      return renderSlack(message.view);
    case 'text':
      return { text: clip(escapeSlack(message.text), SLACK.sectionText) };
    case 'code':
      return { text: `*${escapeSlack(message.title)}*\n\`\`\`${escapeSlack(message.body)}\`\`\`` };
  }
}

export function createSlackSupportTransport(options: SlackTransportOptions): SupportTransport {
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? 20_000;

  async function call(method: string, params: Record<string, unknown>): Promise<Record<string, unknown>> {
    const form = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) {
      if (v !== undefined) form.set(k, typeof v === 'string' ? v : JSON.stringify(v));
    }
    let response: Response;
    try {
      response = await fetch(`${options.apiUrl}${method}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${options.botToken}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: form.toString(),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      // Connection refused, reset, timed out: the request may or may not have been acted on.
      throw new DeliveryError(`slack ${method}: ${(error as Error).message}`, { status: 0, ambiguous: true });
    }
    const text = await response.text().catch(() => '');
    if (response.status !== 200)
      throw httpFailure(`slack ${method}`, response.status, response.headers.get('retry-after'), now());
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new DeliveryError(`slack ${method}: the answer is not JSON`, { status: 502, ambiguous: true });
    }
    if (body.ok === true) return body;
    const code = String(body.error ?? 'unknown_error');
    if (code === 'ratelimited')
      throw new DeliveryError(`slack ${method}: ratelimited`, { status: 429, retryAfterMs: 1000 });
    throw new DeliveryError(`slack ${method}: ${code}`, {
      status: 200,
      permanent: PERMANENT.has(code),
      ambiguous: !PERMANENT.has(code),
    });
  }

  async function post(
    target: SupportTarget,
    threadTs: string | undefined,
    message: ThreadMessage,
    key: string,
  ) {
    const body = await call('chat.postMessage', {
      channel: target.channelId,
      ...(threadTs ? { thread_ts: threadTs } : {}),
      ...slackMessage(message),
      metadata: { event_type: METADATA_EVENT, event_payload: { key } },
      unfurl_links: 'false',
      unfurl_media: 'false',
    });
    if (typeof body.ts !== 'string')
      throw new DeliveryError('slack chat.postMessage: the answer has no ts', {
        status: 502,
        ambiguous: true,
      });
    return body.ts;
  }

  return {
    startThread: (target, message, key) => post(target, undefined, message, key),
    reply: (target, threadId, message, key) => post(target, threadId, message, key),
    async update(target, _threadId, messageId, message) {
      await call('chat.update', { channel: target.channelId, ts: messageId, ...slackMessage(message) });
    },
    async find(target, threadId, key) {
      const body = threadId
        ? await call('conversations.replies', {
            channel: target.channelId,
            ts: threadId,
            include_all_metadata: 'true',
            limit: '200',
          })
        : await call('conversations.history', {
            channel: target.channelId,
            include_all_metadata: 'true',
            limit: '100',
          });
      const messages = (body.messages ?? []) as {
        ts?: string;
        metadata?: { event_payload?: { key?: string } };
      }[];
      return messages.find((m) => m.metadata?.event_payload?.key === key)?.ts;
    },
  };
}
