/**
 * One ChannelPort for the engine over every channel the bot runs: each send and update goes to
 * the port of the session's own channel (web chat, Slack, Teams). The engine stays unaware of
 * which channels exist; a session whose channel is not configured in this process (Slack
 * settings removed since the case began) fails its delivery with a message naming the setting,
 * which the engine audits as `delivery_failed`.
 */
import type { Channel, ChannelPort, Session } from '../core/types.ts';

export type ChannelPorts = Partial<Record<Channel, ChannelPort>>;

/** What turns each channel on, for the error when it is off. */
const ENABLED_BY: Record<Channel, string> = {
  webchat: 'the web chat is always on',
  slack: 'set SLACK_BOT_TOKEN with SLACK_SIGNING_SECRET or SLACK_APP_TOKEN',
  teams: 'Teams is mounted at /api/messages unless the bot was started without it',
};

/** Thrown when a session belongs to a channel this process has no port for. */
export class ChannelNotConfiguredError extends Error {
  readonly code = 'channel_not_configured';
}

export function createPortRouter(ports: ChannelPorts): ChannelPort {
  const portOf = (session: Session): ChannelPort => {
    const port = ports[session.channel];
    if (port === undefined) {
      throw new ChannelNotConfiguredError(
        `session ${session.id} is on channel "${session.channel}", which this bot does not run ` +
          `(${ENABLED_BY[session.channel] ?? 'unknown channel'}); configured: ${Object.keys(ports).join(', ') || 'none'}`,
      );
    }
    return port;
  };
  return {
    send: async (session, view, key) => portOf(session).send(session, view, key),
    update: async (session, activityId, view) => portOf(session).update(session, activityId, view),
    // Channels that cannot combine a card and its notices answer undefined: sent one by one.
    sendCard: async (session, card, notices, key) => portOf(session).sendCard?.(session, card, notices, key),
  };
}
