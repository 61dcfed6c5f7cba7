/**
 * The Redis store (REDIS_URL): the same Store contract as SQLite, for several replicas sharing
 * one Redis. Every operation that must be atomic is one Lua script (redis-scripts.ts), so a
 * compare-and-set, a turn commit, a dedupe claim or a pairing redeem has one winner however
 * many replicas race; reads are plain commands. While Redis is unreachable every call throws
 * StoreUnavailableError (the HTTP layer answers 503) and ioredis keeps reconnecting.
 */
import type { Redis } from 'ioredis';
import { createRedisHistory } from '../dashboard/history-redis.ts';
import { createRedisIncidents } from '../incidents/store-redis.ts';
import { isStoreUnavailable } from './errors.ts';
import { connectRedis, guarded } from './redis-client.ts';
import { createRedisDirectLine, DIRECTLINE_SCRIPTS } from './redis-directline.ts';
import { defineScripts } from './redis-scripts.ts';
import { createRedisSupport, SUPPORT_SCRIPTS } from './redis-support.ts';
import type {
  AgentPresence,
  AuditEntry,
  AuditInput,
  Escalation,
  PairingCode,
  RedeemResult,
  SaveResult,
  Store,
  StoreOptions,
  VersionedDoc,
} from './types.ts';
import { idEndsWith } from './types.ts';

export interface RedisStoreOptions extends StoreOptions {
  /** An open client (the store closes it with `close()`); see connectRedisStore for a URL. */
  client: Redis;
  /** Prefix of every key, so one Redis can hold several deployments (and tests); default `reconnect:`. */
  prefix?: string;
  /**
   * Replicas: `outbox.nextDue` answers no later than this far ahead, so each replica's outbox
   * worker looks at the shared outbox that often and delivers what another replica added and
   * then could not send (it stopped, or died holding a lease). Default: only what is due.
   */
  pollMs?: number;
}

/** Redis keeps expired dedupe keys and pairing codes this much longer than the store's clock does. */
const GRACE_MS = 24 * 60 * 60 * 1000;

const parse = <T>(text: unknown): T => JSON.parse(String(text)) as T;
const optionalJson = (value: unknown): string => (value === undefined ? '' : JSON.stringify(value));

/** Splits an audit list item `seq|JSON`. */
function auditEntry(item: string): AuditEntry {
  const bar = item.indexOf('|');
  return { seq: Number(item.slice(0, bar)), ...parse<Omit<AuditEntry, 'seq'>>(item.slice(bar + 1)) };
}

const auditJson = (entry: AuditInput, at: number): string =>
  JSON.stringify({
    sessionId: entry.sessionId,
    at,
    kind: entry.kind,
    ...(entry.actor === undefined ? {} : { actor: entry.actor }),
    ...(entry.data === undefined ? {} : { data: entry.data }),
  });

/** Connects to `url` (throwing a clear error when Redis cannot be reached) and opens the store. */
export async function connectRedisStore<S extends VersionedDoc = VersionedDoc>(
  options: StoreOptions & { url: string; prefix?: string; name?: string; startTimeoutMs?: number },
): Promise<Store<S>> {
  const client = await connectRedis({
    url: options.url,
    name: options.name,
    startTimeoutMs: options.startTimeoutMs,
  });
  return openRedisStore<S>({ ...options, client });
}

