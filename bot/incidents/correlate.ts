/**
 * One report's way into a group: read the key's group, apply the rule (group.ts), save with
 * compare-and-set, and on a conflict (another replica, another case) read again and retry. The
 * case's member record follows a save that won; who to tell when a group opens comes from the
 * group's own candidate list, which the save wrote, never from member records that may lag.
 */
import type { Fingerprint } from './fingerprint.ts';
import { joinGroup } from './group.ts';
import type { IncidentDoc, IncidentSettings, IncidentStore } from './types.ts';

export type Correlation =
  /** Fewer cases than the threshold agree yet. */
  | { kind: 'candidate'; doc: IncidentDoc }
  /** This case made the group an incident: every member so far must be told, the card posted. */
  | { kind: 'opened'; doc: IncidentDoc }
  /** The case joined an open incident. */
  | { kind: 'joined'; doc: IncidentDoc }
  /** The case was already counted in this group (a second report with the same cause). */
  | { kind: 'already'; doc: IncidentDoc };

export interface CorrelateInput {
  sessionId: string;
  label: string;
  /** Epoch ms. */
  at: number;
  fingerprint: Fingerprint;
}

/**
 * Each round of a conflict has one winner, so N cases arriving at once need up to N rounds: a
 * burst of a hundred reports (an office coming back from lunch) still lands.
 */
const ATTEMPTS = 128;

export async function correlate(
  store: IncidentStore,
  input: CorrelateInput,
  settings: IncidentSettings,
  newId: () => string,
): Promise<Correlation> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const current = await store.current(input.fingerprint.key);
    if (current && (await counted(store, current, input.sessionId))) return { kind: 'already', doc: current };
    const joined = joinGroup(current, { ...input }, settings, newId);
    if (!(await store.save(joined.doc, joined.expectedVersion, joined.replaces))) continue;
    await store.putMember({
      sessionId: input.sessionId,
      incidentId: joined.doc.id,
      label: input.label,
      joinedAt: input.at,
    });
    for (const sessionId of joined.dropped)
      await store.removeMember(sessionId, joined.replaces ?? joined.doc.id);
    const doc = { ...joined.doc, version: joined.expectedVersion + 1 };
    if (joined.opened) return { kind: 'opened', doc };
    return doc.state === 'candidate' ? { kind: 'candidate', doc } : { kind: 'joined', doc };
  }
  throw new Error(`incident correlation for ${input.fingerprint.cause} kept conflicting`);
}

/** Whether the case is already one of the group's (a candidate in the window, or a member since it opened). */
async function counted(store: IncidentStore, doc: IncidentDoc, sessionId: string): Promise<boolean> {
  if (doc.state === 'candidate') return doc.candidates.some((c) => c.sessionId === sessionId);
  return (await store.member(sessionId))?.incidentId === doc.id;
}
