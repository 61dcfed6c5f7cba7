/**
 * `npm start`: load the config from the environment, start the bot, stop gracefully on
 * SIGTERM/SIGINT (readiness goes 503, streams close, in-flight work drains, the store closes).
 * A configuration error prints its message and exits 2 without a stack trace.
 */
import { startBot } from './app.ts';
import { ConfigError, loadBotConfig } from './config.ts';
import { createLogger } from './log.ts';
import { startupWarnings } from './startup-warnings.ts';
import { StoreUnavailableError } from './store/errors.ts';

const log = createLogger(process.stderr);

async function main(): Promise<void> {
  const config = loadBotConfig();
  const bot = await startBot({ config, log });
  log.info('Reconnect is listening', {
    url: bot.url,
    dataDir: config.dataDir,
    nodeEnv: config.nodeEnv,
    teamsAuth: config.botFramework.MicrosoftAppId === undefined ? 'off (no MicrosoftAppId)' : 'on',
    directLineSecret: config.directLineSecretSource,
  });
  for (const w of startupWarnings(config, { agents: true })) log.warn(w.message, { code: w.code });

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info('stopping', { signal });
    // A second signal, or a drain that hangs, must not keep the process around forever.
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    bot.close().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error('shutdown failed', { error });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`Reconnect cannot start: ${error.message}\n`);
    process.exit(2);
  }
  // Redis unreachable at start (REDIS_URL): the message says where and what was tried.
  if (error instanceof StoreUnavailableError) {
    process.stderr.write(`Reconnect cannot start: ${error.message}\n`);
    process.exit(1);
  }
  log.error('Reconnect failed to start', { error });
  process.exit(1);
});
