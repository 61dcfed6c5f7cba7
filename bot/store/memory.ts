/**
 * In-memory Store for unit tests. Same contract as the SQLite store (test/store/contract.test.ts
 * runs against both); every method body is synchronous, so each operation is atomic within the
 * process exactly as a SQLite transaction is. Documents are cloned in and out so a caller
 * mutating what it got back cannot change stored state behind the store's back.
 */
import { createMemoryHistory } from '../dashboard/history-memory.ts';
import { createMemoryIncidents } from '../incidents/store-memory.ts';
import { createMemoryOutbox, createMemorySupportChannels } from './memory-support.ts';
import type {
  AgentPresence,
  AuditEntry,
  DirectLineConversation,
  Escalation,
  PairingCode,
  SaveResult,
  Store,
  StoredActivity,
  StoreOptions,
  VersionedDoc,
} from './types.ts';
import { idEndsWith } from './types.ts';

interface ActivityRow {
  activity: StoredActivity;
  /** The counter value at the last append or replace. */
  revision: number;
}

/** A versioned collection with compare-and-set; shared by sessions and escalations. */
function versioned<T extends VersionedDoc>(isOpen: () => void) {
  const docs = new Map<string, T>();
  const get = (id: string): T | undefined => {
    const doc = docs.get(id);
    return doc === undefined ? undefined : structuredClone(doc);
  };
  return {
    docs,
    get,
    async create(doc: T): Promise<SaveResult<T>> {
      isOpen();
      if (docs.has(doc.id)) return { ok: false, reason: 'conflict', current: get(doc.id) };
      docs.set(doc.id, structuredClone({ ...doc, version: 1 }));
      return { ok: true, doc: get(doc.id)! };
    },
    async save(doc: T, expectedVersion: number): Promise<SaveResult<T>> {
      isOpen();
      const stored = docs.get(doc.id);
      if (stored === undefined || stored.version !== expectedVersion) {
        return { ok: false, reason: 'conflict', current: get(doc.id) };
      }
      docs.set(doc.id, structuredClone({ ...doc, version: expectedVersion + 1 }));
      return { ok: true, doc: get(doc.id)! };
    },
  };
}

