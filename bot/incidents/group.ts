/**
 * The correlation rule, pure: a case whose fingerprint matches joins the group collecting that
 * key. While the group is a candidate it keeps only the cases inside the window (older ones drop
 * out; when none is left a new group starts); once `threshold` cases agree it opens as an
 * incident, and from then on every matching case joins it however late, until it is resolved
 * (the next matching case then starts a new group).
 */
import type { Fingerprint } from './fingerprint.ts';
import type { IncidentDoc, IncidentSettings } from './types.ts';

export interface Joining {
  sessionId: string;
  /** Epoch ms of the report. */
  at: number;
  fingerprint: Fingerprint;
}

export interface Joined {
  /** The group after the case joined (to be saved with `expectedVersion`). */
  doc: IncidentDoc;
  expectedVersion: number;
  /** This join made the group an incident. */
  opened: boolean;
  /** Candidates that left the window (their member records go). */
  dropped: string[];
  /** A new group taking the key over from an expired candidate: that candidate's id. */
  replaces?: string;
}

/** A fresh candidate group for the fingerprint. */
export function newGroup(id: string, join: Joining): IncidentDoc {
  return {
    ...join.fingerprint,
    id,
    version: 0,
    state: 'candidate',
    candidates: [],
    members: 0,
    verified: 0,
    firstAt: join.at,
    latestAt: join.at,
    firstCase: join.sessionId,
    latestCase: join.sessionId,
    notes: [],
  };
}

/**
 * `current`: the key's group as stored (undefined when none, or resolved). `newId` names a new
 * group when one is needed. The case must not already be counted in `current` (the caller checks).
 */
export function joinGroup(
  current: IncidentDoc | undefined,
  join: Joining,
  settings: IncidentSettings,
  newId: () => string,
): Joined {
  let base = current && current.state !== 'resolved' ? current : undefined;
  let dropped: string[] = [];
  if (base?.state === 'candidate') {
    const since = join.at - settings.windowMs;
    const kept = base.candidates.filter((c) => c.at >= since);
    dropped = base.candidates.filter((c) => c.at < since).map((c) => c.sessionId);
    if (kept.length === 0) base = undefined;
    else
      base = {
        ...base,
        candidates: kept,
        members: kept.length,
        firstAt: Math.min(...kept.map((c) => c.at)),
        firstCase: kept[0].sessionId,
      };
  }
  const expectedVersion = base ? base.version : 0;
  const doc: IncidentDoc = base ? { ...base } : newGroup(newId(), join);
  const replaces = !base && current && current.state !== 'resolved' ? current.id : undefined;
  if (replaces) dropped = current!.candidates.map((c) => c.sessionId);
  doc.members += 1;
  doc.latestAt = Math.max(doc.latestAt, join.at);
  doc.latestCase = join.sessionId;
  let opened = false;
  if (doc.state === 'candidate') {
    doc.candidates = [...doc.candidates, { sessionId: join.sessionId, at: join.at }];
    if (doc.candidates.length >= settings.threshold) {
      doc.state = 'open';
      doc.openedAt = join.at;
      opened = true;
    }
  }
  return { doc, expectedVersion, opened, dropped, ...(replaces ? { replaces } : {}) };
}
