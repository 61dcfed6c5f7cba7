/**
 * Teams activities as the Bot Framework service delivers them (shapes from Teams' personal chat):
 * a typed message, an Action.Submit click (a message with `value`), and an Action.Execute invoke
 * (`adaptiveCard/action`). Ids are unique per call unless given, so a retry test passes the same id.
 */
import { randomUUID } from 'node:crypto';

export interface TeamsUser {
  id: string;
  name: string;
  aadObjectId: string;
}

export const ADA: TeamsUser = {
  id: '29:lab-user-ada',
  name: 'Ada Lovelace',
  aadObjectId: '00000000-0000-0000-0000-00000000000a',
};
export const MALLORY: TeamsUser = {
  id: '29:lab-user-mallory',
  name: 'Mallory',
  aadObjectId: '00000000-0000-0000-0000-00000000000b',
};

export interface ActivityOptions {
  serviceUrl: string;
  /** The bot's app id (recipient 28:<appId>); any string when auth is off. */
  appId?: string;
  conversationId?: string;
  user?: TeamsUser;
  id?: string;
}

function envelope(options: ActivityOptions): Record<string, unknown> {
  const appId = options.appId ?? 'lab-bot';
  return {
    id: options.id ?? `1${Math.floor(Math.random() * 1e12)}-${randomUUID().slice(0, 8)}`,
    channelId: 'msteams',
    serviceUrl: options.serviceUrl,
    timestamp: new Date().toISOString(),
    from: options.user ?? ADA,
    recipient: { id: `28:${appId}`, name: 'Reconnect' },
    conversation: {
      id: options.conversationId ?? 'a:lab-personal-ada',
      conversationType: 'personal',
      tenantId: 'lab-tenant',
    },
    channelData: { tenant: { id: 'lab-tenant' } },
    locale: 'en-US',
  };
}

export function messageActivity(text: string, options: ActivityOptions): Record<string, unknown> {
  return { ...envelope(options), type: 'message', text, textFormat: 'plain' };
}

/** An Action.Submit click on the card `replyToId`: a message whose value is the button's data. */
export function submitActivity(data: Record<string, unknown>, replyToId: string, options: ActivityOptions) {
  return { ...envelope(options), type: 'message', replyToId, value: data };
}

/** An Action.Execute click on the card `replyToId`. */
export function executeActivity(data: Record<string, unknown>, replyToId: string, options: ActivityOptions) {
  return {
    ...envelope(options),
    type: 'invoke',
    name: 'adaptiveCard/action',
    replyToId,
    value: { action: { type: 'Action.Execute', verb: data.verb, data }, trigger: 'manual' },
  };
}
