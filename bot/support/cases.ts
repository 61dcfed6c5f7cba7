/**
 * Case records: one escalation per session in the Store (id = the session id), versioned, so
 * two support engineers pressing "Take case" at once, or a replica relaying a reply while
 * another posts a re-run, never overwrite each other. `update` re-reads and re-applies on a
 * conflict, the way the engine saves sessions.
 */
import type { Session } from '../core/types.ts';
import type { EscalationStore } from '../store/types.ts';
import { newRedactionState } from './redact.ts';
import type { CaseData, CaseRecord, SupportPlatform } from './types.ts';

export interface Cases {
  get(sessionId: string): Promise<CaseRecord | undefined>;
  /**
   * Opens the case for `session` (or reopens a closed one, as round + 1), or returns the open
   * one untouched. `fresh`: this call opened or reopened it.
   */
  open(
    session: Session,
    caseRef: string,
    redaction: boolean,
  ): Promise<{ record: CaseRecord; fresh: boolean }>;
  /**
   * Applies `change` to the current record and saves it, again on a fresher record after a
   * conflict. `change` returns undefined to leave the record as it is.
   */
  update(
    sessionId: string,
    change: (record: CaseRecord) => CaseRecord | undefined,
  ): Promise<CaseRecord | undefined>;
  /** The open case whose thread is `threadId` in the support channel `channelId`. */
  byThread(platform: SupportPlatform, channelId: string, threadId: string): Promise<CaseRecord | undefined>;
  /** Open cases not posted anywhere yet (escalated while no support channel was set up). */
  waiting(): Promise<CaseRecord[]>;
}

const ATTEMPTS = 8;

export function createCases(store: EscalationStore, now: () => number): Cases {
  const get = async (id: string) => (await store.get(id)) as CaseRecord | undefined;

  async function update(
    sessionId: string,
    change: (record: CaseRecord) => CaseRecord | undefined,
  ): Promise<CaseRecord | undefined> {
    for (let i = 0; i < ATTEMPTS; i++) {
      const current = await get(sessionId);
      if (!current) return undefined;
      const next = change(structuredClone(current));
      if (!next) return current;
      const saved = await store.save({ ...next, updatedAt: now() }, current.version);
      if (saved.ok) return saved.doc as CaseRecord;
    }
    throw new Error(`case ${sessionId} kept changing; gave up after ${ATTEMPTS} attempts`);
  }

  return {
    get,
    update,
    async open(session, caseRef, redaction) {
      const existing = await get(session.id);
      if (existing && existing.status !== 'closed') return { record: existing, fresh: false };
      if (existing) {
        const reopened = await update(session.id, (r) => {
          if (r.status !== 'closed') return undefined;
          // A new round in the same thread: who took it, who closed it, a pending re-run are the old round's.
          const { takenBy: _taken, closedBy: _closed, rerun: _rerun, ...data } = r.data;
          return { ...r, status: 'open', data: { ...data, round: r.data.round + 1 } };
        });
        return { record: reopened!, fresh: true };
      }
      const t = now();
      const data: CaseData = {
        caseRef,
        sessionId: session.id,
        round: 1,
        redaction: newRedactionState(redaction),
        tails: {},
        people: {},
      };
      const created = await store.create({
        id: session.id,
        version: 0,
        conversationKey: session.conversationKey,
        sessionId: session.id,
        status: 'open',
        createdAt: t,
        updatedAt: t,
        data: data as unknown as Record<string, unknown>,
      });
      if (created.ok) return { record: created.doc as CaseRecord, fresh: true };
      return { record: created.current as CaseRecord, fresh: false };
    },
    async byThread(platform, channelId, threadId) {
      const open = (await store.listOpen()) as CaseRecord[];
      return open.find(
        (r) =>
          r.data.support?.platform === platform &&
          r.data.support.channelId === channelId &&
          r.data.support.threadId === threadId,
      );
    },
    async waiting() {
      return ((await store.listOpen()) as CaseRecord[]).filter((r) => !r.data.support);
    },
  };
}
