/**
 * What the operator is told at start when something users depend on is missing (issue 14):
 * the agent path without a public address (a laptop cannot reach `localhost` on the bot's
 * machine), and escalation with nowhere to go. Pure: main.ts logs what this returns.
 */
import type { BotConfig } from './config.ts';

export interface StartupWarning {
  /** Stable, snake_case. */
  code: 'public_url_missing' | 'public_url_loopback' | 'support_channel_missing';
  message: string;
}

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/i;

export function startupWarnings(
  config: Pick<BotConfig, 'publicUrl' | 'support' | 'supportContactText'>,
  options: { agents: boolean },
): StartupWarning[] {
  const out: StartupWarning[] = [];
  if (options.agents && config.publicUrl === undefined)
    out.push({
      code: 'public_url_missing',
      message:
        'PUBLIC_URL is not set, so the pairing card cannot tell the affected computer where this bot is: it asks the user for the address of the chat page instead. Set PUBLIC_URL to the https origin users open (e.g. https://help.example.com).',
    });
  else if (options.agents && config.publicUrl && LOOPBACK.test(new URL(config.publicUrl).hostname))
    out.push({
      code: 'public_url_loopback',
      message: `PUBLIC_URL is ${config.publicUrl}: another computer cannot reach a loopback address, so pairing works only on this machine. Set PUBLIC_URL to an address users' laptops can reach.`,
    });
  if (!config.support.slackChannel && !config.support.teamsChannel)
    out.push({
      code: 'support_channel_missing',
      message: `No support channel is configured (SUPPORT_SLACK_CHANNEL or SUPPORT_TEAMS_CHANNEL), so escalated cases wait until one is registered ("@Reconnect support here" in a channel) and users are told: "${config.supportContactText}" Set SUPPORT_CONTACT_TEXT to say whom to call.`,
    });
  return out;
}
