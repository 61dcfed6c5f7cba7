/**
 * The gateway's side of the bus: a replica that queued a job for an agent, or must close one,
 * finds the agent's replica in its record (the Store) and pokes that replica's inbox; the
 * replica holding the agent sends the queued jobs (`agent.flush`) or closes the connection
 * (`agent.close`). Without a bus (one replica) every agent is local and nothing is sent.
 */
import type { AgentRecords } from '../agents/records.ts';
import type { Logger } from '../log.ts';
import type { Bus } from './bus.ts';

export interface AgentLink {
  /** The job is in the agent's record: ask its replica to send what is queued. */
  flush(agentId: string): void;
  /** Ask the agent's replica to close its connection. */
  close(agentId: string, code: number, reason: string): Promise<void>;
}

export function agentLink(options: {
  bus?: Bus;
  replicaId: string;
  records: AgentRecords;
  log: Logger;
  /** Runs here when another replica asks for one of this replica's agents. */
  local: {
    has(agentId: string): boolean;
    flush(agentId: string): Promise<void>;
    close(agentId: string, code: number, reason: string): void;
  };
}): AgentLink {
  const { bus, replicaId, records, log, local } = options;
  const toHolder = async (agentId: string, message: { type: string; [field: string]: unknown }) => {
    const record = bus ? await records.get(agentId).catch(() => undefined) : undefined;
    if (!record?.replicaId || record.replicaId === replicaId) return;
    await bus?.toReplica(record.replicaId, message);
  };
  bus?.on('agent.flush', (m) => {
    const agentId = String(m.agentId);
    if (local.has(agentId))
      void local.flush(agentId).catch((error) => log.error('sending queued jobs failed', { agentId, error }));
  });
  bus?.on('agent.close', (m) => local.close(String(m.agentId), Number(m.code), String(m.reason)));
  return {
    flush: (agentId) => void toHolder(agentId, { type: 'agent.flush', agentId }),
    close: (agentId, code, reason) => toHolder(agentId, { type: 'agent.close', agentId, code, reason }),
  };
}
