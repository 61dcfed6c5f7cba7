/**
 * The composition root: config → store → playbooks → channels → engine → server. `npm start`
 * (bot/main.ts) calls `startBot`; tests call it in-process with their own config.
 *
 * Wiring: every channel hands its events to one engine, and the engine answers through one
 * port router that picks the session's channel (web chat over Direct Line, Slack, Teams). The
 * engine needs the router and the channels need the engine, so the channels take a late-bound
 * `handle`. The agent gateway is wired the same way: the engine dispatches jobs through it, and
 * its events (paired, progress, reports) come back through `handle`. Nothing in this process is
 * needed to finish a conversation: sessions, Direct Line activities, dedupe keys, pairing codes
 * and agent records are all in the Store, so a restarted (or another) process carries on.
 */
import { fileURLToPath } from 'node:url';
import { builtInCatalog, CLOUDS } from '../probes/catalog/index.ts';
import type { Catalog } from '../probes/types.ts';
import { browserCheckRoutes } from './agents/browser-check.ts';
import { browserOrigins } from './agents/browser-report.ts';
import { agentDownloadRoutes } from './agents/download.ts';
import { type AgentGateway, createAgentGateway, type GatewayOptions } from './agents/gateway.ts';
import { goRoutes } from './agents/go.ts';
import { agentLifecycle } from './agents/lifecycle.ts';
import { createPairing } from './agents/pairing.ts';
import { agentGatewayRoutes } from './agents/routes.ts';
import { createDirectLineChannel, type DirectLineChannel } from './channels/directline/channel.ts';
import { coreBot, createWebChatPort } from './channels/directline/core-bridge.ts';
import { directLineRoutes } from './channels/directline/routes.ts';
import { createDirectLineStreams } from './channels/directline/stream.ts';
import type { OnActivity } from './channels/directline/types.ts';
import { type ChannelPorts, createPortRouter } from './channels/port-router.ts';
import { createSlackChannel, type SlackChannel, type SlackChannelOptions } from './channels/slack/channel.ts';
import { slackRoutes } from './channels/slack/routes.ts';
import { createTeamsChannel, type TeamsChannel, type TeamsChannelOptions } from './channels/teams/index.ts';
import { outsideTurns } from './channels/teams/outside-turn.ts';
import { webChatPage } from './channels/webchat/serve.ts';
import { openCluster } from './cluster/index.ts';
import type { BotConfig } from './config.ts';
import { createEngine, type Engine } from './core/engine.ts';
import type { InboundEvent, Session } from './core/types.ts';
import { createDashboard, type IncidentSource } from './dashboard/index.ts';
import { recordingInto } from './dashboard/ledger.ts';
import { createIncidents, type Incidents, listIncidents } from './incidents/index.ts';
import { clampTurnText } from './limits.ts';
import type { Logger } from './log.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { metricsRoutes } from './metrics-route.ts';
import { observeStore } from './observe-store.ts';
import { observeTurns } from './observe-turn.ts';
import { loadBuiltinPlaybooks } from './playbooks/load.ts';
import type { PlaybookSet } from './playbooks/types.ts';
import { createServer, type RouteModule } from './server.ts';
import { openSqliteStore } from './store/sqlite.ts';
import type { Store, VersionedDoc } from './store/types.ts';
import { createSupport, type Support } from './support/index.ts';

/** Where scripts/build-web.ts writes the page. */
export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../dist/web/', import.meta.url));

