/**
 * The port between the Direct Line channel and the bot: what the channel hands the bot (a user
 * activity) and what the bot may do in return (send a new activity, update one in place). No
 * restify, no WebSocket here: the core can depend on this file alone.
 */

/** The account of a participant, as Bot Framework activities carry it. */
export interface ChannelAccount {
  id: string;
  name?: string;
  /** `user` or `bot`: Web Chat decides which side a bubble goes on from this. */
  role?: 'user' | 'bot';
}

/** A Bot Framework activity, loosely typed: the channel only relies on the fields named here. */
export interface Activity {
  type: string;
  id?: string;
  timestamp?: string;
  from?: ChannelAccount;
  conversation?: { id: string };
  channelId?: string;
  text?: string;
  textFormat?: string;
  /** Action.Submit data arrives here, on a message activity without text. */
  value?: unknown;
  attachments?: { contentType: string; content?: unknown; contentUrl?: string; name?: string }[];
  suggestedActions?: unknown;
  replyToId?: string;
  locale?: string;
  channelData?: Record<string, unknown>;
  [field: string]: unknown;
}

/** What the bot may do on a Direct Line conversation. */
export interface DirectLinePort {
  /**
   * Appends a bot activity to the conversation and pushes it to connected clients. The
   * channel assigns id, timestamp, from (the bot), conversation and channelId; returns the id.
   * `key` (ChannelPort.send's): the id follows from it, and a second send with the same key
   * appends nothing and answers the first one's id (a delivery resumed after a crash).
   */
  send(conversationId: string, activity: Activity, key?: string): Promise<string>;
  /**
   * Replaces the activity `activityId` (a card, typically) in place: same id, same position,
   * new content, pushed again so Web Chat re-renders it. Throws DirectLineError 'NotFound'
   * when the conversation or the activity does not exist.
   */
  update(conversationId: string, activityId: string, activity: Activity): Promise<void>;
}

/**
 * Called with every activity a user posts (after it is stored and echoed), and with a
 * `conversationUpdate` (membersAdded: the user) when a conversation starts. `activity.from.id`
 * is the user id bound to the token, never what the client claimed. Calls for one
 * conversation run one at a time, in order; a rejection is logged, never shown to the client.
 */
export type OnActivity = (conversationId: string, activity: Activity, port: DirectLinePort) => Promise<void>;

/** A refusal the HTTP layer turns into a Direct Line ErrorResponse. */
export class DirectLineError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}
