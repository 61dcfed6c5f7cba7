/**
 * Escalate: the engine's SupportPort. The case opens in the Store, and (when a support channel
 * is set up) a new thread in it gets the case card, the readable summary and the report JSON;
 * the user is told the case number and that a person will reply in their chat. With no support
 * channel yet, the user is told how to reach IT (SUPPORT_CONTACT_TEXT) and the case waits: it is
 * posted as soon as a channel is registered (`flushWaiting`).
 *
 * Everything goes out through the outbox, so this returns as soon as it is stored: the user's
 * turn never waits for Slack or Teams.
 */
import type { Effect, Session, SupportPort } from '../core/types.ts';
import type { PlaybookSet } from '../playbooks/types.ts';
import type { AuditStore, SessionStore } from '../store/types.ts';
import { caseAttachments } from './bundle.ts';
import type { Cases } from './cases.ts';
import { toThread, toUser } from './messages.ts';
import type { Planned, Poster } from './poster.ts';
import type { Registry } from './registry.ts';
import type { CaseRecord, SupportTarget } from './types.ts';

export interface EscalateOptions {
  cases: Cases;
  registry: Registry;
  poster: Poster;
  playbooks: PlaybookSet;
  sessions: SessionStore<Session>;
  audit: AuditStore;
  redaction: boolean;
  contactText: string;
}

export interface Escalator {
  port: SupportPort;
  /** Posts every case that waited for a support channel to `target`; returns how many. */
  flushWaiting(target: SupportTarget): Promise<number>;
}

export function createEscalator(options: EscalateOptions): Escalator {
  const { cases, registry, poster, playbooks } = options;

  /** The case in the support channel: a new thread, or (a case escalated again) more of its thread. */
  async function postCase(session: Session, target: SupportTarget): Promise<CaseRecord | undefined> {
    return poster.toThread(
      session,
      (redactor, record): Planned[] => {
        const base = `case:${session.id}:r${record.data.round}`;
        const card = poster.card(session, record, redactor);
        const attachments = caseAttachments(session, playbooks, record.data.caseRef, redactor).map(
          (message, i): Planned => ({ key: `${base}:attachment:${i}`, message }),
        );
        if (!record.data.support?.threadId)
          return [{ key: `${base}:card`, message: card, root: true }, ...attachments];
        return [
          {
            key: `${base}:again`,
            message: { kind: 'text', text: toThread.escalatedAgain(record.data.round) },
          },
          { key: `${base}:card`, message: card },
          ...attachments,
          { key: `${base}:root`, message: card, op: 'update' },
        ];
      },
      (record) => ({ ...record, data: { ...record.data, support: record.data.support ?? { ...target } } }),
    );
  }

  const port: SupportPort = {
    async escalate(session: Session, effect: Extract<Effect, { type: 'escalate' }>) {
      const { record, fresh } = await cases.open(session, effect.caseRef, options.redaction);
      if (!fresh) {
        // Still open (support reopened it, the user escalated again): say so in its thread.
        if (record.data.support?.threadId)
          await poster.note(
            session,
            `case:${session.id}:again:${session.version}`,
            toThread.escalatedWhileOpen,
            {
              card: true,
            },
          );
        return;
      }
      const round = record.data.round;
      const target = record.data.support ?? (await registry.current());
      if (!target) {
        await options.audit.append({
          sessionId: session.id,
          kind: 'escalation_waiting',
          actor: 'bot',
          data: { caseRef: effect.caseRef },
        });
        await poster.toUser(
          session.id,
          toUser.waiting(effect.caseRef, options.contactText),
          `case:${session.id}:r${round}:waiting`,
        );
        return;
      }
      await postCase(session, target);
      await options.audit.append({
        sessionId: session.id,
        kind: 'escalation_posted',
        actor: 'bot',
        data: { caseRef: effect.caseRef, platform: target.platform, channel: target.channelId, round },
      });
      await poster.toUser(session.id, toUser.escalated(effect.caseRef), `case:${session.id}:r${round}:told`);
    },
    async contact() {
      return (await registry.current()) ? undefined : options.contactText;
    },
  };

  return {
    port,
    async flushWaiting(target) {
      let posted = 0;
      for (const record of await cases.waiting()) {
        const session = await options.sessions.get(record.sessionId);
        if (!session) continue;
        await postCase(session, target);
        await poster.toUser(
          session.id,
          toUser.nowWithSupport(record.data.caseRef),
          `case:${session.id}:r${record.data.round}:told`,
        );
        posted += 1;
      }
      return posted;
    },
  };
}
