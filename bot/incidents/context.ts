/** What every part of the incidents module works with, assembled once by createIncidents. */
import type { AgentPort, Session } from '../core/types.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../store/types.ts';
import type { SupportRelay } from '../support/index.ts';
import type { IncidentThread } from './thread.ts';
import type { IncidentSettings } from './types.ts';

/** Counted by bot/metrics.ts (labels: the cause's finding id only). */
export interface IncidentMetrics {
  incidentOpened(cause: string, detectSeconds: number): void;
  incidentResolved(cause: string, members: number): void;
}

export interface IncidentContext {
  store: Store<Session>;
  relay: SupportRelay;
  thread: IncidentThread;
  settings: IncidentSettings;
  /** The agent gateway: re-checks on resolve. Absent: every member is asked to check again. */
  agents?: AgentPort;
  metrics?: IncidentMetrics;
  now: () => number;
  newId: () => string;
  log: Logger;
}

/** The egress address the bot saw the case's agent come from (the gateway's pairing record). */
export async function egressOf(ctx: IncidentContext, session: Session): Promise<string | undefined> {
  const agentId = session.pairing?.device?.agentId;
  const presence = agentId ? await ctx.store.agents.get(agentId) : undefined;
  const source = (presence?.data as { source?: unknown } | undefined)?.source;
  return typeof source === 'string' ? source : undefined;
}

/** The case's agent is still paired: its record is there, not revoked, and online on some replica. */
export async function stillPaired(ctx: IncidentContext, session: Session): Promise<boolean> {
  const agentId = session.pairing?.device?.agentId;
  if (!agentId || !session.pairing?.confirmed) return false;
  const presence = await ctx.store.agents.get(agentId);
  return (
    presence?.online === true &&
    presence.sessionId === session.id &&
    (presence.data as { revoked?: boolean } | undefined)?.revoked !== true
  );
}
