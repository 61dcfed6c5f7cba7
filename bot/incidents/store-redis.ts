/**
 * Incident groups in Redis, shared by every replica. A group is a hash (`v` version, `d` JSON);
 * `inc:k:<key>` names the group collecting a fingerprint key; `inc:all` lists incidents by the
 * time they opened; a case's member record is a hash (`i` its group, `d` JSON) and each group's
 * members a sorted set by join time. Saves and member moves are one Lua script each, so two
 * replicas correlating the same fingerprint at once end with one group: the second save fails
 * its version (or key holder) check and the caller joins the winner.
 */
import type { Redis } from 'ioredis';
import { defineScripts } from '../store/redis-scripts.ts';
import type { IncidentDoc, IncidentMember, IncidentStore } from './types.ts';

const SCRIPTS: Record<string, string> = {
  /** id, key, state, expectedVersion, json, openedAt|'', replaces|'' → 1 saved, 0 conflict. */
  incSave: `
local D = P .. 'inc:d:' .. ARGV[2]
local K = P .. 'inc:k:' .. ARGV[3]
local v = tonumber(redis.call('HGET', D, 'v') or '0')
if v ~= tonumber(ARGV[5]) then return 0 end
if v == 0 then
  local holder = redis.call('GET', K)
  if holder and holder ~= ARGV[8] then return 0 end
end
redis.call('HSET', D, 'v', v + 1, 'd', ARGV[6])
if ARGV[4] == 'resolved' then
  if redis.call('GET', K) == ARGV[2] then redis.call('DEL', K) end
else
  redis.call('SET', K, ARGV[2])
end
if ARGV[7] ~= '' then redis.call('ZADD', P .. 'inc:all', tonumber(ARGV[7]), ARGV[2]) end
return 1`,
  /** sessionId, incidentId, joinedAt, json → the member record moves to its group's set. */
  incPutMember: `
local M = P .. 'inc:m:' .. ARGV[2]
local old = redis.call('HGET', M, 'i')
if old then redis.call('ZREM', P .. 'inc:ms:' .. old, ARGV[2]) end
redis.call('HSET', M, 'i', ARGV[3], 'd', ARGV[5])
redis.call('ZADD', P .. 'inc:ms:' .. ARGV[3], tonumber(ARGV[4]), ARGV[2])
return 1`,
  /** sessionId, incidentId → removed when the record still names that group. */
  incRemoveMember: `
local M = P .. 'inc:m:' .. ARGV[2]
if redis.call('HGET', M, 'i') ~= ARGV[3] then return 0 end
redis.call('DEL', M)
redis.call('ZREM', P .. 'inc:ms:' .. ARGV[3], ARGV[2])
return 1`,
};

export interface RedisIncidentOptions {
  client: Redis;
  prefix: string;
  /** The Redis store's guard: a connection failure becomes StoreUnavailableError (503, not 500). */
  g: <T>(op: () => Promise<T>) => Promise<T>;
}

export function createRedisIncidents({ client, prefix, g }: RedisIncidentOptions): IncidentStore {
  const run = defineScripts(client, prefix, SCRIPTS);
  const k = (suffix: string) => prefix + suffix;
  const get = (id: string) =>
    g(async () => {
      const d = await client.hget(k(`inc:d:${id}`), 'd');
      return d === null ? undefined : (JSON.parse(d) as IncidentDoc);
    });
  const memberOf = (sessionId: string) =>
    g(async () => {
      const d = await client.hget(k(`inc:m:${sessionId}`), 'd');
      return d === null ? undefined : (JSON.parse(d) as IncidentMember);
    });

  return {
    async current(key) {
      const id = await g(() => client.get(k(`inc:k:${key}`)));
      return id === null ? undefined : get(id);
    },
    get,
    async save(doc, expectedVersion, replaces) {
      const json = JSON.stringify({ ...doc, version: expectedVersion + 1 });
      const saved = await g(() =>
        run(
          'incSave',
          doc.id,
          doc.key,
          doc.state,
          expectedVersion,
          json,
          doc.state === 'candidate' ? '' : String(doc.openedAt ?? 0),
          replaces ?? '',
        ),
      );
      return saved === 1;
    },
    member: memberOf,
    async putMember(m) {
      await g(() => run('incPutMember', m.sessionId, m.incidentId, m.joinedAt, JSON.stringify(m)));
    },
    async removeMember(sessionId, incidentId) {
      await g(() => run('incRemoveMember', sessionId, incidentId));
    },
    async members(incidentId) {
      const ids = await g(() => client.zrange(k(`inc:ms:${incidentId}`), 0, -1));
      const all = await Promise.all(ids.map(memberOf));
      return all.filter((m): m is IncidentMember => m?.incidentId === incidentId);
    },
    async list(limit = 100) {
      const ids = await g(() => client.zrevrange(k('inc:all'), 0, limit - 1));
      const all = await Promise.all(ids.map(get));
      return all.filter((d): d is IncidentDoc => d !== undefined);
    },
  };
}
