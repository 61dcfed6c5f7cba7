/**
 * The in-memory outbox and support channel registry (issue 8), split from memory.ts to keep
 * each file to one job. Same contract as the SQLite version (test/support/store.test.ts runs
 * both); every method body is synchronous, so each operation is atomic within the process.
 */
import type {
  ClaimedOutboxMessage,
  OutboxMessage,
  OutboxStore,
  SupportChannel,
  SupportChannelStore,
} from './types.ts';

const SETTLED: ReadonlySet<OutboxMessage['status']> = new Set(['delivered', 'dead']);

/** True when a message's `after` predecessor no longer holds it back. */
export function predecessorSettled(after: OutboxMessage | undefined): boolean {
  return after === undefined || SETTLED.has(after.status);
}

export function createMemoryOutbox(now: () => number, isOpen: () => void): OutboxStore {
  const messages = new Map<string, OutboxMessage>();
  const claimable = (m: OutboxMessage): boolean =>
    m.status === 'pending' && predecessorSettled(m.after ? messages.get(m.after) : undefined);
  const dueAt = (m: OutboxMessage): number => Math.max(m.nextAttemptAt, m.leaseUntil ?? 0);

  return {
    async add({ key, topic, payload, after, notBefore }) {
      isOpen();
      if (messages.has(key)) return false;
      const t = now();
      messages.set(
        key,
        structuredClone({
          key,
          topic,
          payload,
          ...(after === undefined ? {} : { after }),
          status: 'pending',
          attempts: 0,
          tries: 0,
          nextAttemptAt: notBefore ?? t,
          createdAt: t,
          updatedAt: t,
        }),
      );
      return true;
    },
    async get(key) {
      isOpen();
      const m = messages.get(key);
      return m === undefined ? undefined : structuredClone(m);
    },
    async claim({ limit, leaseMs }) {
      isOpen();
      const t = now();
      const claimed: ClaimedOutboxMessage[] = [];
      for (const m of messages.values()) {
        if (claimed.length >= limit) break;
        if (!claimable(m) || dueAt(m) > t) continue;
        const recovered = m.leaseUntil !== undefined;
        m.attempts += 1;
        m.tries += 1;
        m.leaseUntil = t + leaseMs;
        m.updatedAt = t;
        claimed.push({ ...structuredClone(m), recovered });
      }
      return claimed;
    },
    async settle(key, outcome) {
      isOpen();
      const m = messages.get(key);
      if (m === undefined) throw new Error(`outbox message ${key} does not exist`);
      m.status = outcome.status;
      m.updatedAt = now();
      delete m.leaseUntil;
      if (outcome.status === 'delivered') {
        if (outcome.result !== undefined) m.result = structuredClone(outcome.result);
        return;
      }
      m.lastError = structuredClone(outcome.error);
      if (outcome.status === 'pending') m.nextAttemptAt = outcome.nextAttemptAt;
    },
    async resume() {
      isOpen();
      let n = 0;
      for (const m of messages.values()) {
        if (m.status !== 'parked') continue;
        m.status = 'pending';
        m.tries = 0;
        m.updatedAt = now();
        n += 1;
      }
      return n;
    },
    async nextDue() {
      isOpen();
      const due = [...messages.values()].filter(claimable).map(dueAt);
      return due.length === 0 ? undefined : Math.min(...due);
    },
    async list(status) {
      isOpen();
      return [...messages.values()]
        .filter((m) => status === undefined || m.status === status)
        .map((m) => structuredClone(m));
    },
  };
}

export function createMemorySupportChannels(isOpen: () => void): SupportChannelStore {
  const channels = new Map<string, SupportChannel>();
  return {
    async put(channel) {
      isOpen();
      // Re-registering moves the channel to the newest position.
      channels.delete(channel.id);
      channels.set(channel.id, structuredClone(channel));
    },
    async list() {
      isOpen();
      return [...channels.values()]
        .reverse()
        .sort((a, b) => b.registeredAt - a.registeredAt)
        .map((c) => structuredClone(c));
    },
    async remove(id) {
      isOpen();
      channels.delete(id);
    },
  };
}
