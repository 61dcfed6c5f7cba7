/**
 * The server's side of jobs: dispatch (only to the confirmed agent of the session, checked
 * again here), resume after a reconnect, results turned into core events, and jobs that will
 * never answer reported as lost. Every job lives in the agent's record in the Store until it
 * is answered; the in-memory index only drives this replica's deadline sweep.
 */

import {
  type AgentMessage,
  type JobMessage,
  MIN_DEADLINE_MS,
  type ResultMessage,
  type ServerMessage,
} from '../../probes/agent/protocol.ts';
import type { Timers } from '../../probes/timers.ts';
import type { AgentJob, Session } from '../core/types.ts';
import { limitHit } from '../limit-hits.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../store/types.ts';
import { jobCancels } from './cancel.ts';
import { type AgentEventSink, eventBase, type JobOutcome, type JobProgress } from './events.ts';
import {
  checkOutgoing,
  endedEvent,
  jobFields,
  jobMessage,
  resultEvent,
  resultFits,
  resultOutcome,
} from './job-message.ts';
import { progressThrottle } from './progress.ts';
import { type AgentRecords, type JobRecord, markFinished } from './records.ts';

export { JOB_DEADLINES_MS } from './job-message.ts';

export interface JobDeskDeps {
  store: Pick<Store<Session>, 'sessions' | 'audit'>;
  records: AgentRecords;
  sink: AgentEventSink;
  log: Logger;
  now(): number;
  /** Drives the progress throttle's trailing emits. */
  timers: Timers;
  progressIntervalMs?: number;
  /** Sends to the agent if it is connected to this replica; false otherwise. */
  send(agentId: string, message: ServerMessage): boolean;
  /** When the agent's connection dropped (undefined while connected or unknown). */
  disconnectedAt(agentId: string): number | undefined;
  reconnectGraceMs: number;
  /** Open jobs per session (an agent serves one session) before new ones are refused (issue 16). */
  maxPendingPerSession?: number;
}

