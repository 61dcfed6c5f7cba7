/**
 * The engine's ChannelPort over the Slack Web API: a view becomes a Block Kit message (F2's
 * renderSlack) posted with chat.postMessage, and the live card is replaced in place with
 * chat.update at the ts the send returned. One Web API call per method call: retries (a 429's
 * Retry-After, a 5xx) and the reply deadline are bot/ports/bounded-port.ts's, around this port.
 */

import { SLACK } from '../../../cards/limits.ts';
import { renderSlack, type SlackMessage } from '../../../cards/slack.ts';
import { clip } from '../../../cards/truncate.ts';
import { noticeMrkdwn, noticeText } from '../../core/notices.ts';
import type { ChannelPort, NoticeView, OutboundView, Session, View } from '../../core/types.ts';
import type { WebClient } from './client.ts';
import { mrkdwnSections } from './sections.ts';
import { refOf } from './translate.ts';

/** The two Web API methods the port calls. */
export interface SlackChatApi {
  chat: Pick<WebClient['chat'], 'postMessage' | 'update'>;
}

/** The metadata event type a keyed reply carries, so an ambiguous failure can be looked up. */
export const REPLY_METADATA_EVENT = 'reconnect_reply';
/** How far back `findReply` looks: a turn's replies are among the conversation's latest. */
const LOOKBACK = 20;
type PostArgs = Parameters<WebClient['chat']['postMessage']>[0];
type UpdateArgs = Parameters<WebClient['chat']['update']>[0];

/**
 * A notice is text, not a screen: one mrkdwn section (commands in code blocks, <url|links>,
 * escaped by noticeMrkdwn), the plain wording as the notification text.
 */
export function renderNotice(view: NoticeView): SlackMessage {
  const icon = view.tone === 'warning' ? '⚠️ ' : '';
  return {
    text: clip(noticeText(view), SLACK.fallbackText),
    // A long notice (the hand-off sent to copy) takes several sections, never a clipped one.
    blocks: mrkdwnSections(icon + noticeMrkdwn(view), SLACK.sectionText)
      .slice(0, SLACK.maxBlocks)
      .map((text) => ({ type: 'section', text: { type: 'mrkdwn', text: clip(text, SLACK.sectionText) } })),
  };
}

function render(view: OutboundView): SlackMessage {
  return view.screen === 'notice' ? renderNotice(view) : renderSlack(view);
}

/** A ChannelPort posting into the session's DM or thread. */
export function createSlackPort(client: SlackChatApi): ChannelPort {
  return {
    async send(session: Session, view: OutboundView, key?: string): Promise<string> {
      const { channel, threadTs } = refOf(session.conversation);
      const message = render(view);
      const result = await client.chat.postMessage({
        channel,
        ...(threadTs ? { thread_ts: threadTs } : {}),
        text: message.text,
        blocks: message.blocks,
        unfurl_links: false,
        unfurl_media: false,
        ...(key === undefined
          ? {}
          : { metadata: { event_type: REPLY_METADATA_EVENT, event_payload: { key } } }),
      } as PostArgs);
      if (!result.ts) throw new Error(`slack: chat.postMessage to ${channel} returned no ts`);
      return result.ts;
    },
    async update(session: Session, activityId: string, view: View): Promise<void> {
      const { channel } = refOf(session.conversation);
      const message = render(view);
      await client.chat.update({
        channel,
        ts: activityId,
        text: message.text,
        blocks: message.blocks,
      } as UpdateArgs);
    },
  };
}

/**
 * The ts of the reply posted with `key` (ChannelPort.send's), among the conversation's latest
 * messages, or undefined: for bot/ports/bounded-port.ts after a 5xx that may have posted it.
 * Reads with im:history (a DM) or channels:history / groups:history (a thread).
 */
export function replyFinder(client: Pick<WebClient, 'conversations'>) {
  return async (session: Session, key: string): Promise<string | undefined> => {
    const { channel, threadTs } = refOf(session.conversation);
    const page = threadTs
      ? await client.conversations.replies({
          channel,
          ts: threadTs,
          limit: LOOKBACK,
          include_all_metadata: true,
        })
      : await client.conversations.history({ channel, limit: LOOKBACK, include_all_metadata: true });
    const found = page.messages?.find((m) => {
      const metadata = m.metadata as { event_type?: string; event_payload?: { key?: unknown } } | undefined;
      return metadata?.event_type === REPLY_METADATA_EVENT && metadata.event_payload?.key === key;
    });
    return found?.ts;
  };
}
