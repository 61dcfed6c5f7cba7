/**
 * Slack payloads → core events, and back to where a conversation lives. Pure: no Bolt, no I/O,
 * so each rule (which messages count, where a conversation's key comes from, what a click
 * means) is tested on plain objects.
 *
 * A conversation is a direct message channel (`D…`), or a thread in a channel that the bot was
 * mentioned in (`C…:<thread ts>`), so a mention in a busy channel keeps its case in one thread.
 */
import { parseActionData } from '../../../cards/actions.ts';
import { channelPlace } from '../../core/place.ts';
import { type Conversation, type CoreEvent, conversationKey, type SupportEvent } from '../../core/types.ts';
import { isRegisterCommand } from '../commands.ts';

/** Where the bot posts for a session: stored as the session's `conversation.ref`. */
export interface SlackConversationRef {
  channel: string;
  threadTs?: string;
}

/** The fields of a Slack `message` or `app_mention` event this adapter reads. */
export interface SlackMessageEvent {
  type: string;
  subtype?: string;
  channel?: string;
  channel_type?: string;
  user?: string;
  bot_id?: string;
  text?: string;
  ts?: string;
  thread_ts?: string;
}

/** The fields of a block_actions payload this adapter reads. */
export interface SlackBlockActions {
  type: 'block_actions';
  trigger_id?: string;
  user: { id: string; name?: string; username?: string };
  channel?: { id: string };
  container?: { channel_id?: string; message_ts?: string; thread_ts?: string };
  message?: { ts?: string; thread_ts?: string };
  actions: { action_id: string; value?: string; action_ts?: string }[];
}

/** A direct message channel: no threads there, the whole channel is the conversation. */
function isDirect(channel: string, channelType?: string): boolean {
  return channelType === 'im' || channel.startsWith('D');
}

/** The conversation (id and ref) a message in `channel` (in thread `threadTs`) belongs to. */
export function conversationOf(channel: string, threadTs?: string, channelType?: string): Conversation {
  const ref: SlackConversationRef =
    threadTs === undefined || isDirect(channel, channelType) ? { channel } : { channel, threadTs };
  return {
    id: ref.threadTs === undefined ? channel : `${channel}:${ref.threadTs}`,
    ref,
    place: channelPlace(channel, ref.threadTs),
  };
}

/** The ref of a stored conversation; rebuilt from its id when the ref was not kept. */
export function refOf(conversation: { id: string; ref?: unknown }): SlackConversationRef {
  const ref = conversation.ref as Partial<SlackConversationRef> | undefined;
  if (ref && typeof ref.channel === 'string') {
    return typeof ref.threadTs === 'string'
      ? { channel: ref.channel, threadTs: ref.threadTs }
      : { channel: ref.channel };
  }
  const [channel, threadTs] = conversation.id.split(':');
  return threadTs ? { channel, threadTs } : { channel };
}

interface Common {
  /** The delivery's unique id (event_id, trigger_id): becomes the core event id. */
  deliveryId: string;
  /** ISO 8601 receipt time. */
  at: string;
}

function base(common: Common, conversation: Conversation, user: { id: string; name?: string }) {
  return {
    id: `slack:${common.deliveryId}`,
    channel: 'slack' as const,
    conversationKey: conversationKey('slack', conversation.id),
    conversation,
    actor: { ...user, role: 'user' as const },
    at: common.at,
  };
}

/**
 * A person's direct message to the bot, or undefined for what is not one: edits, joins, files
 * (any subtype), other bots, messages outside a DM.
 */
export function fromDirectMessage(event: SlackMessageEvent, common: Common): CoreEvent | undefined {
  if (event.type !== 'message' || event.subtype !== undefined || event.bot_id !== undefined) return undefined;
  if (!event.channel || !event.user || !isDirect(event.channel, event.channel_type)) return undefined;
  const conversation = conversationOf(event.channel, event.thread_ts, event.channel_type);
  return {
    ...base(common, conversation, { id: event.user }),
    kind: 'message',
    // A string whatever the payload said (issue 16): Socket Mode deliveries skip the route's shape check.
    text: typeof event.text === 'string' ? event.text.trim() : '',
  };
}

