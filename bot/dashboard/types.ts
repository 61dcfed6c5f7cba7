/**
 * The dashboard's shapes (issue 18, item 4): what /admin/api/summary answers and the page draws.
 * The incidents come from bot/incidents: the composition root passes `listIncidents` in, and only
 * its summary type is shared (no runtime import, so the dashboard runs without correlation).
 */

import type { IncidentSummary } from '../incidents/types.ts';

export type { IncidentSummary };

/** Where the incidents come from; the default has none. */
export type IncidentSource = () => Promise<IncidentSummary[]>;

/** One open support case. */
export interface CaseSummary {
  caseRef: string;
  status: 'open' | 'taken';
  /** ISO 8601: when it was escalated. */
  since: string;
  /** The root-cause finding id, when the case has findings. */
  cause?: string;
  channel: string;
  /** A paired agent is connected for the case (on any replica). */
  agentOnline: boolean;
}

/** How long things took to resolve, over what the window holds. */
export interface Durations {
  count: number;
  medianMs?: number;
  p90Ms?: number;
}

/** Findings newly named per hour, per finding id: the chart's data. */
export interface FindingSeries {
  /** Epoch ms of the first bucket's start. */
  start: number;
  bucketMs: number;
  /** One count array per finding id, each `buckets` long. */
  series: { id: string; counts: number[] }[];
  buckets: number;
}

/** A playbook step's re-check results within the window. */
export interface StepTally {
  stepId: string;
  title?: string;
  verified: number;
  failed: number;
}

/** Everything the page shows. */
export interface DashboardSummary {
  generatedAt: string;
  incidents: IncidentSummary[];
  cases: CaseSummary[];
  findings: FindingSeries;
  resolution: { incidents: Durations; cases: Durations };
  steps: StepTally[];
  agents: { connected: number; openCasesWithAgent: number };
}