/** Creates an empty in-memory store. */
export function createMemoryStore<S extends VersionedDoc = VersionedDoc>(
  options: StoreOptions = {},
): Store<S> {
  const now = options.now ?? Date.now;
  let closed = false;
  const isOpen = (): void => {
    if (closed) throw new Error('store is closed');
  };

  const sessions = versioned<S>(isOpen);
  const sessionOrder: string[] = [];
  const escalations = versioned<Escalation>(isOpen);
  const dedupe = new Map<string, number>();
  const pairing = new Map<string, PairingCode & { redeemed: boolean }>();
  const counters = new Map<string, { window: number; count: number }>();
  const agents = new Map<string, AgentPresence>();
  const audit: AuditEntry[] = [];
  const conversations = new Map<string, DirectLineConversation & { counter: number; rows: ActivityRow[] }>();

  /** The record of a code that can still be redeemed, or why it cannot. */
  const live = (code: string) => {
    isOpen();
    const record = pairing.get(code);
    if (record === undefined) return { ok: false as const, reason: 'unknown' as const };
    if (record.redeemed) return { ok: false as const, reason: 'redeemed' as const };
    if (record.expiresAt <= now()) return { ok: false as const, reason: 'expired' as const };
    return record;
  };

  const conversation = (id: string) => {
    isOpen();
    const conv = conversations.get(id);
    if (conv === undefined) throw new Error(`Direct Line conversation ${id} does not exist`);
    return conv;
  };

  return {
    sessions: {
      async get(id) {
        isOpen();
        return sessions.get(id);
      },
      async findByIdSuffix(suffix) {
        isOpen();
        const ids = sessionOrder.filter((id) => idEndsWith(id, suffix)).reverse();
        return (await Promise.all(ids.map((id) => sessions.get(id)))).filter((d) => d !== undefined);
      },
      async listUndelivered() {
        isOpen();
        return sessionOrder
          .map((id) => sessions.get(id))
          .filter((doc): doc is S => doc !== undefined && 'undelivered' in doc);
      },
      async findByConversation(key) {
        isOpen();
        for (let i = sessionOrder.length - 1; i >= 0; i--) {
          const doc = sessions.docs.get(sessionOrder[i]);
          if (doc?.conversationKey === key) return sessions.get(doc.id);
        }
        return undefined;
      },
      async create(doc) {
        const result = await sessions.create(doc);
        if (result.ok) sessionOrder.push(doc.id);
        return result;
      },
      save: sessions.save,
      async commit({ dedupe: claim, session, audit: entries = [] }) {
        isOpen();
        const t = now();
        // Every check before any write, with no await between: atomic within the process.
        if (claim && (dedupe.get(claim.key) ?? 0) > t) return { ok: false, reason: 'duplicate' };
        let doc: S | undefined;
        if (session) {
          const { doc: next, expectedVersion } = session;
          const stored = sessions.docs.get(next.id);
          if (expectedVersion === 0 ? stored !== undefined : stored?.version !== expectedVersion)
            return { ok: false, reason: 'conflict', current: sessions.get(next.id) };
          sessions.docs.set(next.id, structuredClone({ ...next, version: expectedVersion + 1 }));
          if (expectedVersion === 0) sessionOrder.push(next.id);
          doc = sessions.get(next.id);
        }
        if (claim) dedupe.set(claim.key, t + claim.ttlMs);
        for (const entry of entries) audit.push(structuredClone({ ...entry, seq: audit.length + 1, at: t }));
        return doc ? { ok: true, doc } : { ok: true };
      },
    },
    dedupe: {
      async seen(key, ttlMs) {
        isOpen();
        const t = now();
        const until = dedupe.get(key);
        if (until !== undefined && until > t) return true;
        dedupe.set(key, t + ttlMs);
        return false;
      },
    },
    pairing: {
      async put({ code, sessionId, ttlMs, data }) {
        isOpen();
        if (pairing.has(code)) throw new Error(`pairing code ${code} already exists`);
        const record: PairingCode = { code, sessionId, expiresAt: now() + ttlMs, ...(data ? { data } : {}) };
        pairing.set(code, structuredClone({ ...record, redeemed: false }));
        return record;
      },
      async peek(code) {
        const record = live(code);
        if (!('code' in record)) return record;
        const { redeemed: _, ...pairingCode } = structuredClone(record);
        return { ok: true, pairing: pairingCode };
      },
      async redeem(code) {
        const record = live(code);
        if (!('code' in record)) return record;
        record.redeemed = true;
        const { redeemed: _, ...pairingCode } = structuredClone(record);
        return { ok: true, pairing: pairingCode };
      },
    },
    counters: {
      async hit(key, windowMs) {
        isOpen();
        const window = Math.floor(now() / windowMs);
        const entry = counters.get(key);
        const count = entry !== undefined && entry.window === window ? entry.count + 1 : 1;
        counters.set(key, { window, count });
        return count;
      },
    },
    agents: {
      async put(presence) {
        isOpen();
        agents.set(presence.agentId, structuredClone(presence));
      },
      async get(agentId) {
        isOpen();
        const p = agents.get(agentId);
        return p === undefined ? undefined : structuredClone(p);
      },
      async listBySession(sessionId) {
        isOpen();
        return [...agents.values()].filter((p) => p.sessionId === sessionId).map((p) => structuredClone(p));
      },
      async remove(agentId) {
        isOpen();
        agents.delete(agentId);
      },
      async update(agentId, change) {
        isOpen();
        const p = agents.get(agentId);
        if (p === undefined) return undefined;
        const next = structuredClone(p);
        if (change(next) !== false) agents.set(agentId, structuredClone(next));
        return next;
      },
    },
    escalations: {
      async get(id) {
        isOpen();
        return escalations.get(id);
      },
      async listBySession(sessionId) {
        isOpen();
        return [...escalations.docs.values()]
          .filter((e) => e.sessionId === sessionId)
          .map((e) => structuredClone(e));
      },
      async listOpen() {
        isOpen();
        return [...escalations.docs.values()]
          .filter((e) => e.status !== 'closed')
          .map((e) => structuredClone(e));
      },
      create: escalations.create,
      save: escalations.save,
    },
    audit: {
      async append(entry) {
        isOpen();
        const stored: AuditEntry = structuredClone({ ...entry, seq: audit.length + 1, at: now() });
        audit.push(stored);
        return structuredClone(stored);
      },
      async list(sessionId) {
        isOpen();
        return audit.filter((e) => e.sessionId === sessionId).map((e) => structuredClone(e));
      },
    },
    directline: {
      async createConversation({ id, data }) {
        isOpen();
        if (conversations.has(id)) throw new Error(`Direct Line conversation ${id} already exists`);
        const record: DirectLineConversation = { id, createdAt: now(), ...(data ? { data } : {}) };
        conversations.set(id, { ...structuredClone(record), counter: 0, rows: [] });
        return record;
      },
      async getConversation(id) {
        isOpen();
        const conv = conversations.get(id);
        if (conv === undefined) return undefined;
        const { counter: _c, rows: _r, ...record } = conv;
        return structuredClone(record);
      },
      async append(conversationId, activity) {
        const conv = conversation(conversationId);
        if (conv.rows.some((row) => row.activity.id === activity.id)) {
          throw new Error(`activity ${activity.id} already exists in conversation ${conversationId}`);
        }
        conv.counter += 1;
        conv.rows.push({ activity: structuredClone(activity), revision: conv.counter });
        return conv.counter;
      },
      async replace(conversationId, activity) {
        const conv = conversation(conversationId);
        const row = conv.rows.find((r) => r.activity.id === activity.id);
        if (row === undefined) return undefined;
        conv.counter += 1;
        row.activity = structuredClone(activity);
        row.revision = conv.counter;
        return conv.counter;
      },
      async getActivity(conversationId, activityId) {
        isOpen();
        const row = conversations.get(conversationId)?.rows.find((r) => r.activity.id === activityId);
        return row === undefined ? undefined : structuredClone(row.activity);
      },
      async list(conversationId, watermark) {
        const conv = conversation(conversationId);
        const since = watermark ?? 0;
        const activities = conv.rows
          .filter((r) => r.revision > since)
          .map((r) => structuredClone(r.activity));
        return { activities, watermark: conv.counter };
      },
    },
    outbox: createMemoryOutbox(now, isOpen),
    supportChannels: createMemorySupportChannels(isOpen),
    incidents: createMemoryIncidents(),
    history: createMemoryHistory(),
    async checkWritable() {
      isOpen();
    },
    async close() {
      closed = true;
    },
  };
}
