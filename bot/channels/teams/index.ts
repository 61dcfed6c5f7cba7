/**
 * The Teams channel: botbuilder's CloudAdapter behind POST /api/messages, translating
 * activities into core events and core views into Adaptive Cards. Every import of botbuilder
 * lives in this folder (DESIGN.md "Platform"), so moving to the Microsoft 365 Agents SDK touches
 * nothing else.
 *
 * Wiring (the engine needs the port, the route needs the engine):
 *   const teams = createTeamsChannel({ settings: config.botFramework, log });
 *   const engine = createEngine({ store, port: teams.port, … });
 *   createServer({ config, store, routes: [teams.routes(engine), …] });
 *
 * Escalation (issue 8): `createTeamsProactive(teams.adapter, appId)` is the support relay's way
 * to post case threads in a Teams channel, and `routes(core, { support })` lets a channel
 * register itself with "@Reconnect support here".
 */
import type { TurnContext } from 'botbuilder';
import type { Server } from 'restify';
import { type BotFrameworkSettings, LOOPBACK_SERVICE_URLS } from '../../config.ts';
import type { ChannelPort } from '../../core/types.ts';
import type { Logger } from '../../log.ts';
import { authenticationDisabled, type CredentialsFactory, createBotFrameworkAuth } from './auth.ts';
import { type CoreHandler, TeamsBot } from './bot.ts';
import { messagesHandler, TeamsAdapter } from './http.ts';
import { createTeamsPort } from './port.ts';
import { supportCommand, type TeamsSupportHooks } from './support-command.ts';

export type { CredentialsFactory } from './auth.ts';
export type { CoreHandler } from './bot.ts';
export { createTeamsProactive } from './proactive.ts';
export { registrantId, type TeamsSupportHooks } from './support-command.ts';

export interface TeamsChannelOptions {
  /** The bot config's Bot Framework settings (MicrosoftAppId, …); JWT validation is on when an app id is set. */
  settings: BotFrameworkSettings;
  log: Logger;
  /** Action.Execute with an Action.Submit fallback (default), or Action.Submit only. */
  universalActions?: boolean;
  /** Outbound token source; tests pass a loopback one (see auth.ts). Default: botbuilder's from settings. */
  credentialsFactory?: CredentialsFactory;
  /** Without an app id, where replies may be posted (config.teamsServiceUrls); default loopback only. */
  serviceUrls?: readonly string[];
}

export interface TeamsChannel {
  /** The core's way into Teams conversations (replies in a turn, proactive messages otherwise). */
  port: ChannelPort;
  adapter: TeamsAdapter;
  /**
   * A route module for bot/server.ts: POST /api/messages delivering Teams events to `core`.
   * `support`: "@Reconnect support here" in a channel registers it through these hooks.
   */
  routes(core: CoreHandler, hooks?: { support?: TeamsSupportHooks }): (server: Server) => void;
}

const SORRY = 'Something went wrong on my side. Please try again in a moment.';

export function createTeamsChannel(options: TeamsChannelOptions): TeamsChannel {
  const { settings, log } = options;
  const auth = createBotFrameworkAuth(settings, { credentialsFactory: options.credentialsFactory });
  const adapter = new TeamsAdapter(auth);
  adapter.onTurnError = async (context, error) => {
    log.error('teams: turn failed', { activityType: context.activity.type, error });
    // A core failure still gets an answer: an apology for a message, an error for an invoke.
    if (context.activity.type === 'invoke') {
      const body = {
        statusCode: 500,
        type: 'application/vnd.microsoft.error',
        value: { code: 'internal_error', message: SORRY },
      };
      await context.sendActivity({ type: 'invokeResponse', value: { status: 500, body } });
    } else {
      await context.sendActivity(SORRY);
    }
  };
  const port = createTeamsPort({
    adapter,
    appId: settings.MicrosoftAppId ?? '',
    universalActions: options.universalActions ?? true,
  });
  return {
    port,
    adapter,
    routes(core: CoreHandler, hooks: { support?: TeamsSupportHooks } = {}) {
      const bot = new TeamsBot(core);
      const support = hooks.support;
      const logic = support
        ? async (context: TurnContext) => {
            if (!(await supportCommand(context, support))) await bot.run(context);
          }
        : (context: TurnContext) => bot.run(context);
      const allowedServiceUrls = authenticationDisabled(settings)
        ? (options.serviceUrls ?? LOOPBACK_SERVICE_URLS)
        : undefined;
      const handler = messagesHandler({ adapter, log, logic, allowedServiceUrls });
      return (server: Server) => {
        server.post('/api/messages', handler);
      };
    },
  };
}
