/**
 * Wire-test lab for the support relay: the bot assembled the way bot/app.ts assembles it
 * (Direct Line web chat, the Slack channel carrying the support threads, the engine with the
 * support port and step, a fake agent gateway), on 127.0.0.1, with the local Slack Web API as the
 * support channel's workspace. The user talks over the Direct Line REST API; support clicks
 * and replies with signed Slack requests; agent results are the core events the gateway would
 * hand in. Outbox timers are fake: time moves only when a test moves it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDirectLineChannel } from '../../bot/channels/directline/channel.ts';
import { coreBot, createWebChatPort } from '../../bot/channels/directline/core-bridge.ts';
import { directLineRoutes } from '../../bot/channels/directline/routes.ts';
import { createDirectLineStreams } from '../../bot/channels/directline/stream.ts';
import { createPortRouter } from '../../bot/channels/port-router.ts';
import { createSlackChannel, type SlackChannel } from '../../bot/channels/slack/channel.ts';
import { SLACK_EVENTS_PATH, slackRoutes } from '../../bot/channels/slack/routes.ts';
import { loadBotConfig } from '../../bot/config.ts';
import { createEngine, type Engine } from '../../bot/core/engine.ts';
import type { AgentJob, AgentPort, CoreEvent, InboundEvent, Session } from '../../bot/core/types.ts';
import { silentLogger } from '../../bot/log.ts';
import { loadBuiltinPlaybooks } from '../../bot/playbooks/load.ts';
import { createServer } from '../../bot/server.ts';
import { createMemoryStore } from '../../bot/store/memory.ts';
import { openSqliteStore } from '../../bot/store/sqlite.ts';
import type { Store } from '../../bot/store/types.ts';
import { createSupport, type Support } from '../../bot/support/index.ts';
import type { RetryPolicy } from '../../bot/support/retry.ts';
import { type FakeTimers, fakeTimers } from '../agents/fakes.ts';
import { type SlackApiLab, startSlackApi } from '../lab/slack-api.ts';
import { SIGNING_SECRET } from '../slack/harness.ts';

export const PLAYBOOKS = await loadBuiltinPlaybooks();
export const BOT_TOKEN = 'xoxb-lab-token';
export const SUPPORT_CHANNEL = 'C0SUPPORT1';

export interface LabOptions {
  /** More settings (REDACTION, SUPPORT_SLACK_CHANNEL, …). */
  env?: Record<string, string>;
  /** SQLite in this directory (a restart reuses it); default a memory store. */
  dataDir?: string;
  /** Reuse a running Slack fake (across a restart). */
  api?: SlackApiLab;
  timers?: FakeTimers;
  retry?: Partial<RetryPolicy>;
  /** Do not start the support outbox (a test starts it itself). */
  noStart?: boolean;
}

export interface Lab {
  base: string;
  endpoint: string;
  api: SlackApiLab;
  store: Store<Session>;
  support: Support;
  engine: Engine;
  slack: SlackChannel;
  timers: FakeTimers;
  /** Jobs the engine dispatched to the (fake) agent gateway. */
  jobs: AgentJob[];
  /** Waits until the web chat, Slack and the outbox have nothing left in flight. */
  settle(): Promise<void>;
  /** Hands an agent's event to the bot as the gateway would. */
  agent(session: Session, event: Record<string, unknown> & { kind: CoreEvent['kind'] }): Promise<unknown>;
  close(): Promise<void>;
}

let agentEvents = 0;

export async function startLab(options: LabOptions = {}): Promise<Lab> {
  const api = options.api ?? (await startSlackApi({ botToken: BOT_TOKEN }));
  const cwd = mkdtempSync(join(tmpdir(), 'reconnect-support-'));
  const timers = options.timers ?? fakeTimers(Date.parse('2026-11-27T10:00:00.000Z'));
  const config = loadBotConfig(
    {
      PORT: '0',
      HOST: '127.0.0.1',
      NODE_ENV: 'test',
      DIRECTLINE_SECRET: 'd'.repeat(40),
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: api.apiUrl,
      SUPPORT_CONTACT_TEXT: 'Call the IT desk on 555-0100.',
      ...options.env,
    },
    { cwd },
  );
  const store = options.dataDir
    ? openSqliteStore<Session>({ dataDir: options.dataDir, now: timers.now })
    : createMemoryStore<Session>({ now: timers.now });
  const jobs: AgentJob[] = [];
  const agents: AgentPort = {
    async issuePairing() {
      return { code: 'K7M2-QX9P', expiresAt: new Date(timers.now() + 600_000).toISOString() };
    },
    async dispatch(_session, job) {
      jobs.push(job);
    },
  };

  let engine: Engine | undefined;
  const handle = (event: InboundEvent) => engine!.handle(event);
  const directLine = createDirectLineChannel({
    store: store.directline,
    secret: config.directLineSecret,
    onActivity: coreBot({ handle, log: silentLogger }),
    log: silentLogger,
  });
  const slack = createSlackChannel({
    settings: config.slack!,
    handle,
    dedupe: store.dedupe,
    logger: silentLogger,
    retryConfig: { retries: 0 },
  });
  await slack.start();
  const port = createPortRouter({ webchat: createWebChatPort(directLine.port), slack: slack.port });
  const support = createSupport({
    store,
    config,
    playbooks: PLAYBOOKS,
    port,
    log: silentLogger,
    timers,
    random: () => 0.5,
    ...(options.retry ? { retry: options.retry } : {}),
    transports: { slack: slack.supportTransport({ now: timers.now }) },
  });
  engine = createEngine({
    store,
    port,
    playbooks: PLAYBOOKS,
    clock: timers.now,
    agents,
    support: support.port,
    steps: [support.step],
  });
  const streams = createDirectLineStreams({ channel: directLine, log: silentLogger });
  const server = createServer({
    config,
    store,
    log: silentLogger,
    routes: [directLineRoutes({ channel: directLine, streams, log: silentLogger }), slackRoutes(slack)],
  });
  const { url } = await server.listen();
  if (!options.noStart) await support.start();

  const settle = async () => {
    for (let i = 0; i < 4; i++) {
      await directLine.idle();
      await slack.idle();
      await support.idle();
      await new Promise((resolve) => setImmediate(resolve));
    }
  };

  return {
    base: url,
    endpoint: `${url}${SLACK_EVENTS_PATH}`,
    api,
    store,
    support,
    engine,
    slack,
    timers,
    jobs,
    settle,
    async agent(session, event) {
      const result = await engine!.handle({
        id: `agent-event-${++agentEvents}`,
        conversationKey: session.conversationKey,
        channel: session.channel,
        conversation: session.conversation,
        actor: { id: 'agent:lab-1', role: 'agent' },
        at: new Date(timers.now()).toISOString(),
        ...event,
      } as CoreEvent);
      await settle();
      return result;
    },
    async close() {
      await support.stop();
      await server.close();
      await store.close();
      if (!options.api) await api.close();
      rmSync(cwd, { recursive: true, force: true });
    },
  };
}
