/**
 * Support threads in a Teams channel. A message sent to the channel's conversation starts a new
 * thread (a new post); a reply goes to `<channel id>;messageid=<post id>`. Sending outside a turn
 * is the Teams channel's business (botbuilder's continueConversationAsync, helper G3's module):
 * this file is written against the small TeamsProactive interface so that every botbuilder
 * import stays in bot/channels/teams*.
 *
 * The Bot Connector has no message metadata, so there is no `find`: a retry after an ambiguous
 * failure may post twice on Teams (the outbox still never re-sends a delivered message).
 */
import { summaryLine } from '../../cards/summary.ts';
import { adaptiveAttachment, renderTeams } from '../../cards/teams.ts';
import type { SupportTarget, SupportTransport, ThreadMessage } from './types.ts';

/** What the Teams channel must expose for proactive messages (continueConversationAsync). */
export interface TeamsProactive {
  /** Sends `activity` into the conversation of `ref`; resolves with the new activity's id. */
  send(ref: Record<string, unknown>, activity: Record<string, unknown>): Promise<string>;
  /** Replaces activity `activityId` in the conversation of `ref`. */
  update(ref: Record<string, unknown>, activityId: string, activity: Record<string, unknown>): Promise<void>;
}

const THREAD = ';messageid=';

/** A Teams conversation id split into its channel and, inside a thread, the thread's root post. */
export function splitTeamsConversation(id: string): { channelId: string; threadId?: string } {
  const at = id.indexOf(THREAD);
  return at < 0 ? { channelId: id } : { channelId: id.slice(0, at), threadId: id.slice(at + THREAD.length) };
}

/** True when a Teams conversation reference is a channel's (a team), not a personal or group chat. */
export function isChannelRef(ref: unknown): boolean {
  const conversation = (ref as { conversation?: { conversationType?: unknown; id?: unknown } } | undefined)
    ?.conversation;
  return (
    conversation?.conversationType === 'channel' ||
    (typeof conversation?.id === 'string' && /@thread\.(tacv2|skype)/.test(conversation.id))
  );
}

/**
 * The reference to post to the channel itself (a new thread): the registered one with the
 * thread part removed, or one built from configuration (service URL, channel id, tenant).
 */
export function channelRef(
  target: SupportTarget,
  serviceUrl?: string,
  tenantId?: string,
): Record<string, unknown> {
  const base = (target.ref ?? {}) as { conversation?: Record<string, unknown>; serviceUrl?: string };
  return {
    channelId: 'msteams',
    ...base,
    serviceUrl: base.serviceUrl ?? serviceUrl,
    conversation: {
      isGroup: true,
      conversationType: 'channel',
      ...(tenantId ? { tenantId } : {}),
      ...base.conversation,
      id: target.channelId,
    },
  };
}

function threadRef(target: SupportTarget, threadId: string): Record<string, unknown> {
  const ref = channelRef(target);
  return {
    ...ref,
    conversation: { ...(ref.conversation as object), id: `${target.channelId}${THREAD}${threadId}` },
  };
}

/** The activity for a thread message: the card as an Adaptive Card (Universal Actions), text as text. */
export function teamsActivity(message: ThreadMessage): Record<string, unknown> {
  switch (message.kind) {
    case 'card':
      return {
        type: 'message',
        summary: summaryLine(message.view),
        attachments: [adaptiveAttachment(renderTeams(message.view, { universalActions: true }))],
      };
    case 'text':
      return { type: 'message', text: message.text, textFormat: 'plain' };
    case 'code':
      return {
        type: 'message',
        textFormat: 'markdown',
        text: `**${message.title}**\n\n\`\`\`\n${message.body}\n\`\`\``,
      };
  }
}

export function createTeamsTransport(proactive: TeamsProactive): SupportTransport {
  return {
    startThread: (target, message) => proactive.send(channelRef(target), teamsActivity(message)),
    reply: (target, threadId, message) => proactive.send(threadRef(target, threadId), teamsActivity(message)),
    update: (target, threadId, messageId, message) =>
      proactive.update(threadRef(target, threadId), messageId, { ...teamsActivity(message), id: messageId }),
  };
}
