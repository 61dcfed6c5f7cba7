/**
 * The dashboard (issue 18, item 4), assembled for the composition root: the ledger the turn
 * observer feeds, the engine step that records resolutions, the support command that posts
 * sign-in links, and the /admin routes. The incidents come in as a source (bot/incidents'
 * `listIncidents`); without one the dashboard shows none.
 */
import type { BotConfig } from '../config.ts';
import type { TurnStep } from '../core/pipeline.ts';
import type { Session } from '../core/types.ts';
import type { Logger } from '../log.ts';
import type { PlaybookSet } from '../playbooks/types.ts';
import type { RouteModule } from '../server.ts';
import type { Store } from '../store/types.ts';
import type { SupportCommands } from '../support/context.ts';
import { dashboardCommands } from './command.ts';
import { createLedger, type Ledger, resolutionStep } from './ledger.ts';
import { dashboardRoutes } from './routes.ts';
import { buildSummary } from './summary.ts';
import { createTokens } from './tokens.ts';
import type { IncidentSource } from './types.ts';

export type { IncidentSource, IncidentSummary } from './types.ts';

export interface DashboardOptions {
  config: Pick<BotConfig, 'dashboard' | 'directLineSecret' | 'publicUrl'>;
  store: Store<Session>;
  playbooks: PlaybookSet;
  log: Logger;
  /** Epoch ms: link and session expiry, the ledger's buckets. */
  now: () => number;
  /** Default: no incidents. */
  incidents?: IncidentSource;
  /** Agents connected to this replica (the gateway's count). */
  agentsConnected: () => number;
  /** The address links point at when PUBLIC_URL is not set (the listening one, known after listen). */
  listeningUrl: () => string;
  /** Where the built page is (default dist/admin). */
  root?: string;
}

export interface Dashboard {
  ledger: Ledger;
  step: TurnStep;
  commands: SupportCommands;
  routes: RouteModule;
}

export function createDashboard(options: DashboardOptions): Dashboard {
  const { config, store, now } = options;
  // The deployment's own secret (configured, or generated once into DATA_DIR): links and
  // cookies of another deployment never verify here.
  const tokens = createTokens(config.directLineSecret, now);
  // The history lives in the Store: every replica charts every replica's turns.
  const ledger = createLedger({ history: store.history, now, log: options.log });
  const baseUrl = () => config.publicUrl ?? options.listeningUrl();
  return {
    ledger,
    step: resolutionStep(ledger),
    commands: dashboardCommands({ tokens, linkMs: config.dashboard.linkMs, baseUrl }),
    routes: dashboardRoutes({
      tokens,
      dedupe: store.dedupe,
      audit: store.audit,
      sessionMs: config.dashboard.sessionMs,
      secure: config.publicUrl?.startsWith('https:') ?? false,
      log: options.log,
      now,
      ...(options.root ? { root: options.root } : {}),
      summary: () =>
        buildSummary({
          store,
          ledger,
          playbooks: options.playbooks,
          incidents: options.incidents ?? (async () => []),
          agentsConnected: options.agentsConnected,
          now,
        }),
    }),
  };
}
