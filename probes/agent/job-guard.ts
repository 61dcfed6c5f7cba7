/**
 * The agent's own check of every job, whatever the server already checked (DESIGN.md,
 * Security model): a recheck may name only probes of this device's catalog, by id or by
 * kind, and an action only one of the agent's allow-list. A server that was compromised, or
 * a message forged on the way, can make the agent probe nothing else and change nothing else.
 */
import { isActionId } from '../actions/types.ts';
import type { UserFolders } from '../cache.ts';
import { NO_PROXY } from '../context.ts';
import { isProbeKind } from '../kinds.ts';
import { buildPlan } from '../plan.ts';
import type { DiscoveredProxy } from '../proxy/discover.ts';
import type { Catalog } from '../types.ts';
import type { JobMessage } from './protocol.ts';
import { ProtocolError } from './protocol-check.ts';

export interface GuardInput {
  catalog: Catalog;
  platform: NodeJS.Platform;
  home: string;
  folders?: UserFolders;
}

export interface JobGuard {
  /** Every probe id the catalog calls for on this device. */
  readonly probeIds: ReadonlySet<string>;
  /** Throws ProtocolError (`not_in_catalog`, `action_not_allowed`) for a job it must refuse. */
  check(job: JobMessage): void;
}

export function createJobGuard(input: GuardInput): JobGuard {
  // Probe ids do not depend on the proxy; the plan's runners are never called here.
  const shapeOnly = {
    ...NO_PROXY,
    bypass: [],
    details: { platform: input.platform, problems: [] },
  } as DiscoveredProxy;
  const probeIds = new Set(buildPlan({ ...input, proxy: shapeOnly }).map((p) => p.id));
  return {
    probeIds,
    check(job) {
      for (const ref of job.probes ?? []) {
        if (!isProbeKind(ref) && !probeIds.has(ref)) {
          throw new ProtocolError(
            'not_in_catalog',
            `job ${job.jobId} asks for probe "${ref}", which this computer's ${input.catalog.cloud} catalog does not contain; refused`,
          );
        }
      }
      if (job.kind === 'action' && !isActionId(job.action)) {
        throw new ProtocolError(
          'action_not_allowed',
          `job ${job.jobId} asks for action "${String(job.action)}", which is not on this agent's allow-list; refused`,
        );
      }
    },
  };
}
