/**
 * The yardstick for bench/turns.bench.ts: the bare botbuilder echo bot (CloudAdapter +
 * restify, `adapter.process`, one `sendActivity` per message), configured the same way as ours
 * (authentication off, or JWT against the same loopback issuer). Deliberately nothing more.
 */
import { CloudAdapter, ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import restify from 'restify';
import type { CredentialsFactory } from '../bot/channels/teams/index.ts';

export interface EchoBotOptions {
  /** botbuilder settings: {} for no authentication, or MicrosoftAppId + the lab issuer's URLs. */
  settings: Record<string, string>;
  credentialsFactory?: CredentialsFactory;
}

export interface EchoBot {
  url: string;
  close(): Promise<void>;
}

export async function startEchoBot(options: EchoBotOptions): Promise<EchoBot> {
  const auth = new ConfigurationBotFrameworkAuthentication(options.settings, options.credentialsFactory);
  const adapter = new CloudAdapter(auth);
  const server = restify.createServer({ name: 'echo', handleUncaughtExceptions: false });
  server.use(restify.plugins.bodyParser({ mapParams: false }));
  server.post('/api/messages', async (req, res) => {
    await adapter.process(req, res, async (context) => {
      if (context.activity.type === 'message')
        await context.sendActivity(`echo: ${context.activity.text ?? ''}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
