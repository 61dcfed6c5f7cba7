/**
 * The Teams channel's side of the support relay (bot/ports/support-thread.ts): case threads in a
 * Teams channel. A message sent to the channel's conversation starts a new thread (a new post); a
 * reply goes to `<channel id>;messageid=<post id>`. Sending outside a turn is proactive.ts's
 * (botbuilder's continueConversationAsync); this file is written against the small TeamsProactive
 * interface, so tests can record what would go to the Bot Connector.
 *
 * The Bot Connector has no message metadata, so there is no `find`: a retry after an ambiguous
 * failure may post twice on Teams (the outbox still never re-sends a delivered message).
 */
import { summaryLine } from '../../../cards/summary.ts';
import { adaptiveAttachment, renderTeams } from '../../../cards/teams.ts';
import { type ChannelPlace, channelPlace } from '../../core/place.ts';
import type { SupportTarget, SupportTransport, ThreadMessage } from '../../ports/support-thread.ts';

/** What the Teams channel must expose for proactive messages (continueConversationAsync). */
export interface TeamsProactive {
  /** Sends `activity` into the conversation of `ref`; resolves with the new activity's id. */
  send(ref: Record<string, unknown>, activity: Record<string, unknown>): Promise<string>;
  /** Replaces activity `activityId` in the conversation of `ref`. */
  update(ref: Record<string, unknown>, activityId: string, activity: Record<string, unknown>): Promise<void>;
}

const THREAD = ';messageid=';

/** A Teams conversation id split into its channel and, inside a thread, the thread's root post. */
export function splitTeamsConversation(id: string): ChannelPlace {
  const at = id.indexOf(THREAD);
  return at < 0 ? channelPlace(id) : channelPlace(id.slice(0, at), id.slice(at + THREAD.length));
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

/** Where the operator's configured channel (SUPPORT_TEAMS_CHANNEL) is reached. */
export interface TeamsChannelDefaults {
  serviceUrl?: string;
  tenantId?: string;
}

function threadRef(
  target: SupportTarget,
  threadId: string,
  defaults: TeamsChannelDefaults,
): Record<string, unknown> {
  const ref = channelRef(target, defaults.serviceUrl, defaults.tenantId);
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

/**
 * The support transport over `proactive`. `defaults`: the service URL and tenant of the channel
 * the operator configured (config.support.teamsChannel), for targets that carry no reference.
 */
export function createTeamsTransport(
  proactive: TeamsProactive,
  defaults: TeamsChannelDefaults = {},
): SupportTransport {
  const root = (target: SupportTarget) => channelRef(target, defaults.serviceUrl, defaults.tenantId);
  return {
    startThread: (target, message) => proactive.send(root(target), teamsActivity(message)),
    reply: (target, threadId, message) =>
      proactive.send(threadRef(target, threadId, defaults), teamsActivity(message)),
    update: (target, threadId, messageId, message) =>
      proactive.update(threadRef(target, threadId, defaults), messageId, {
        ...teamsActivity(message),
        id: messageId,
      }),
  };
}
