/**
 * The bot side of bench/turns.bench.ts, run in a child process: either the bare botbuilder echo
 * bot, or ours composed as `npm start` composes it (config module, SQLite store in a scratch
 * DATA_DIR or the Redis store, the Teams channel, the core with the built-in playbooks, bot/server.ts). The net
 * guard keeps both on loopback.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTeamsChannel } from '../bot/channels/teams/index.ts';
import { loadBotConfig } from '../bot/config.ts';
import { createEngine } from '../bot/core/engine.ts';
import type { Session } from '../bot/core/types.ts';
import { createLogger } from '../bot/log.ts';
import { loadBuiltinPlaybooks } from '../bot/playbooks/load.ts';
import { createServer } from '../bot/server.ts';
import { connectRedisStore } from '../bot/store/redis.ts';
import { openSqliteStore } from '../bot/store/sqlite.ts';
import { labCredentials } from '../test/teams/credentials.ts';
import { guardNetwork } from '../test/teams/net-guard.ts';
import { startEchoBot } from './echo-bot.ts';
import type { ServeSpec } from './turns.bench.ts';

const PASSWORD = 'bench-password-not-a-secret';

/** Starts the bot `spec` names and resolves with its base URL. */
export async function serveBot(spec: ServeSpec): Promise<string> {
  guardNetwork();
  const auth = spec.auth;
  const credentialsFactory = auth
    ? labCredentials({
        appId: auth.appId,
        password: PASSWORD,
        tokenUrl: `${spec.connectorUrl}botframework.com/oauth2/v2.0/token`,
      })
    : undefined;
  const settings: Record<string, string> = auth
    ? {
        MicrosoftAppId: auth.appId,
        MicrosoftAppPassword: PASSWORD,
        ToBotFromChannelOpenIdMetadataUrl: auth.metadataUrl,
        ToBotFromChannelTokenIssuer: auth.issuer,
      }
    : {};
  if (spec.side === 'echo') return (await startEchoBot({ settings, credentialsFactory })).url;

  const dataDir = mkdtempSync(join(tmpdir(), 'reconnect-bench-'));
  const config = loadBotConfig({
    NODE_ENV: 'development',
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    ...settings,
  });
  const log = createLogger(process.stderr);
  const store = spec.redisUrl
    ? await connectRedisStore<Session>({ url: spec.redisUrl, prefix: `bench-${process.pid}:` })
    : openSqliteStore<Session>({ dataDir });
  const teams = createTeamsChannel({ settings: config.botFramework, log, credentialsFactory });
  const engine = createEngine({
    store,
    port: teams.port,
    playbooks: await loadBuiltinPlaybooks(),
    clock: Date.now,
  });
  const server = createServer({ config, store, log, routes: [teams.routes(engine)] });
  return (await server.listen()).url;
}
