/**
 * Issue 18's incidents, assembled: cases whose root cause and network fingerprint agree within a
 * window become one incident, with one card in its own support thread, the users told that IT
 * is on it, and the fix verified on every member's computer when support resolves it. State is
 * the Store's (`store.incidents`), so every replica sees the same incidents.
 *
 * Wiring, in the composition root (bot/app.ts):
 *   const incidents = createIncidents({ store, relay: support.relay, settings: config.incidents, agents, metrics, log });
 *   const engine = createEngine({ …, steps: [incidents.step, support.step, …] });
 */
import { randomUUID } from 'node:crypto';
import type { TurnStep } from '../core/pipeline.ts';
import type { AgentPort, Session } from '../core/types.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../store/types.ts';
import type { SupportRelay } from '../support/index.ts';
import { summaryOf } from './card.ts';
import type { IncidentContext, IncidentMetrics } from './context.ts';
import { incidentStep } from './step.ts';
import { createIncidentThread } from './thread.ts';
import type { IncidentSettings, IncidentStore, IncidentSummary } from './types.ts';

export type { IncidentMetrics } from './context.ts';
export type { IncidentSettings, IncidentSummary } from './types.ts';

export interface IncidentOptions {
  store: Store<Session>;
  relay: SupportRelay;
  settings: IncidentSettings;
  /** Redact what is posted to the support thread (config.support.redaction). */
  redaction: boolean;
  agents?: AgentPort;
  metrics?: IncidentMetrics;
  log: Logger;
  /** Epoch ms; default Date.now. Tests inject the engine's clock. */
  now?: () => number;
  newId?: () => string;
}

export interface Incidents {
  /** createEngine({ steps: [incidents.step, support.step, …] }): before the support relay's. */
  step: TurnStep;
  /** The dashboard's list. */
  list(options?: { limit?: number; state?: IncidentSummary['state'] }): Promise<IncidentSummary[]>;
}

export function createIncidents(options: IncidentOptions): Incidents {
  const ctx: IncidentContext = {
    store: options.store,
    relay: options.relay,
    thread: createIncidentThread({
      store: options.store.incidents,
      relay: options.relay,
      redaction: options.redaction,
    }),
    settings: options.settings,
    ...(options.agents ? { agents: options.agents } : {}),
    ...(options.metrics ? { metrics: options.metrics } : {}),
    now: options.now ?? Date.now,
    newId: options.newId ?? randomUUID,
    log: options.log,
  };
  return {
    step: incidentStep(ctx),
    list: (o) => listIncidents(options.store.incidents, o),
  };
}

/**
 * Incidents for the /admin dashboard, newest first (candidates below the threshold are not
 * incidents and are not listed). Any replica answers the same: it reads the Store.
 */
export async function listIncidents(
  store: IncidentStore | Pick<Store, 'incidents'>,
  options: { limit?: number; state?: IncidentSummary['state'] } = {},
): Promise<IncidentSummary[]> {
  const incidents = 'incidents' in store ? store.incidents : store;
  const all = (await incidents.list(options.limit ?? 100)).map(summaryOf);
  return options.state ? all.filter((s) => s.state === options.state) : all;
}
