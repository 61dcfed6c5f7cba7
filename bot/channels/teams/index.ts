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
 * Escalation (issue 8): `teams.supportTransport(defaults)` is how the support relay posts case
 * threads in a Teams channel (support-transport.ts over proactive.ts), and "@Reconnect support
 * here" in a channel reaches the core as a `supportRegister` event (support-command.ts).
 */
import type { TurnContext } from 'botbuilder';
import type { Server } from 'restify';
import { type BotFrameworkSettings, LOOPBACK_SERVICE_URLS } from '../../config.ts';
import type { ChannelPort } from '../../core/types.ts';
import { DEFAULT_LIMITS } from '../../limits.ts';
import type { Logger } from '../../log.ts';
import { boundedPort, replyDeadline } from '../../ports/bounded-port.ts';
import type { SupportTransport } from '../../ports/support-thread.ts';
import { authenticationDisabled, type CredentialsFactory, createBotFrameworkAuth } from './auth.ts';
import { type CoreHandler, TeamsBot } from './bot.ts';
import { messagesHandler, TeamsAdapter } from './http.ts';
import { createTeamsPort } from './port.ts';
import { createTeamsProactive } from './proactive.ts';
import { supportCommand } from './support-command.ts';
import { createTeamsTransport, type TeamsChannelDefaults } from './support-transport.ts';

export type { CredentialsFactory } from './auth.ts';
export type { CoreHandler } from './bot.ts';
export { createTeamsProactive } from './proactive.ts';

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
  /**
   * The engine's replies and card updates, each cut after `timeoutMs` (config.limits.replyTimeoutMs)
   * or when `deadline`'s signal aborts (bot/ports/bounded-port.ts). No retries there: in a turn,
   * botbuilder's ConnectorClient already retries a 5xx and waits out a 429.
   */
  replies?: { timeoutMs?: number; deadline?: () => AbortSignal };
}

export interface TeamsChannel {
  /** The core's way into Teams conversations (replies in a turn, proactive messages otherwise). */
  port: ChannelPort;
  adapter: TeamsAdapter;
  /** A route module for bot/server.ts: POST /api/messages delivering Teams events to `core`. */
  routes(core: CoreHandler): (server: Server) => void;
  /** Case threads in Teams channels, posted outside any turn; `defaults`: the configured channel's. */
  supportTransport(defaults?: TeamsChannelDefaults): SupportTransport;
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
  const replies = options.replies ?? {};
  const port = boundedPort(
    createTeamsPort({
      adapter,
      appId: settings.MicrosoftAppId ?? '',
      universalActions: options.universalActions ?? true,
    }),
    {
      name: 'teams',
      deadline: replies.deadline ?? replyDeadline(replies.timeoutMs ?? DEFAULT_LIMITS.replyTimeoutMs),
    },
  );
  return {
    port,
    adapter,
    routes(core: CoreHandler) {
      const bot = new TeamsBot(core);
      // "@Reconnect support here" is read before the activity is translated (support-command.ts).
      const logic = async (context: TurnContext) => {
        if (!(await supportCommand(context, core))) await bot.run(context);
      };
      const allowedServiceUrls = authenticationDisabled(settings)
        ? (options.serviceUrls ?? LOOPBACK_SERVICE_URLS)
        : undefined;
      const handler = messagesHandler({ adapter, log, logic, allowedServiceUrls });
      return (server: Server) => {
        server.post('/api/messages', handler);
      };
    },
    supportTransport: (defaults) =>
      createTeamsTransport(createTeamsProactive(adapter, settings.MicrosoftAppId ?? ''), defaults),
  };
}
