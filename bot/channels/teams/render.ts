/**
 * Core view → Teams activity: the adapter's outbound half. Screens become an Adaptive Card 1.5
 * (F2's renderTeams: Action.Execute with an Action.Submit fallback); notices are plain text.
 */
import type { Activity } from 'botbuilder';
import { summaryLine } from '../../../cards/summary.ts';
import { adaptiveAttachment, renderTeams } from '../../../cards/teams.ts';
import { noticeMarkdown } from '../../core/notices.ts';
import type { NoticeView, OutboundView, View } from '../../core/types.ts';

export const ADAPTIVE_CARD_TYPE = 'application/vnd.microsoft.card.adaptive';

export interface RenderOptions {
  /** Action.Execute (card replaced in place) with an Action.Submit fallback; false: Submit only. */
  universalActions: boolean;
}

/**
 * The Adaptive Card for a screen. No Universal Actions `refresh`: updateActivity already changes
 * the live card on every client, and a refresh on every card would turn old cards in the chat
 * history into copies of the current one (and cost a turn each time one scrolls into view).
 */
export function renderCard(view: View, options: RenderOptions): Record<string, unknown> {
  return renderTeams(view, { universalActions: options.universalActions });
}

/** A notice as a markdown message: commands in copyable code blocks, links as links. */
export function noticeActivity(view: NoticeView): Partial<Activity> {
  return { type: 'message', text: noticeMarkdown(view), textFormat: 'markdown' };
}

/**
 * The activity that shows `view` in Teams (a message; its id is set by the caller for updates).
 * `notices`: plain text shown above the card in the same message (ChannelPort.sendCard) as markdown, kept
 * on every update of that message.
 */
export function renderActivity(
  view: OutboundView,
  options: RenderOptions,
  notices: readonly NoticeView[] = [],
): Partial<Activity> {
  if (view.screen === 'notice') return noticeActivity(view);
  return {
    type: 'message',
    ...(notices.length > 0 ? { text: notices.map(noticeMarkdown).join('\n\n'), textFormat: 'markdown' } : {}),
    // The summary is what notifications and the chat list show for a card.
    summary: summaryLine(view),
    attachments: [adaptiveAttachment(renderCard(view, options))],
  };
}
