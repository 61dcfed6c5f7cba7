/**
 * Builds what /admin/api/summary answers: incidents (from the injected source), the open cases
 * (escalations in the Store, each with its root cause and whether its agent is online on any
 * replica), the ledger's findings over time, step results and resolution times (from the Store's
 * history, so the same on every replica), and the agents connected to this replica.
 */
import type { Session } from '../core/types.ts';
import type { PlaybookSet } from '../playbooks/types.ts';
import type { Store } from '../store/types.ts';
import type { CaseData } from '../support/types.ts';
import { durationsOf, type Ledger } from './ledger.ts';
import type { CaseSummary, DashboardSummary, IncidentSource, IncidentSummary } from './types.ts';

/** Open cases listed at most (the oldest first are the ones waiting longest). */
const MAX_CASES = 200;

export interface SummaryDeps {
  store: Pick<Store<Session>, 'escalations' | 'sessions' | 'agents'>;
  ledger: Ledger;
  playbooks: PlaybookSet;
  incidents: IncidentSource;
  /** Agents connected to this replica now. */
  agentsConnected: () => number;
  now: () => number;
}

const iso = (ms: number) => new Date(ms).toISOString();

async function openCases(deps: SummaryDeps): Promise<CaseSummary[]> {
  const open = (await deps.store.escalations.listOpen())
    .sort((a, b) => a.createdAt - b.createdAt)
    .slice(0, MAX_CASES);
  return Promise.all(
    open.map(async (record): Promise<CaseSummary> => {
      const [session, agents] = await Promise.all([
        deps.store.sessions.get(record.sessionId),
        deps.store.agents.listBySession(record.sessionId),
      ]);
      const cause = session?.findings?.[0]?.id;
      return {
        caseRef: (record.data as unknown as CaseData | undefined)?.caseRef ?? record.id,
        status: record.status === 'taken' ? 'taken' : 'open',
        since: iso(record.createdAt),
        ...(cause ? { cause } : {}),
        channel: session?.channel ?? 'unknown',
        agentOnline: agents.some((a) => a.online),
      };
    }),
  );
}

/** Unresolved incidents first (newest first), then the resolved ones. */
function ordered(incidents: IncidentSummary[]): IncidentSummary[] {
  const rank = (i: IncidentSummary) => (i.state === 'resolved' ? 1 : 0);
  return [...incidents].sort((a, b) => rank(a) - rank(b) || b.openedAt.localeCompare(a.openedAt));
}

export async function buildSummary(deps: SummaryDeps): Promise<DashboardSummary> {
  const [incidents, cases, history] = await Promise.all([
    deps.incidents(),
    openCases(deps),
    deps.ledger.read(),
  ]);
  const incidentTimes = incidents
    .filter((i) => i.state === 'resolved' && i.resolvedAt)
    .map((i) => Date.parse(i.resolvedAt!) - Date.parse(i.openedAt))
    .filter((ms) => Number.isFinite(ms) && ms >= 0);
  const steps = history.steps
    .map((s) => {
      const title = deps.playbooks.steps.get(s.stepId)?.title;
      return title ? { ...s, title } : s;
    })
    .sort((a, b) => b.verified - a.verified || b.failed - a.failed || a.stepId.localeCompare(b.stepId));
  return {
    generatedAt: iso(deps.now()),
    incidents: ordered(incidents),
    cases,
    findings: history.findings,
    resolution: { incidents: durationsOf(incidentTimes), cases: history.resolutions },
    steps,
    agents: {
      connected: deps.agentsConnected(),
      openCasesWithAgent: cases.filter((c) => c.agentOnline).length,
    },
  };
}
