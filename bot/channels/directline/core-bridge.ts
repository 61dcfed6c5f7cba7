/**
 * Direct Line ↔ the conversation core, both halves of the web chat's adapter: a user activity
 * becomes a CoreEvent (typed text, or an Action.Submit click whose `value` is the card data),
 * and the core's views go back as Direct Line activities through the channel's port: screens
 * as Adaptive Cards with Action.Submit only (Web Chat has no Action.Execute), notices as plain
 * text. An update re-emits the card under the same activity id, so Web Chat replaces it in place.
 *
 * Nothing here is kept between activities: the session in the store is the conversation.
 */
import { parseActionData } from '../../../cards/actions.ts';
import { summaryLine } from '../../../cards/summary.ts';
import { renderWebChat } from '../../../cards/webchat.ts';
import { noticeMarkdown } from '../../core/notices.ts';
import { type ChannelPort, type CoreEvent, conversationKey, type OutboundView } from '../../core/types.ts';
import type { Logger } from '../../log.ts';
import type { Activity, DirectLinePort, OnActivity } from './types.ts';

export const ADAPTIVE_CARD_TYPE = 'application/vnd.microsoft.card.adaptive';

/** Said when a web chat conversation starts, before the user has typed anything. */
export const WELCOME =
  'Hi! I help when Teams will not sign in (for example error CAA20004). Tell me what Teams shows, ' +
  'or just describe what happens. This page works without signing in to Microsoft.';

/** Said when a click carries data that is not one of our cards' (never silence, never a stack trace). */
export const UNREADABLE_CLICK =
  'I could not read that button press; it may come from an old card. Type what Teams shows, ' +
  'for example "Teams says CAA20004", and I will start again from there.';

/** Thrown for a click whose data is not ours; the message names the field that was wrong. */
export class WebChatInputError extends Error {
  readonly code = 'invalid_action_data';
}

/** True for an Action.Submit click: Web Chat posts the card's data as `value` on a message. */
function isSubmit(activity: Activity): boolean {
  return typeof activity.value === 'object' && activity.value !== null && !Array.isArray(activity.value);
}

/**
 * A posted activity as a core event, or undefined when it is not for the core (typing, events,
 * an empty message). The activity id (unique per post, assigned by our channel) is the dedupe
 * key; the actor is `activity.from`, which the channel bound to the token's user. Throws
 * WebChatInputError for a click whose data fails parseActionData.
 */
export function eventFromActivity(conversationId: string, activity: Activity): CoreEvent | undefined {
  if (activity.type !== 'message' || !activity.id || !activity.from?.id) return undefined;
  const at = new Date(activity.timestamp ?? Number.NaN);
  const base = {
    id: `webchat:${activity.id}`,
    conversationKey: conversationKey('webchat', conversationId),
    channel: 'webchat' as const,
    conversation: { id: conversationId },
    actor: {
      id: activity.from.id,
      ...(activity.from.name ? { name: activity.from.name } : {}),
      role: 'user' as const,
    },
    at: Number.isNaN(at.getTime()) ? new Date().toISOString() : at.toISOString(),
  };
  if (isSubmit(activity)) {
    let data: ReturnType<typeof parseActionData>;
    try {
      data = parseActionData(activity.value);
    } catch (error) {
      throw new WebChatInputError((error as Error).message);
    }
    const { verb, ...rest } = data;
    return { ...base, kind: 'action', verb, data: rest };
  }
  const text = (activity.text ?? '').trim();
  return text === '' ? undefined : { ...base, kind: 'message', text };
}

/**
 * The Direct Line activity that shows `view`: an Adaptive Card for a screen, markdown for a
 * notice (Web Chat renders it: commands as code blocks with a copy button, links as links).
 */
export function activityForView(view: OutboundView): Activity {
  if (view.screen === 'notice')
    return { type: 'message', text: noticeMarkdown(view), textFormat: 'markdown' };
  return {
    type: 'message',
    // Screen readers and transcripts get one line even where the card does not render.
    summary: summaryLine(view),
    attachments: [{ contentType: ADAPTIVE_CARD_TYPE, content: renderWebChat(view) }],
  };
}

/** The core's port into web chat conversations (session.conversation.id is the Direct Line conversation). */
export function createWebChatPort(directLine: DirectLinePort): ChannelPort {
  return {
    send: (session, view, key) => directLine.send(session.conversation.id, activityForView(view), key),
    update: (session, activityId, view) =>
      directLine.update(session.conversation.id, activityId, activityForView(view)),
  };
}

export interface CoreBotOptions {
  /** The engine's entry point. */
  handle: (event: CoreEvent) => Promise<unknown>;
  log: Logger;
}

/**
 * The Direct Line channel's bot: greets a new conversation, hands messages and clicks to the
 * core, and answers an unreadable click with a sentence. The core replies through the port
 * router (its own sends), not through the `port` passed here.
 */
export function coreBot(options: CoreBotOptions): OnActivity {
  return async (conversationId, activity, port) => {
    if (activity.type === 'conversationUpdate') {
      await port.send(conversationId, { type: 'message', text: WELCOME, textFormat: 'plain' });
      return;
    }
    let event: CoreEvent | undefined;
    try {
      event = eventFromActivity(conversationId, activity);
    } catch (error) {
      if (!(error instanceof WebChatInputError)) throw error;
      options.log.warn('webchat: a click carried data that is not ours', {
        conversationId,
        error: error.message,
      });
      await port.send(conversationId, {
        type: 'message',
        text: UNREADABLE_CLICK,
        textFormat: 'plain',
        ...(activity.id ? { replyToId: activity.id } : {}),
      });
      return;
    }
    if (event !== undefined) await options.handle(event);
  };
}
