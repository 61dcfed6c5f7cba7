/**
 * Teams activity → core event: the adapter's inbound half. A typed message, an Action.Submit
 * click (a message whose `value` carries the card data) and an Action.Execute invoke
 * (`adaptiveCard/action`) become `message` and `action` events; everything else is not ours.
 */
import { type Activity, TurnContext } from 'botbuilder';
import { parseActionData } from '../../../cards/actions.ts';
import { type Actor, type CoreEvent, conversationKey } from '../../core/types.ts';
import { splitTeamsConversation } from './support-transport.ts';

export const ADAPTIVE_CARD_ACTION = 'adaptiveCard/action';

/** Thrown for an activity that claims to be ours but cannot be read; `code` for the reply. */
export class TeamsInputError extends Error {
  readonly code: 'invalid_action_data' | 'invalid_activity';
  constructor(code: TeamsInputError['code'], message: string) {
    super(message);
    this.code = code;
  }
}

/**
 * The dedupe key of an activity. Teams message ids are per conversation (often a millisecond
 * timestamp), so the conversation is part of the key; a retry re-delivers the same id and
 * therefore the same key.
 */
export function eventId(activity: Partial<Activity>): string {
  const conversation = activity.conversation?.id;
  if (!activity.id || !conversation)
    throw new TeamsInputError('invalid_activity', 'Teams activity without "id" or "conversation.id"');
  return `${conversationKey('teams', conversation)}:${activity.id}`;
}

function actor(activity: Partial<Activity>): Actor {
  const from = activity.from;
  if (!from?.id) throw new TeamsInputError('invalid_activity', 'Teams activity without "from.id"');
  // The channel account id (29:…) is what Universal Actions' refresh.userIds expects too.
  return { id: from.id, ...(from.name ? { name: from.name } : {}), role: 'user' };
}

/** What every event of `activity` carries: id, conversation (with its place in a channel), actor, time. */
export function eventBase(activity: Partial<Activity>) {
  const id = eventId(activity);
  const conversation = activity.conversation!.id;
  const at =
    activity.timestamp instanceof Date ? activity.timestamp : new Date(activity.timestamp ?? Date.now());
  return {
    id,
    conversationKey: conversationKey('teams', conversation),
    channel: 'teams' as const,
    conversation: {
      id: conversation,
      ref: TurnContext.getConversationReference(activity),
      place: splitTeamsConversation(conversation),
    },
    actor: actor(activity),
    at: Number.isNaN(at.getTime()) ? new Date().toISOString() : at.toISOString(),
  };
}

function actionEvent(activity: Partial<Activity>, raw: unknown): CoreEvent {
  let data: ReturnType<typeof parseActionData>;
  try {
    data = parseActionData(raw);
  } catch (error) {
    throw new TeamsInputError('invalid_action_data', (error as Error).message);
  }
  const { verb, ...rest } = data;
  return { ...eventBase(activity), kind: 'action', verb, data: rest };
}

/** True for an Action.Submit click: a message carrying card data instead of (or besides) text. */
function isSubmit(activity: Partial<Activity>): boolean {
  const value = activity.value as Record<string, unknown> | undefined;
  return typeof value === 'object' && value !== null && typeof value.verb === 'string';
}

/**
 * A message activity as a core event: an Action.Submit click becomes `action`, typed text
 * `message` (the bot's @mention removed, as in channels). Undefined for an empty message.
 */
export function messageEvent(activity: Partial<Activity>): CoreEvent | undefined {
  if (isSubmit(activity)) return actionEvent(activity, activity.value);
  const mentionless = activity.recipient?.id ? TurnContext.removeRecipientMention(activity) : undefined;
  const text = (mentionless ?? activity.text ?? '').trim();
  if (text === '') return undefined;
  return { ...eventBase(activity), kind: 'message', text };
}

/** An `adaptiveCard/action` invoke (Action.Execute, or a card refresh) as an action event. */
export function invokeEvent(activity: Partial<Activity>): CoreEvent {
  const value = activity.value as { action?: { type?: unknown; verb?: unknown; data?: unknown } } | undefined;
  const action = value?.action;
  if (action?.type !== 'Action.Execute')
    throw new TeamsInputError(
      'invalid_action_data',
      'adaptiveCard/action invoke without an Action.Execute action',
    );
  const data = typeof action.data === 'object' && action.data !== null ? action.data : {};
  // The verb travels both as the action's verb and inside data; the action's verb wins.
  return actionEvent(activity, { ...data, verb: action.verb ?? (data as { verb?: unknown }).verb });
}
