/**
 * Incident groups in memory (tests, benchmarks, the memory Store). Documents are copied in and
 * out as JSON, as the SQLite and Redis stores do, so a caller can never change a stored group
 * without a save.
 */
import type { IncidentDoc, IncidentMember, IncidentStore } from './types.ts';

const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

export function createMemoryIncidents(): IncidentStore {
  const docs = new Map<string, IncidentDoc>();
  const byKey = new Map<string, string>();
  const members = new Map<string, IncidentMember>();
  const byIncident = new Map<string, Set<string>>();

  return {
    async current(key) {
      const id = byKey.get(key);
      const doc = id === undefined ? undefined : docs.get(id);
      return doc && copy(doc);
    },
    async get(id) {
      const doc = docs.get(id);
      return doc && copy(doc);
    },
    async save(doc, expectedVersion, replaces) {
      const stored = docs.get(doc.id);
      if ((stored?.version ?? 0) !== expectedVersion) return false;
      const holder = byKey.get(doc.key);
      if (expectedVersion === 0 && holder !== undefined && holder !== replaces) return false;
      docs.set(doc.id, copy({ ...doc, version: expectedVersion + 1 }));
      if (doc.state === 'resolved') {
        if (byKey.get(doc.key) === doc.id) byKey.delete(doc.key);
      } else byKey.set(doc.key, doc.id);
      return true;
    },
    async member(sessionId) {
      const m = members.get(sessionId);
      return m && copy(m);
    },
    async putMember(member) {
      const before = members.get(member.sessionId);
      if (before) byIncident.get(before.incidentId)?.delete(member.sessionId);
      members.set(member.sessionId, copy(member));
      const set = byIncident.get(member.incidentId) ?? new Set<string>();
      set.add(member.sessionId);
      byIncident.set(member.incidentId, set);
    },
    async removeMember(sessionId, incidentId) {
      if (members.get(sessionId)?.incidentId !== incidentId) return;
      members.delete(sessionId);
      byIncident.get(incidentId)?.delete(sessionId);
    },
    async members(incidentId) {
      return [...(byIncident.get(incidentId) ?? [])]
        .map((id) => copy(members.get(id)!))
        .sort((a, b) => a.joinedAt - b.joinedAt);
    },
    async list(limit = 100) {
      return [...docs.values()]
        .filter((d) => d.state !== 'candidate')
        .sort((a, b) => (b.openedAt ?? 0) - (a.openedAt ?? 0))
        .slice(0, limit)
        .map(copy);
    },
  };
}
