/**
 * "@Reconnect support here" in Teams: the command that makes a team's channel the support
 * channel (issue 8). It is read before the activity is translated for the core, because what
 * decides it is Teams' own: the conversation's scope (only a team's channel can receive cases,
 * never a personal or group chat) and whether the bot itself was @mentioned. In a channel it
 * becomes one `supportRegister` event for the core (the support relay registers the channel and
 * confirms in the thread the command was typed in); a chat that is not a channel is told so here,
 * in the turn.
 */
import { type Activity, TurnContext } from 'botbuilder';
import { isRegisterCommand } from '../commands.ts';
import type { CoreHandler } from './bot.ts';
import { splitTeamsConversation } from './support-transport.ts';
import { eventBase } from './translate.ts';

export const ONLY_IN_A_CHANNEL =
  'Only a channel of a team can receive support cases. Add Reconnect to your support team, then write ' +
  '"@Reconnect support here" in the channel that should receive them.';

/** The message text without the bot's own @mention, and whether the bot was mentioned. */
function withoutBotMention(activity: Partial<Activity>): { text: string; mentioned: boolean } {
  const botId = activity.recipient?.id;
  let text = activity.text ?? '';
  let mentioned = false;
  for (const entity of activity.entities ?? []) {
    const mention = entity as { type?: string; mentioned?: { id?: string }; text?: string };
    if (mention.type !== 'mention' || !botId || mention.mentioned?.id !== botId) continue;
    mentioned = true;
    if (mention.text) text = text.split(mention.text).join(' ');
  }
  return { text: text.trim(), mentioned };
}

/**
 * Runs the command when `context` carries it. True when the turn is taken care of (registered,
 * refused with an explanation, or an un-mentioned command in a channel, which is not for the
 * bot); false for every other activity, which goes on to the core.
 */
export async function supportCommand(context: TurnContext, core: CoreHandler): Promise<boolean> {
  const activity = context.activity;
  // Cheap checks first: this runs before every Teams turn.
  if (activity.type !== 'message' || !activity.text || !/support/i.test(activity.text)) return false;
  const { text, mentioned } = withoutBotMention(activity);
  if (!isRegisterCommand(text)) return false;
  if (activity.conversation?.conversationType !== 'channel') {
    await context.sendActivity(ONLY_IN_A_CHANNEL);
    return true;
  }
  // With channel-wide message permission the bot also hears what was not said to it.
  if (!mentioned) return true;
  const ref = TurnContext.getConversationReference(activity);
  const channelData = activity.channelData as { tenant?: { id?: string } } | undefined;
  const tenantId = ref.conversation?.tenantId ?? channelData?.tenant?.id;
  const conversation = { ...ref.conversation!, ...(tenantId ? { tenantId } : {}) };
  const place = splitTeamsConversation(conversation.id);
  const aadObjectId = activity.from?.aadObjectId;
  await core.handle({
    ...eventBase(activity),
    conversation: { id: conversation.id, ref: { ...ref, conversation }, place },
    kind: 'supportRegister',
    confirm: 'thread',
    // New case threads go to the channel itself, not to the thread the command was typed in.
    channelRef: { ...ref, conversation: { ...conversation, id: place.channelId } },
    // SUPPORT_ADMINS may name the person by the Entra object id (the id an admin can look up).
    ...(aadObjectId ? { aliases: [aadObjectId] } : {}),
  });
  return true;
}
