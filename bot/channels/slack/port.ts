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
    async send(session: Session, view: OutboundView): Promise<string> {
      const { channel, threadTs } = refOf(session.conversation);
      const message = render(view);
      const result = await client.chat.postMessage({
        channel,
        ...(threadTs ? { thread_ts: threadTs } : {}),
        text: message.text,
        blocks: message.blocks,
        unfurl_links: false,
        unfurl_media: false,
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