export function createJobDesk(deps: JobDeskDeps) {
  const index = new Map<string, { agentId: string; deadlineAt: number }>();
  const { now, log } = deps;

  const emitProgress = async (jobId: string, progress: JobProgress) => {
    const entry = index.get(jobId);
    const rec = entry ? (await deps.records.get(entry.agentId))?.data.jobs[jobId] : undefined;
    const session = rec ? await deps.store.sessions.get(rec.job.sessionId) : undefined;
    if (!entry || !rec || !session) return;
    // Watch rounds move on while `done` stays: the round count keeps each update's id its own.
    const step = progress.watch ? `${progress.done}:r${progress.watch.rounds}` : `${progress.done}`;
    await deps.sink({
      ...eventBase(session, `agent-progress:${jobId}:${step}`, entry.agentId, now()),
      kind: 'agentProgress',
      ...jobFields(rec.job),
      progress,
    });
  };
  const throttle = progressThrottle({
    timers: deps.timers,
    intervalMs: deps.progressIntervalMs,
    emit: (jobId, progress) =>
      void emitProgress(jobId, progress).catch((error) =>
        log.error('progress event failed', { jobId, error }),
      ),
  });

  const emitEnded = async (
    job: AgentJob,
    agentId: string,
    outcome: JobOutcome,
    message: string,
    extra: object = {},
  ) => {
    const session = await deps.store.sessions.get(job.sessionId);
    if (!session)
      return log.warn('agent job ended for a session that is gone', {
        jobId: job.jobId,
        sessionId: job.sessionId,
      });
    await deps.sink(
      endedEvent(eventBase(session, `agent-job:${job.jobId}`, agentId, now()), job, outcome, message, extra),
    );
  };

  const lose = async (agentId: string, jobId: string, why: string) => {
    index.delete(jobId);
    throttle.end(jobId);
    let lost: JobRecord | undefined;
    await deps.records.update(agentId, (r) => {
      lost = r.data.jobs[jobId];
      if (!lost) return false;
      markFinished(r.data, jobId);
    });
    if (lost) {
      log.warn('agent job lost', { agentId, jobId, why });
      await emitEnded(lost.job, agentId, 'lost', why);
    }
  };

  /** Sends with the time left to the deadline, and records that it went out. */
  const send = async (agentId: string, rec: JobRecord): Promise<void> => {
    const message = { ...rec.message, deadlineMs: Math.max(MIN_DEADLINE_MS, rec.deadlineAt - now()) };
    if (!deps.send(agentId, message)) return;
    await deps.records.update(agentId, (r) => {
      const stored = r.data.jobs[rec.message.jobId];
      if (!stored) return false;
      stored.state = 'sent';
      stored.sends++;
    });
  };

  const cancels = jobCancels({ records: deps.records, send: deps.send, log });

  const refuseAtDispatch = (job: AgentJob, agentId: string, why: string) => {
    log.warn('agent job refused by the gateway', { jobId: job.jobId, sessionId: job.sessionId, why });
    return emitEnded(job, agentId, 'refused', why);
  };

  return {
    /** AgentPort.dispatch: never throws for a refusal; the chat hears of it as an agentJobEnded. */
    async dispatch(session: Session, job: AgentJob): Promise<void> {
      const agentId = session.pairing?.device?.agentId;
      if (!agentId || !session.pairing?.confirmed) {
        return refuseAtDispatch(
          job,
          agentId ?? 'none',
          'no computer has been paired and confirmed in this chat yet',
        );
      }
      const record = await deps.records.get(agentId);
      if (!record || record.data.revoked || record.sessionId !== session.id) {
        return refuseAtDispatch(
          job,
          agentId,
          'the paired computer was disconnected from this case; pair again',
        );
      }
      const message: JobMessage = jobMessage(job);
      // A replay of the same core job (a retried effect) is sent once.
      if (record.data.jobs[message.jobId] || record.data.finished.includes(message.jobId)) return;
      const pending = Object.keys(record.data.jobs).length;
      if (pending >= (deps.maxPendingPerSession ?? Number.POSITIVE_INFINITY)) {
        limitHit('pendingJobsPerSession');
        return refuseAtDispatch(
          job,
          agentId,
          `${pending} checks are still running for this case; wait for them`,
        );
      }
      try {
        checkOutgoing(session, job, message);
      } catch (err) {
        return refuseAtDispatch(job, agentId, (err as Error).message);
      }
      const rec: JobRecord = {
        job,
        message,
        state: 'queued',
        createdAt: now(),
        deadlineAt: now() + message.deadlineMs,
        sends: 0,
      };
      await deps.records.update(agentId, (r) => {
        r.data.jobs[message.jobId] = rec;
      });
      index.set(message.jobId, { agentId, deadlineAt: rec.deadlineAt });
      await send(agentId, rec);
      await deps.store.audit.append({
        sessionId: session.id,
        kind: 'agent_job_dispatched',
        actor: 'bot',
        data: { agentId, jobId: job.jobId, type: job.type },
      });
    },

    /** AgentPort.cancel (cancel.ts). */
    cancel: cancels.cancel,

    /** After a hello: re-send what the agent does not have, drop what is past its deadline. */
    async resume(agentId: string, running: string[]): Promise<void> {
      const record = await deps.records.get(agentId);
      if (!record) return;
      for (const rec of Object.values(record.data.jobs)) {
        const jobId = rec.message.jobId;
        if (rec.deadlineAt <= now()) {
          await lose(agentId, jobId, 'the computer did not answer before the deadline');
          continue;
        }
        index.set(jobId, { agentId, deadlineAt: rec.deadlineAt });
        // The agent runs a job id once and answers a re-send with the result it has, so a
        // re-send is safe for actions too.
        if (!running.includes(jobId)) await send(agentId, rec);
        cancels.resend(agentId, rec);
      }
    },

    /** Another replica queued jobs for this agent (held here): index them and send what is queued. */
    async flush(agentId: string): Promise<void> {
      const record = await deps.records.get(agentId);
      for (const rec of Object.values(record?.data.jobs ?? {})) {
        index.set(rec.message.jobId, { agentId, deadlineAt: rec.deadlineAt });
        if (rec.state === 'queued') await send(agentId, rec);
        cancels.resend(agentId, rec);
      }
    },

    progress(agentId: string, message: Extract<AgentMessage, { type: 'progress' }>): void {
      const known = index.get(message.jobId);
      if (known?.agentId !== agentId) {
        log.warn('progress for a job this agent does not have', { agentId, jobId: message.jobId });
        return;
      }
      throttle.update(message.jobId, message.event);
    },

    async result(agentId: string, message: ResultMessage): Promise<void> {
      let rec: JobRecord | undefined;
      let duplicate = false;
      const record = await deps.records.update(agentId, (r) => {
        rec = r.data.jobs[message.jobId];
        duplicate = r.data.finished.includes(message.jobId);
        if (!rec) return false;
        if (!resultFits(rec.job, message)) {
          rec = undefined;
          return false;
        }
        markFinished(r.data, message.jobId);
      });
      if (!rec || !record) {
        if (duplicate) log.info('duplicate result ignored', { agentId, jobId: message.jobId });
        else
          log.warn('result ignored: no such job for this agent, or the wrong kind of result', {
            agentId,
            jobId: message.jobId,
          });
        return;
      }
      index.delete(message.jobId);
      throttle.end(message.jobId);
      const job = rec.job;
      const session = await deps.store.sessions.get(job.sessionId);
      if (!session) return;
      await deps.store.audit.append({
        sessionId: session.id,
        kind: 'agent_job_result',
        actor: `agent:${agentId}`,
        data: { jobId: job.jobId, type: job.type, outcome: resultOutcome(message) },
      });
      await deps.sink(
        resultEvent(eventBase(session, `agent-job:${job.jobId}`, agentId, now()), job, message),
      );
    },

    async consent(agentId: string, message: Extract<AgentMessage, { type: 'consent' }>): Promise<void> {
      const entry = index.get(message.jobId);
      const record = entry?.agentId === agentId ? await deps.records.get(agentId) : undefined;
      const rec = record?.data.jobs[message.jobId];
      if (rec?.job.type !== 'action')
        return log.warn('consent for a job that is not a pending action', { agentId, jobId: message.jobId });
      await deps.store.audit.append({
        sessionId: rec.job.sessionId,
        kind: 'agent_consent',
        actor: `agent:${agentId}`,
        data: { jobId: rec.job.jobId, action: rec.job.action, granted: message.granted },
      });
    },

    /** Loses jobs past their deadline, and jobs of agents gone longer than the reconnect grace. */
    async sweep(): Promise<void> {
      const t = now();
      for (const [jobId, { agentId, deadlineAt }] of [...index]) {
        const gone = deps.disconnectedAt(agentId);
        if (deadlineAt <= t) await lose(agentId, jobId, 'the computer did not answer before the deadline');
        else if (gone !== undefined && t - gone >= deps.reconnectGraceMs) {
          await lose(
            agentId,
            jobId,
            'the agent on the computer stopped (closed, killed or offline) while the job ran',
          );
        }
      }
    },

    /** Every open job of the agent is lost (the agent was revoked). */
    async loseAll(agentId: string, why: string): Promise<void> {
      const record = await deps.records.get(agentId);
      for (const jobId of Object.keys(record?.data.jobs ?? {})) await lose(agentId, jobId, why);
    },

    get pending(): number {
      return index.size;
    },
  };
}

export type JobDesk = ReturnType<typeof createJobDesk>;
