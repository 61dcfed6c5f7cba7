/**
 * "@Reconnect dashboard" in a support channel: the bot answers in the same place (the channel or
 * the thread the command was typed in) with a sign-in link for /admin that works once and for a
 * few minutes. Only a support channel gets one (the support relay calls this only for events from
 * a registered or configured support channel), so whoever can read that channel can open the
 * dashboard, and nobody else.
 */

import { SIGNIN_PATH } from './routes.ts';
import type { Tokens } from './tokens.ts';

/** The command text, after the bot's @mention is removed (Slack and Teams alike). */
export function isDashboardCommand(text: string): boolean {
  return /^\s*(dashboard|admin)[.!]?\s*$/i.test(text);
}

export interface DashboardLinkOptions {
  tokens: Tokens;
  linkMs: number;
  /** The bot's public origin (PUBLIC_URL, else the address it listens on). */
  baseUrl: () => string;
}

/** Who asked, from which support channel. */
export interface LinkRequest {
  platform: string;
  channelId: string;
  by: string;
}

/**
 * The support relay's command answerer (SupportOptions.commands): for the dashboard command,
 * mints a link for whoever asked and words the message that carries it.
 */
export function dashboardCommands(
  options: DashboardLinkOptions,
): (text: string, from: LinkRequest) => string | undefined {
  return (text, { platform, channelId, by }) => {
    if (!isDashboardCommand(text)) return undefined;
    const token = options.tokens.mint('link', {
      ttlMs: options.linkMs,
      channel: `${platform}:${channelId}`,
      by,
    });
    const minutes = Math.max(1, Math.round(options.linkMs / 60_000));
    const url = `${options.baseUrl()}${SIGNIN_PATH}?t=${token}`;
    return `Dashboard sign-in link (opens once, in the next ${minutes} minutes): ${url}`;
  };
}
