/**
 * The composition root: config → store → channels → server. `npm start` (bot/main.ts) calls
 * `startBot`; tests call it in-process with their own config, clock-free. The conversation core
 * plugs in as `onActivity` (Direct Line) and as extra route modules (Teams' /api/messages).
 */
import { fileURLToPath } from 'node:url';
import { createDirectLineChannel, type DirectLineChannel } from './channels/directline/channel.ts';
import { echoBot } from './channels/directline/echo.ts';
import { directLineRoutes } from './channels/directline/routes.ts';
import { createDirectLineStreams } from './channels/directline/stream.ts';
import type { OnActivity } from './channels/directline/types.ts';
import { webChatPage } from './channels/webchat/serve.ts';
import { type BotConfig, ConfigError } from './config.ts';
import type { Logger } from './log.ts';
import { createServer, type RouteModule } from './server.ts';
import { openSqliteStore } from './store/sqlite.ts';
import type { Store, VersionedDoc } from './store/types.ts';

/** Where scripts/build-web.ts writes the page. */
export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../dist/web/', import.meta.url));

export interface StartOptions {
  config: BotConfig;
  log: Logger;
  /** The store; default: SQLite in config.dataDir (closed by `close()` only when opened here). */
  store?: Store<VersionedDoc>;
  /** The bot behind the web chat; default: the echo bot (until the core is wired). */
  onActivity?: OnActivity;
  /** More route modules, e.g. the Teams adapter's /api/messages. */
  routes?: RouteModule[];
  webRoot?: string;
  /** Direct Line stream heartbeat interval (tests shorten it). */
  heartbeatMs?: number;
}

export interface RunningBot {
  url: string;
  port: number;
  store: Store<VersionedDoc>;
  /** The Direct Line channel, whose `port` is how the bot sends and updates activities. */
  directLine: DirectLineChannel;
  close(): Promise<void>;
}

/** Opens the store, assembles the server and listens. */
export async function startBot(options: StartOptions): Promise<RunningBot> {
  const { config, log } = options;
  if (config.redisUrl !== undefined) {
    throw new ConfigError(
      'REDIS_URL is set, but this build has no Redis store yet: unset REDIS_URL to keep state in SQLite under DATA_DIR (one replica)',
    );
  }
  const ownStore = options.store === undefined;
  const store = options.store ?? openSqliteStore({ dataDir: config.dataDir });
  const directLine = createDirectLineChannel({
    store: store.directline,
    secret: config.directLineSecret,
    onActivity: options.onActivity ?? echoBot,
    log,
  });
  const streams = createDirectLineStreams({ channel: directLine, log, heartbeatMs: options.heartbeatMs });
  const app = createServer({
    config,
    store,
    log,
    routes: [
      directLineRoutes({ channel: directLine, streams, log, publicUrl: config.publicUrl }),
      ...(options.routes ?? []),
      // Last: its `/:file` route must not shadow anything registered by other modules.
      webChatPage({ root: options.webRoot ?? DEFAULT_WEB_ROOT, log }),
    ],
  });
  let listening: { port: number; url: string };
  try {
    listening = await app.listen();
  } catch (error) {
    if (ownStore) await store.close();
    throw error;
  }
  return {
    ...listening,
    store,
    directLine,
    async close() {
      await app.close();
      if (ownStore) await store.close();
    },
  };
}
