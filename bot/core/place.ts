/**
 * Where a conversation sits inside a Slack channel or a team's channel in Teams: the channel and,
 * inside it, the thread. The channel adapter that made the conversation knows how its platform
 * spells both (a Slack `C…` id and thread ts, a Teams `19:…@thread.tacv2;messageid=…` id) and
 * records them as `conversation.place`; everyone else (the support relay finding its channel and
 * case threads) reads them through `placeOf`, never by parsing another platform's ids.
 */

export interface ChannelPlace {
  /** The platform's channel id (Slack C…/G…/D…, Teams 19:…@thread.tacv2, a personal chat's a:…). */
  channelId: string;
  /** The thread inside it (Slack thread ts, Teams root post id), when there is one. */
  threadId?: string;
}

/** The place of a conversation, or undefined where the channel has none (web chat). */
export function placeOf(conversation: { place?: ChannelPlace }): ChannelPlace | undefined {
  return conversation.place;
}

/** A place with the thread only when there is one (no `threadId: undefined` in stored JSON). */
export function channelPlace(channelId: string, threadId?: string): ChannelPlace {
  return threadId === undefined ? { channelId } : { channelId, threadId };
}
