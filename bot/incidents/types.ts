/**
 * The shapes of issue 18's incidents: a group of cases whose root cause and network fingerprint
 * agree (bot/incidents/fingerprint.ts), what the Store keeps of it (one versioned document per
 * group, one member record per case), and the summary the /admin dashboard lists.
 *
 * A group starts as a `candidate` (fewer cases than the threshold, inside the window) and becomes
 * an incident (`open`) once enough cases agree; support may take it (`taken`) and resolve it.
 */
import type { RedactionState } from '../support/redact.ts';
import type { SupportPerson, SupportTarget } from '../support/types.ts';
import type { Fingerprint } from './fingerprint.ts';

export type IncidentState = 'candidate' | 'open' | 'taken' | 'resolved';

/** A case inside a candidate group, kept only until the group opens or the case leaves the window. */
export interface Candidate {
  sessionId: string;
  /** Epoch ms the case's report agreed with the group. */
  at: number;
}

/** A support person's note on the incident (a reply in its thread). */
export interface IncidentNote {
  /** ISO 8601. */
  at: string;
  by: string;
  text: string;
}

/** One correlation group: a candidate, or an incident. Stored as a versioned document. */
export interface IncidentDoc extends Fingerprint {
  id: string;
  /** The store's compare-and-set version: 1 on the first save, +1 on every save. */
  version: number;
  // The fingerprint's fields (key, cause, headline, facts, …) as the first report gave them.
  state: IncidentState;
  /** Cases in the window while a candidate (at most threshold - 1 of them). */
  candidates: Candidate[];
  /** Cases counted in the group (members of the incident once it opened). */
  members: number;
  /** Members whose computer verified the fix after a resolve. */
  verified: number;
  /** Epoch ms: the first and the latest matching case. */
  firstAt: number;
  latestAt: number;
  firstCase: string;
  latestCase: string;
  /** Epoch ms the group passed the threshold. */
  openedAt?: number;
  resolvedAt?: number;
  resolvedBy?: string;
  takenBy?: SupportPerson;
  notes: IncidentNote[];
  /** Where the incident card was posted, and its thread (the card is the thread's first message). */
  support?: SupportTarget & { threadId?: string };
  /** The outbox key of the thread's latest message: the next one waits for it. */
  tail?: string;
  /** Redaction of what is posted to the support thread (as for cases, bot/support/redact.ts). */
  redaction?: RedactionState;
}

/** Which group a case belongs to, and what its computer said after the fix. */
export interface IncidentMember {
  sessionId: string;
  incidentId: string;
  /** Short label support sees (the case number when escalated, else the session id's start). */
  label: string;
  /** Epoch ms. */
  joinedAt: number;
  /** After a resolve: true once a report from the computer no longer shows the cause; false while it still does. */
  verified?: boolean;
  /** After a resolve: `recheck` (its agent was paired: a check was sent) or `asked` (the user was asked). */
  recheck?: 'recheck' | 'asked';
}

/** Correlation groups in the Store (memory, SQLite, Redis): shared by every replica. */
export interface IncidentStore {
  /** The group that currently collects `key` (not resolved), if any. */
  current(key: string): Promise<IncidentDoc | undefined>;
  get(id: string): Promise<IncidentDoc | undefined>;
  /**
   * Compare-and-set: writes `doc` (with version expectedVersion + 1) when the stored version is
   * `expectedVersion` (0: no such document yet). While the group is not resolved it becomes the
   * current group of its key; resolved, it stops being. A new document (expectedVersion 0) is
   * written only while no other group holds its key, or the one holding it is `replaces` (an
   * expired candidate). False when another write came first.
   */
  save(doc: IncidentDoc, expectedVersion: number, replaces?: string): Promise<boolean>;
  /** The case's member record, if it joined a group. */
  member(sessionId: string): Promise<IncidentMember | undefined>;
  /** Inserts or replaces the case's member record. */
  putMember(member: IncidentMember): Promise<void>;
  /** Removes the case's record when it still names `incidentId` (a candidate that left the window). */
  removeMember(sessionId: string, incidentId: string): Promise<void>;
  /** The members of a group, oldest first. */
  members(incidentId: string): Promise<IncidentMember[]>;
  /** Groups past the threshold (open, taken, resolved), newest first; candidates are not listed. */
  list(limit?: number): Promise<IncidentDoc[]>;
}

/** Correlation settings (bot/config.ts reads them; bot/incidents/settings.ts parses them). */
export interface IncidentSettings {
  /** Cases that must agree within the window before a candidate becomes an incident. */
  threshold: number;
  /** How close in time the cases of a candidate must be, in ms. */
  windowMs: number;
}

/** One incident as the /admin dashboard lists it (ISO dates, counts as numbers). */
export interface IncidentSummary {
  id: string;
  /** The root-cause finding id. */
  cause: string;
  headline: string;
  state: 'open' | 'taken' | 'resolved';
  openedAt: string;
  resolvedAt?: string;
  /** ISO 8601 of the first and latest matching case. */
  firstCaseAt: string;
  latestCaseAt: string;
  members: number;
  verified: number;
  takenBy?: string;
  /** What the cause affects: sign-in, media. */
  affected: string[];
}
