/**
 * Stop on a running watch (issue 15): the job's record is marked first, then the cancel goes
 * to the agent if this replica holds it; otherwise the replica that does (told through the
 * desk's send, which flushes there) or the agent's next resume sends it. The agent ignores a
 * repeated cancel, so sending it on every flush and resume is safe.
 */
import type { ServerMessage } from '../../probes/agent/protocol.ts';
import type { Session } from '../core/types.ts';
import type { Logger } from '../log.ts';
import { wireJobId } from './job-message.ts';
import type { AgentRecords, JobRecord } from './records.ts';

export interface JobCancels {
  /** AgentPort.cancel: the session's agent is to end watch job `coreJobId` (a core job id) now. */
  cancel(session: Session, coreJobId: string): Promise<void>;
  /** Sends the cancel again for a record whose Stop was pressed; false when not sent. */
  resend(agentId: string, rec: JobRecord): boolean;
}

export function jobCancels(deps: {
  records: AgentRecords;
  send(agentId: string, message: ServerMessage): boolean;
  log: Logger;
}): JobCancels {
  const resend = (agentId: string, rec: JobRecord): boolean =>
    rec.cancel === true && deps.send(agentId, { v: 1, type: 'cancel', jobId: rec.message.jobId });
  return {
    resend,
    async cancel(session, coreJobId) {
      const agentId = session.pairing?.device?.agentId;
      const jobId = wireJobId(coreJobId);
      let rec: JobRecord | undefined;
      if (agentId)
        await deps.records.update(agentId, (r) => {
          rec = r.data.jobs[jobId];
          if (rec?.job.type !== 'watch') return false;
          rec.cancel = true;
        });
      if (!agentId || !rec || rec.job.type !== 'watch') {
        deps.log.warn('cancel for a job that is not a running watch', { sessionId: session.id, jobId });
        return;
      }
      if (!resend(agentId, rec))
        deps.log.info('cancel left to the replica that holds the agent', { agentId, jobId });
    },
  };
}
