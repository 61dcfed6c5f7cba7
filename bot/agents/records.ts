/**
 * The gateway's durable state of one paired agent, kept in the Store's agent presence (so any
 * replica, or this one after a restart, can carry on): its hashed secret, the device it said
 * it is, whether it was revoked, and the jobs it has not answered yet. Updates of one agent
 * are atomic read-modify-writes in the Store, so replicas sharing the record never lose one.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { DeviceInfo, JobMessage } from '../../probes/agent/protocol.ts';
import type { AgentJob } from '../core/types.ts';
import type { AgentPresence, AgentStore } from '../store/types.ts';

export interface JobRecord {
  job: AgentJob;
  /** Exactly what the agent is (or will be) sent. */
  message: JobMessage;
  state: 'queued' | 'sent';
  createdAt: number;
  deadlineAt: number;
  /** Times it was sent (a reconnect may send it again; the agent runs it once). */
  sends: number;
  /** A watch whose Stop was pressed: whichever replica holds the agent tells it to cancel. */
  cancel?: boolean;
}

export interface AgentData {
  /** SHA-256 of the agent's secret, hex. The secret itself is never stored. */
  secretHash: string;
  device: DeviceInfo;
  pairedAt: number;
  /** Where it paired from, for the audit and the support view. */
  source: string;
  revoked?: boolean;
  jobs: Record<string, JobRecord>;
  /** Ids of answered jobs, newest last, so a late duplicate result is recognised and dropped. */
  finished: string[];
}

export type AgentRecord = Omit<AgentPresence, 'data'> & { data: AgentData };

const KEEP_FINISHED = 50;

export function newAgentId(): string {
  return `ag-${randomBytes(12).toString('base64url')}`;
}

/** A random 256-bit secret, handed to the agent once. */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Constant-time comparison of a presented secret with the stored hash. */
export function secretMatches(secret: string, storedHash: string): boolean {
  const presented = Buffer.from(hashSecret(secret), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}

export function markFinished(data: AgentData, jobId: string): void {
  delete data.jobs[jobId];
  data.finished = [...data.finished.filter((id) => id !== jobId), jobId].slice(-KEEP_FINISHED);
}

export interface AgentRecords {
  get(agentId: string): Promise<AgentRecord | undefined>;
  create(record: AgentRecord): Promise<void>;
  /**
   * Reads, changes and writes one agent's record with no other update of it in between (in
   * any process sharing the store). `change` returns false to skip the write. Resolves to the record after it.
   */
  update(
    agentId: string,
    change: (record: AgentRecord) => boolean | undefined,
  ): Promise<AgentRecord | undefined>;
}

export function agentRecords(store: AgentStore): AgentRecords {
  const queues = new Map<string, Promise<unknown>>();
  const serial = <T>(agentId: string, fn: () => Promise<T>): Promise<T> => {
    const previous = queues.get(agentId) ?? Promise.resolve();
    const next = previous.then(fn, fn);
    const settled = next.catch(() => {});
    queues.set(agentId, settled);
    // Forget the queue once idle, so memory follows the agents that are busy, not all agents.
    void settled.then(() => {
      if (queues.get(agentId) === settled) queues.delete(agentId);
    });
    return next;
  };
  const isRecord = (p: AgentPresence | undefined) =>
    p?.data !== undefined && typeof p.data === 'object' && 'secretHash' in p.data;
  const read = async (agentId: string) => {
    const p = await store.get(agentId);
    return isRecord(p) ? (p as unknown as AgentRecord) : undefined;
  };
  return {
    get: read,
    create: (record) => serial(record.agentId, () => store.put(record as unknown as AgentPresence)),
    // Atomic in the store too (agent records are shared by replicas: a job dispatched on one
    // and answered on another); the serial queue only spares this process needless retries.
    update: (agentId, change) =>
      serial(agentId, async () => {
        let shaped = true;
        const after = await store.update(agentId, (p) => {
          shaped = isRecord(p);
          return shaped ? change(p as unknown as AgentRecord) : false;
        });
        return after && shaped ? (after as unknown as AgentRecord) : undefined;
      }),
  };
}