export interface StartOptions {
  config: BotConfig;
  log: Logger;
  /**
   * The store; default: SQLite in config.dataDir (closed by `close()` only when opened here).
   * Any Store works: it keeps sessions as opaque versioned JSON.
   */
  store?: Store<VersionedDoc>;
  /** Replaces the core behind the web chat (Direct Line channel tests use the echo bot). */
  onActivity?: OnActivity;
  /** More route modules. */
  routes?: RouteModule[];
  webRoot?: string;
  /** Direct Line stream heartbeat interval (tests shorten it). */
  heartbeatMs?: number;
  /** The engine's clock, epoch ms; default Date.now. */
  clock?: () => number;
  /** The playbooks; default the built-in ones, loaded once here. */
  playbooks?: PlaybookSet;
  /**
   * Teams at POST /api/messages (default on; JWT validation whenever config has an app id).
   * `false` leaves /api/messages free (a test mounting its own); an object passes test knobs
   * (a loopback credentials factory, Action.Submit only).
   */
  teams?: false | Pick<TeamsChannelOptions, 'credentialsFactory' | 'universalActions'>;
  /** Test knobs for the Slack channel, which runs whenever config.slack is set. */
  slack?: Pick<SlackChannelOptions, 'retryConfig' | 'ackDeadlineMs' | 'now'>;
  /**
   * The agent gateway at /api/agents (default on, with the agent download at
   * /agent/reconnect-agent.js). `false`: no gateway, the manual path only. An object passes
   * test knobs (heartbeat, reconnect grace, progress interval) and another bundle to serve.
   */
  agents?: false | (AgentKnobs & { bundlePath?: string; agentsDir?: string });
  /** Where /metrics reads from; default a registry of this bot's own. */
  metrics?: Metrics;
  /** How long a watch job started from the chat lasts (tests shorten it); default 2 minutes. */
  watchMs?: number;
  /** The dashboard at /admin (issue 18): its incidents (bot/incidents' listIncidents) and page folder. */
  dashboard?: { incidents?: IncidentSource; root?: string };
  /**
   * The catalogs the /go page's browser check probes, by cloud (issue 17); default the built-in
   * ones. A case uses its report's cloud, else the first listed. Tests pass a lab catalog.
   */
  browserCatalogs?: Record<string, Catalog>;
}

/** The gateway's timing settings a caller may change. */
export type AgentKnobs = Partial<
  Pick<
    GatewayOptions,
    | 'heartbeatMs'
    | 'heartbeatTimeoutMs'
    | 'helloTimeoutMs'
    | 'reconnectGraceMs'
    | 'progressIntervalMs'
    | 'clientIp'
    | 'replicaId'
  >
>;

export interface RunningBot {
  url: string;
  port: number;
  store: Store<Session>;
  /** The Direct Line channel, whose `port` is how the bot sends and updates activities. */
  directLine: DirectLineChannel;
  engine: Engine;
  /** Present when config.slack is set. */
  slack?: SlackChannel;
  /** Present unless started with `teams: false`. */
  teams?: TeamsChannel;
  /** The agent gateway; present unless started with `agents: false`. */
  agents?: AgentGateway;
  /** The support relay (issue 8), a step of the engine's turns; `idle()` for tests. */
  support: Support;
  /** Cases correlated into incidents (issue 18); `list()` for the dashboard. */
  incidents: Incidents;
  metrics: Metrics;
  /** The dashboard's history writes (to the Store); `idle()` for tests. */
  dashboard: { idle(): Promise<void> };
  close(): Promise<void>;
}

