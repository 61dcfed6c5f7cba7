/**
 * A Teams lab for tests: the bot's real HTTP server (bot/server.ts) with the Teams route, a local
 * Bot Connector, and, when an app id is given, a loopback token issuer the bot trusts. Helpers
 * post activities the way the Bot Framework service does (signed, with serviceUrl pointing at the
 * connector). Everything listens on 127.0.0.1.
 */
import {
  type CoreHandler,
  createTeamsChannel,
  type TeamsChannel,
  type TeamsChannelOptions,
} from '../../bot/channels/teams/index.ts';
import { loadBotConfig } from '../../bot/config.ts';
import type { ChannelPort, Session } from '../../bot/core/types.ts';
import { type Logger, silentLogger } from '../../bot/log.ts';
import { type BotServer, createServer } from '../../bot/server.ts';
import { createMemoryStore } from '../../bot/store/memory.ts';
import type { Store } from '../../bot/store/types.ts';
import { type BotConnector, startBotConnector } from '../lab/bot-connector.ts';
import { labCredentials } from './credentials.ts';
import { type LabIssuer, startLabIssuer } from './issuer.ts';

export interface TeamsLabOptions {
  /** Set: JWT validation on, against the lab issuer. Unset: authentication off. */
  appId?: string;
  /** Builds the core from the Teams port (and the lab's store). */
  core: (port: ChannelPort, store: Store<Session>) => CoreHandler | Promise<CoreHandler>;
  universalActions?: boolean;
  log?: Logger;
  store?: Store<Session>;
  /** The replies' deadline (bot/ports/bounded-port.ts); default the reply timeout limit. */
  replies?: TeamsChannelOptions['replies'];
}

export interface Posted {
  status: number;
  body: unknown;
}

export interface TeamsLab {
  url: string;
  connector: BotConnector;
  issuer?: LabIssuer;
  appId?: string;
  teams: TeamsChannel;
  store: Store<Session>;
  /**
   * POSTs an activity to /api/messages. `authorization`: undefined → a valid token when auth is
   * on; null → no header; a string → that header.
   */
  post(activity: Record<string, unknown>, authorization?: string | null): Promise<Posted>;
  close(): Promise<void>;
}

export const LAB_PASSWORD = 'lab-password-not-a-secret';

export async function startTeamsLab(options: TeamsLabOptions): Promise<TeamsLab> {
  const connector = await startBotConnector();
  const issuer = options.appId === undefined ? undefined : await startLabIssuer();
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    DIRECTLINE_SECRET: 'lab-direct-line-secret-0123456789abcdef',
  };
  if (options.appId !== undefined && issuer !== undefined) {
    Object.assign(env, {
      MicrosoftAppId: options.appId,
      MicrosoftAppPassword: LAB_PASSWORD,
      ToBotFromChannelOpenIdMetadataUrl: issuer.metadataUrl,
      ToBotFromChannelTokenIssuer: issuer.issuer,
    });
  }
  const config = loadBotConfig(env);
  const log = options.log ?? silentLogger;
  const store = options.store ?? createMemoryStore<Session>();
  const teams = createTeamsChannel({
    settings: config.botFramework,
    log,
    universalActions: options.universalActions,
    ...(options.replies ? { replies: options.replies } : {}),
    credentialsFactory:
      options.appId === undefined
        ? undefined
        : labCredentials({
            appId: options.appId,
            password: LAB_PASSWORD,
            tokenUrl: `${connector.url}botframework.com/oauth2/v2.0/token`,
          }),
  });
  const core = await options.core(teams.port, store);
  const server: BotServer = createServer({ config, store, log, routes: [teams.routes(core)] });
  const { url } = await server.listen();

  return {
    url,
    connector,
    issuer,
    appId: options.appId,
    teams,
    store,
    async post(activity, authorization) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      const serviceUrl = String(activity.serviceUrl ?? connector.url);
      if (authorization === undefined && issuer && options.appId)
        headers.authorization = `Bearer ${issuer.channelToken(options.appId, serviceUrl)}`;
      else if (typeof authorization === 'string') headers.authorization = authorization;
      const res = await fetch(`${url}/api/messages`, {
        method: 'POST',
        headers,
        body: JSON.stringify(activity),
      });
      const text = await res.text();
      return { status: res.status, body: text === '' ? undefined : JSON.parse(text) };
    },
    async close() {
      await server.close();
      await connector.close();
      await issuer?.close();
      if (options.store === undefined) await store.close();
    },
  };
}
