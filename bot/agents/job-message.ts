/**
 * Pure pieces of the server's job handling: the protocol message for a core job, the server's
 * own checks before anything is sent, and the core event a result becomes.
 */
import { createHash } from 'node:crypto';
import { type JobMessage, parseServerMessage, type ResultMessage } from '../../probes/agent/protocol.ts';
import { isProbeKind } from '../../probes/kinds.ts';
import type { AgentJob, Session } from '../core/types.ts';
import type { AgentEvent, EventBase, JobOutcome } from './events.ts';

/**
 * How long each kind of job may take on the agent. Actions include the time to answer y/N; a
 * watch gets a full check's time on top of its window.
 */
export const JOB_DEADLINES_MS: Record<AgentJob['type'], number> = {
  check: 120_000,
  recheck: 60_000,
  action: 300_000,
  watch: 120_000,
};

/**
 * The job's id on the wire: the core's ids are activity ids (any characters, any length), the
 * protocol's are short and plain, so the gateway sends a digest and keeps both in the record.
 */
export function wireJobId(coreJobId: string): string {
  return `j-${createHash('sha256').update(coreJobId).digest('base64url').slice(0, 22)}`;
}

export function jobMessage(job: AgentJob): JobMessage {
  return {
    v: 1,
    type: 'job',
    jobId: wireJobId(job.jobId),
    kind: job.type,
    ...(job.type === 'recheck' ? { probes: job.probeIds } : {}),
    ...(job.type === 'action' ? { action: job.action } : {}),
    ...(job.type === 'watch' ? { watchMs: job.watchMs } : {}),
    deadlineMs: JOB_DEADLINES_MS[job.type] + (job.type === 'watch' ? job.watchMs : 0),
  };
}

/**
 * The server's checks of an outgoing job (the agent checks again): the message passes the
 * protocol, and a recheck names only probes the session's report has from this computer.
 * Throws an Error saying what is wrong.
 */
export function checkOutgoing(session: Session, job: AgentJob, message: JobMessage): void {
  parseServerMessage(message);
  if (job.type === 'recheck' && session.report) {
    const known = new Set(session.report.probes.map((p) => p.id));
    const unknown = job.probeIds.find((ref) => !isProbeKind(ref) && !known.has(ref));
    if (unknown) throw new Error(`probe "${unknown}" is not among the probes this computer reported`);
  }
}

/** A report answers a check, a recheck or a watch, an action outcome an action; an error answers any. */
export function resultFits(job: AgentJob, message: ResultMessage): boolean {
  if ('error' in message) return true;
  return 'report' in message ? job.type !== 'action' : job.type === 'action';
}

/** The fields every event about a job carries. */
export function jobFields(job: AgentJob): { jobId: string; jobType: AgentJob['type']; stepId?: string } {
  return {
    jobId: job.jobId,
    jobType: job.type,
    ...(job.type === 'recheck' || job.type === 'action' ? { stepId: job.stepId } : {}),
  };
}

export function endedEvent(
  base: EventBase,
  job: AgentJob,
  outcome: JobOutcome,
  message: string,
  extra: object = {},
): AgentEvent {
  return { ...base, kind: 'agentJobEnded', ...jobFields(job), outcome, message, ...extra };
}

/** What the core hears of a result: a report, a recheck result, or how the job ended. */
export function resultEvent(base: EventBase, job: AgentJob, message: ResultMessage): AgentEvent {
  if ('error' in message) return endedEvent(base, job, message.error.code, message.error.message);
  if ('action' in message) {
    const a = message.action;
    return endedEvent(base, job, a.status, `${a.action}: ${a.status}`, { action: a });
  }
  if (job.type === 'recheck') {
    // Only what was asked for: an agent cannot slip other results into a step's evidence.
    const wanted = new Set(job.probeIds);
    const probes = message.report.probes.filter((p) => wanted.has(p.id) || wanted.has(p.kind));
    return { ...base, kind: 'recheckResult', stepId: job.stepId, probes, jobId: job.jobId };
  }
  return { ...base, kind: 'report', report: message.report, source: 'agent' };
}

/** A short word for the audit log. */
export function resultOutcome(message: ResultMessage): string {
  return 'report' in message ? 'report' : 'action' in message ? message.action.status : message.error.code;
}