/**
 * A mention in a channel: the conversation is the thread the mention is in, or the thread it
 * starts. The mention itself (`<@U…>`) is not part of what the user said. "@Reconnect support
 * here" in a channel (not a DM) asks to make it the support channel, confirmed in that thread.
 */
export function fromAppMention(
  event: SlackMessageEvent,
  common: Common,
): CoreEvent | SupportEvent | undefined {
  if (event.type !== 'app_mention' || event.bot_id !== undefined) return undefined;
  if (!event.channel || !event.user || !event.ts) return undefined;
  const conversation = conversationOf(event.channel, event.thread_ts ?? event.ts, event.channel_type);
  const text = (typeof event.text === 'string' ? event.text : '')
    .replace(/<@[A-Z0-9]+(\|[^>]*)?>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const from = base(common, conversation, { id: event.user });
  if (isRegisterCommand(text) && /^[CG]/.test(event.channel))
    return { ...from, kind: 'supportRegister', confirm: 'thread' };
  return { ...from, kind: 'message', text };
}

/**
 * A person's reply inside a thread of a channel (not a DM) that does not mention the bot: what
 * support writes in a case thread (the channel subscribes to message.channels and message.groups
 * for these). A reply that mentions the bot arrives a second time as app_mention, which carries
 * it (as a `message`), so this copy is dropped. `botUserId`: the bot's own user id (auth.test).
 */
export function fromThreadReply(
  event: SlackMessageEvent,
  common: Common,
  botUserId: string | undefined,
): SupportEvent | undefined {
  if (event.type !== 'message' || event.subtype !== undefined || event.bot_id !== undefined) return undefined;
  const { channel, user, ts, thread_ts: threadTs } = event;
  if (!channel || !user || !ts || !threadTs || threadTs === ts) return undefined;
  if (isDirect(channel, event.channel_type)) return undefined;
  const text = (event.text ?? '').trim();
  if (botUserId && new RegExp(`<@${botUserId}[>|]`).test(text)) return undefined;
  // One id per message (channel and ts), whichever delivery of it this is.
  const message = { ...common, deliveryId: `msg:${channel}:${ts}` };
  return { ...base(message, conversationOf(channel, threadTs), { id: user }), kind: 'threadReply', text };
}

/** `/reconnect [text]`, continued in the user's DM with the bot (`dmChannel`, from conversations.open). */
export function fromSlashCommand(
  command: { user_id: string; user_name?: string; text?: string },
  dmChannel: string,
  common: Common,
): CoreEvent {
  const user = { id: command.user_id, ...(command.user_name ? { name: command.user_name } : {}) };
  return {
    ...base(common, conversationOf(dmChannel), user),
    kind: 'message',
    text: (command.text ?? '').trim(),
  };
}

/** `/reconnect support-here` typed in `channel_id`: register that channel, answered in place. */
export function fromRegisterCommand(
  command: { user_id: string; user_name?: string; channel_id: string },
  common: Common,
): SupportEvent {
  const user = { id: command.user_id, ...(command.user_name ? { name: command.user_name } : {}) };
  return {
    ...base(common, conversationOf(command.channel_id), user),
    kind: 'supportRegister',
    confirm: 'reply',
  };
}

/**
 * A button click. Undefined for link buttons (they carry a URL, no value: Slack reports the
 * click, nothing moves). Throws ActionDataError when a value is not one of our buttons' data.
 */
export function fromBlockAction(body: SlackBlockActions, common: Common): CoreEvent | undefined {
  const action = body.actions[0];
  if (!action || action.value === undefined) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(action.value);
  } catch {
    raw = undefined;
  }
  const { verb, ...data } = parseActionData(raw);
  const channel = body.container?.channel_id ?? body.channel?.id;
  if (!channel) return undefined;
  const threadTs = body.message?.thread_ts ?? body.container?.thread_ts;
  const name = body.user.name ?? body.user.username;
  const user = { id: body.user.id, ...(name ? { name } : {}) };
  return { ...base(common, conversationOf(channel, threadTs), user), kind: 'action', verb, data };
}
