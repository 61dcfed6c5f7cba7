/**
 * "@Reconnect support here" in Teams: the command that makes a team's channel the support
 * channel (issue 8). It is read before the activity is translated for the core, because what
 * decides it is Teams' own: the conversation's scope (only a team's channel can receive cases,
 * never a personal or group chat) and whether the bot itself was @mentioned. The registration
 * (and its confirmation in the thread the command was typed in) is the support relay's
 * (`support.registerTeamsSupport`); a chat that is not a channel is told so here, in the turn.
 */
import { type Activity, type ConversationReference, TurnContext } from 'botbuilder';
import { isRegisterCommand } from '../../support/messages.ts';

/** Who typed the command: the Teams user id (29:…) and, when Teams sends it, the Entra object id. */
export interface TeamsRegistrant {
  id: string;
  aadObjectId?: string;
}

/** What the Teams channel needs from the support relay. */
export interface TeamsSupportHooks {
  /** Makes the channel of `ref` (a channel thread's reference) the support channel, and confirms there. */
  register(ref: Partial<ConversationReference>, by: TeamsRegistrant): Promise<unknown>;
}

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
 * The id a registration is made (and checked against SUPPORT_ADMINS) under: the Entra object id
 * when the operator listed that one (the id an admin can look up), else the Teams user id.
 */
export function registrantId(by: TeamsRegistrant, admins: readonly string[]): string {
  return by.aadObjectId && admins.includes(by.aadObjectId) ? by.aadObjectId : by.id;
}

/**
 * Runs the command when `context` carries it. True when the turn is taken care of (registered,
 * refused with an explanation, or an un-mentioned command in a channel, which is not for the
 * bot); false for every other activity, which goes on to the core.
 */
export async function supportCommand(context: TurnContext, hooks: TeamsSupportHooks): Promise<boolean> {
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
  const from = activity.from;
  await hooks.register(
    { ...ref, conversation: { ...ref.conversation!, ...(tenantId ? { tenantId } : {}) } },
    { id: from.id, ...(from.aadObjectId ? { aadObjectId: from.aadObjectId } : {}) },
  );
  return true;
}