/** The Store over an open ioredis client. */
export function openRedisStore<S extends VersionedDoc = VersionedDoc>(options: RedisStoreOptions): Store<S> {
  const { client } = options;
  const now = options.now ?? Date.now;
  const prefix = options.prefix ?? 'reconnect:';
  const run = defineScripts(client, prefix, { ...DIRECTLINE_SCRIPTS, ...SUPPORT_SCRIPTS });
  // A failure this recent still counts as "unavailable" although the client may be ready again:
  // the request that hit it answers 503, not 500 (bot/cluster/unavailable.ts).
  let failedAt = Number.NEGATIVE_INFINITY;
  const g = <T>(op: () => Promise<T>): Promise<T> =>
    guarded(client, op).catch((error: unknown) => {
      if (isStoreUnavailable(error)) failedAt = Date.now();
      throw error;
    });
  const key = (suffix: string) => prefix + suffix;
  /** A pairing code's state by one script: redeem marks it used, peek only reads it. */
  const pairingLookup = async (
    script: 'pairingRedeem' | 'pairingPeek',
    code: string,
  ): Promise<RedeemResult> => {
    const [reason, sessionId, expiresAt, data] = (await run(script, code, now())) as string[];
    if (reason !== 'ok') return { ok: false, reason: reason as 'unknown' | 'expired' | 'redeemed' };
    const pairing: PairingCode = {
      code,
      sessionId,
      expiresAt: Number(expiresAt),
      ...(data ? { data: parse<Record<string, unknown>>(data) } : {}),
    };
    return { ok: true, pairing };
  };

  /** Sessions (T = s, indexed by conversation key) and escalations (T = e, by session and openness). */
  const versioned = <T extends VersionedDoc>(T: string, indexes: (doc: T) => string[]) => {
    const get = (id: string) =>
      g(async () => {
        const d = await client.hget(key(`${T}:${id}`), 'd');
        return d === null ? undefined : parse<T>(d);
      });
    const save = (doc: T, expectedVersion: number): Promise<SaveResult<T>> =>
      g(async () => {
        const stored = { ...doc, version: expectedVersion + 1 };
        const ok = await run('vsave', T, doc.id, expectedVersion, JSON.stringify(stored), ...indexes(doc));
        return ok === 1
          ? { ok: true, doc: stored }
          : { ok: false, reason: 'conflict', current: await get(doc.id) };
      });
    const list = (index: string) =>
      g(async () => ((await run('zdocs', `${T}:ix:${index}`, T)) as string[]).map((d) => parse<T>(d)));
    return { get, save, create: (doc: T) => save(doc, 0), list };
  };
  const sessions = versioned<S>('s', (doc) => ['ck', doc.conversationKey, '1']);
  const escalations = versioned<Escalation>('e', (doc) => [
    'sid',
    doc.sessionId,
    '1',
    'open',
    '1',
    doc.status === 'closed' ? '0' : '1',
  ]);

  const agentPut = (presence: AgentPresence, expected: string) =>
    run('agentPut', presence.agentId, presence.sessionId, JSON.stringify(presence), expected);

  const store: Store<S> = {
    sessions: {
      get: sessions.get,
      // SCAN over the session keys (ids end in the suffix; a case number lookup is rare).
      findByIdSuffix: (suffix) =>
        g(async () => {
          const found: S[] = [];
          let cursor = '0';
          do {
            const [next, keys] = await client.scan(cursor, 'MATCH', key('s:*'), 'COUNT', 500);
            cursor = next;
            for (const k of keys) {
              const id = k.slice(key('s:').length);
              if (id.startsWith('ix:') || !idEndsWith(id, suffix)) continue;
              const doc = await sessions.get(id);
              if (doc) found.push(doc);
            }
          } while (cursor !== '0');
          return found.sort(
            (a, b) =>
              Date.parse(String((b as { createdAt?: string }).createdAt ?? 0)) -
              Date.parse(String((a as { createdAt?: string }).createdAt ?? 0)),
          );
        }),
      findByConversation: (conversationKey) =>
        g(async () => {
          const d = await run('newest', `s:ix:ck:${conversationKey}`, 's');
          return d === null ? undefined : parse<S>(d);
        }),
      create: sessions.create,
      save: sessions.save,
      commit: ({ dedupe, session, audit = [] }) =>
        g(async () => {
          const t = now();
          const stored = session && { ...session.doc, version: session.expectedVersion + 1 };
          const outcome = await run(
            'commit',
            t,
            dedupe?.key ?? '',
            dedupe ? t + dedupe.ttlMs : 0,
            dedupe ? dedupe.ttlMs + GRACE_MS : 0,
            session?.doc.id ?? '',
            session?.expectedVersion ?? 0,
            stored ? JSON.stringify(stored) : '',
            session?.doc.conversationKey ?? '',
            ...audit.flatMap((entry) => [entry.sessionId, auditJson(entry, t)]),
          );
          if (outcome === 'duplicate') return { ok: false, reason: 'duplicate' };
          if (outcome === 'conflict')
            return {
              ok: false,
              reason: 'conflict',
              current: session && (await sessions.get(session.doc.id)),
            };
          return stored ? { ok: true, doc: stored } : { ok: true };
        }),
    },
    dedupe: {
      seen: (dedupeKey, ttlMs) =>
        g(async () => {
          const t = now();
          return (await run('dedupe', dedupeKey, t, t + ttlMs, ttlMs + GRACE_MS)) === 1;
        }),
    },
    pairing: {
      put: ({ code, sessionId, ttlMs, data }) =>
        g(async () => {
          const record: PairingCode = {
            code,
            sessionId,
            expiresAt: now() + ttlMs,
            ...(data ? { data } : {}),
          };
          const ok = await run(
            'pairingPut',
            code,
            sessionId,
            record.expiresAt,
            optionalJson(data),
            ttlMs + GRACE_MS,
          );
          if (ok !== 1) throw new Error(`pairing code ${code} already exists`);
          return record;
        }),
      redeem: (code) => g(() => pairingLookup('pairingRedeem', code)),
      peek: (code) => g(() => pairingLookup('pairingPeek', code)),
    },
    counters: {
      hit: (counterKey, windowMs) =>
        g(async () => Number(await run('hit', counterKey, Math.floor(now() / windowMs), 2 * windowMs))),
    },
    agents: {
      put: (presence) => g(async () => void (await agentPut(presence, '*'))),
      get: (agentId) =>
        g(async () => {
          const d = await client.hget(key(`a:${agentId}`), 'd');
          return d === null ? undefined : parse<AgentPresence>(d);
        }),
      listBySession: (sessionId) =>
        g(async () => ((await run('agentList', sessionId)) as string[]).map((d) => parse<AgentPresence>(d))),
      remove: (agentId) => g(async () => void (await run('agentRemove', agentId))),
      update: (agentId, change) =>
        g(async () => {
          // Optimistic: read, change in JS, write only if the record is still what was read.
          for (let attempt = 0; attempt < 20; attempt++) {
            const before = await client.hget(key(`a:${agentId}`), 'd');
            if (before === null) return undefined;
            const presence = parse<AgentPresence>(before);
            if (change(presence) === false) return presence;
            if ((await agentPut(presence, before)) === 1) return presence;
          }
          throw new Error(`agent ${agentId} kept changing; gave up after 20 attempts`);
        }),
    },
    escalations: {
      get: escalations.get,
      listBySession: (sessionId) => escalations.list(`sid:${sessionId}`),
      listOpen: () => escalations.list('open:1'),
      create: escalations.create,
      save: escalations.save,
    },
    audit: {
      append: (entry) =>
        g(async () => {
          const at = now();
          const seq = Number(await run('audit', entry.sessionId, auditJson(entry, at)));
          return auditEntry(`${seq}|${auditJson(entry, at)}`);
        }),
      list: (sessionId) =>
        g(async () => (await client.lrange(key(`au:${sessionId}`), 0, -1)).map(auditEntry)),
    },
    directline: createRedisDirectLine({ run, g, now }),
    ...createRedisSupport({ client, run, g, now, key, pollMs: options.pollMs }),
    incidents: createRedisIncidents({ client, prefix, g }),
    history: createRedisHistory({ client, prefix, g }),
    checkWritable: () => g(async () => void (await client.set(key('health'), String(now())))),
    available: () => client.status === 'ready' && Date.now() - failedAt > 1000,
    async close() {
      if (client.status === 'end') return;
      await client.quit().catch(() => client.disconnect());
    },
  };
  return store;
}