/** Opens the store, assembles channels, engine and server, and listens. */
export async function startBot(options: StartOptions): Promise<RunningBot> {
  const { config, log } = options;
  // Before the store opens: a playbook error must not leave a store behind.
  const playbooks = options.playbooks ?? (await loadBuiltinPlaybooks());
  const ownStore = options.store === undefined;
  // REDIS_URL: replicas share the Redis store, a bus, the pairing limiter and web chat streams.
  const cluster = ownStore && config.redisUrl ? await openCluster({ url: config.redisUrl, log }) : undefined;
  // The store holds sessions as opaque versioned JSON, whatever type parameter it was made with.
  const metrics = options.metrics ?? createMetrics();
  const store = observeStore(
    (options.store ??
      cluster?.store ??
      openSqliteStore<Session>({ dataDir: config.dataDir })) as Store<Session>,
    metrics,
  );
  const stopped: (() => Promise<void>)[] = [];
  try {
    // The dashboard at /admin (issue 18): its ledger counts what the metrics count.
    let listeningUrl: string | undefined;
    let agents: AgentGateway | undefined;
    const dashboard = createDashboard({
      config,
      store,
      playbooks,
      log,
      now: options.clock ?? Date.now,
      incidents: options.dashboard?.incidents ?? (() => listIncidents(store)),
      ...(options.dashboard?.root ? { root: options.dashboard.root } : {}),
      agentsConnected: () => agents?.connections ?? 0,
      listeningUrl: () => listeningUrl ?? `http://127.0.0.1:${config.port}`,
    });
    // Every event goes to the engine, whose turn runs the support relay and the agent lifecycle
    // as steps. Bound once it exists; no event can arrive before the server listens.
    let engine: Engine | undefined;
    // Every event in a log context with its ids, and counted (bot/observe-turn.ts).
    const handle = observeTurns(
      { metrics: recordingInto(dashboard.ledger, metrics), log },
      async (event: InboundEvent) => {
        if (engine === undefined) throw new Error('an event arrived before the engine was built');
        // Message length per turn (issue 16): Direct Line refuses longer posts; here the rest is cut.
        return engine.handle(clampTurnText(event, config.limits.turnTextChars));
      },
    );
    metrics.watch({ outbox: () => outboxCounts(store) });

    const directLine = createDirectLineChannel({
      store: store.directline,
      secret: config.directLineSecret,
      onActivity: options.onActivity ?? coreBot({ handle, log }),
      log,
      ...(cluster ? { feed: cluster.feed } : {}),
      limits: config.limits,
    });
    const ports: ChannelPorts = { webchat: createWebChatPort(directLine.port) };
    const routes: RouteModule[] = [];

    const teams =
      options.teams === false
        ? undefined
        : createTeamsChannel({
            settings: config.botFramework,
            log,
            serviceUrls: config.teamsServiceUrls,
            replies: { timeoutMs: config.limits.replyTimeoutMs },
            ...options.teams,
          });
    if (teams) {
      ports.teams = teams.port;
      routes.push(teams.routes({ handle }));
    }

    let slack: SlackChannel | undefined;
    if (config.slack) {
      slack = createSlackChannel({
        settings: config.slack,
        handle,
        dedupe: store.dedupe,
        logger: log,
        replies: { timeoutMs: config.limits.replyTimeoutMs },
        ...options.slack,
      });
      // auth.test now: a refused bot token is a configuration error at start, not at the first DM.
      await slack.start();
      stopped.push(() => slack!.stop());
      ports.slack = slack.port;
    }

    // The agent gateway: pairing codes and jobs for the engine, its events into `handle`. The
    // route module closes it at shutdown (before the HTTP server stops), so agents hear 1001
    // and reconnect to whichever process serves next.
    if (options.agents !== false) {
      const { bundlePath, agentsDir, ...knobs } = options.agents ?? {};
      const pairing = createPairing({ store, ...(cluster ? { limiter: cluster.limiter } : {}) });
      agents = createAgentGateway({
        store,
        pairing,
        sink: async (event) => void (await handle(event)),
        log,
        limits: config.limits,
        ...knobs,
        ...(cluster ? { bus: cluster.bus, replicaId: cluster.replicaId } : {}),
      });
      routes.push(agentGatewayRoutes(agents), agentDownloadRoutes({ log, bundlePath }));
      metrics.watch({ agentsConnected: () => agents!.connections });
      // The /go page: the short link of the pairing card (issue 12), with its browser check (issue 17).
      const catalogs = options.browserCatalogs ?? builtInCatalogs();
      routes.push(
        goRoutes({
          pairing,
          log,
          agentsDir,
          clientIp: knobs.clientIp,
          connect: Object.values(catalogs).flatMap(browserOrigins),
        }),
        browserCheckRoutes({
          pairing,
          store,
          handle,
          catalogFor: (session) => catalogs[session.report?.cloud ?? ''] ?? Object.values(catalogs)[0],
          secret: config.directLineSecret,
          log,
          clientIp: knobs.clientIp,
        }),
      );
      // Only if the start fails from here on; a running server closes it through the route.
      stopped.push(() => agents!.close());
    }

    const router = createPortRouter(ports);
    const support = createSupport({
      store,
      config,
      playbooks,
      // Deliveries run outside whichever Teams turn started the outbox worker (see outside-turn.ts).
      port: outsideTurns(router),
      log,
      // Each channel carries its own case threads (Teams: new posts, replies, card updates outside any turn).
      transports: {
        ...(slack ? { slack: slack.supportTransport() } : {}),
        ...(teams ? { teams: teams.supportTransport(config.support.teamsChannel) } : {}),
      },
      commands: dashboard.commands,
    });
    if (slack) routes.push(slackRoutes(slack));
    // Issue 18: one incident for many cases with the same network cause.
    const incidents = createIncidents({
      store,
      relay: support.relay,
      settings: config.incidents,
      redaction: config.support.redaction,
      ...(agents ? { agents } : {}),
      metrics,
      log,
      ...(options.clock ? { now: options.clock } : {}),
    });

    engine = createEngine({
      store,
      port: router,
      support: support.port,
      playbooks,
      clock: options.clock ?? Date.now,
      // Every turn's other steps, in order: the incidents' gate (incident cards and threads) and
      // their correlation of each report, the support relay's gate, then (rejected devices,
      // resolved cases) the agent gateway's lifecycle.
      steps: [incidents.step, support.step, ...(agents ? [agentLifecycle(agents, log)] : []), dashboard.step],
      ...(agents ? { agents } : {}),
      ...(config.publicUrl ? { serverUrl: config.publicUrl } : {}),
      ...(options.watchMs ? { watchMs: options.watchMs } : {}),
    });

    const streams = createDirectLineStreams({
      channel: directLine,
      log,
      heartbeatMs: options.heartbeatMs,
      maxPerAddress: config.limits.streamsPerAddress,
    });
    const app = createServer({
      config,
      store,
      log,
      routes: [
        directLineRoutes({ channel: directLine, streams, log, publicUrl: config.publicUrl }),
        ...routes,
        metricsRoutes(metrics),
        dashboard.routes,
        ...(options.routes ?? []),
        // Last: its `/:file` route must not shadow anything registered by other modules.
        webChatPage({ root: options.webRoot ?? DEFAULT_WEB_ROOT, log }),
      ],
    });
    const listening = await app.listen();
    listeningUrl = listening.url;
    // Delivers what the outbox still holds from before a restart.
    await support.start();
    // Replies of turns a crash cut off between their commit and the channel (Session.undelivered).
    await engine
      .resumeInterrupted()
      .catch((error: unknown) => log.warn('could not resume interrupted turns', { error }));
    return {
      ...listening,
      store,
      directLine,
      engine,
      support,
      incidents,
      metrics,
      dashboard: { idle: () => dashboard.ledger.idle() },
      ...(slack ? { slack } : {}),
      ...(teams ? { teams } : {}),
      ...(agents ? { agents } : {}),
      async close() {
        // Stops Slack too (slackRoutes registers it with the server's closers).
        await app.close();
        await directLine.idle();
        await support.stop();
        await dashboard.ledger.idle();
        if (ownStore) await (cluster ?? store).close();
      },
    };
  } catch (error) {
    for (const stop of stopped) await stop().catch(() => undefined);
    if (ownStore) await (cluster ?? store).close();
    throw error;
  }
}

/** Outbox messages waiting, per status, for the metrics' gauge. */
async function outboxCounts(store: Store<Session>): Promise<Record<'pending' | 'parked' | 'dead', number>> {
  const [pending, parked, dead] = await Promise.all(
    (['pending', 'parked', 'dead'] as const).map((status) => store.outbox.list(status)),
  );
  return { pending: pending.length, parked: parked.length, dead: dead.length };
}

/** Every built-in catalog by cloud, commercial first. */
function builtInCatalogs(): Record<string, Catalog> {
  return Object.fromEntries(CLOUDS.map((cloud) => [cloud, builtInCatalog(cloud)]));
}
