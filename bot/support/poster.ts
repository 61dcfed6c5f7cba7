/**
 * Writing to a case's two sides through the outbox: the support thread (redacted) and the
 * user's conversation (support's words with the pseudonyms turned back into the user's own
 * names). Each write is one compare-and-set on the case record — the redaction mapping grows
 * and the stream's tail moves in the same save, so pseudonyms never collide and each message
 * waits for the one before it — followed by the outbox entries. The deliverers here are what the
 * outbox worker runs for them.
 */
import { notice } from '../core/notices.ts';
import type { ChannelPort, Session } from '../core/types.ts';
import type { PlaybookSet } from '../playbooks/types.ts';
import type { SessionStore } from '../store/types.ts';
import { caseCard, knownNames, probedHosts } from './bundle.ts';
import type { Cases } from './cases.ts';
import { type Deliverer, mayHaveArrived, type Outbox } from './outbox.ts';
import { createRedactor, type Redactor } from './redact.ts';
import { DeliveryError } from './retry.ts';
import type { CaseRecord, SupportPlatform, SupportTarget, SupportTransport, ThreadMessage } from './types.ts';

/** One planned thread message: `post` (the first one of a new thread when `root`) or an `update` of the card. */
export interface Planned {
  key: string;
  message: ThreadMessage;
  op?: 'post' | 'update';
  root?: boolean;
}

export interface PosterOptions {
  cases: Cases;
  outbox: Outbox;
  sessions: SessionStore<Session>;
  playbooks: PlaybookSet;
  /** The engine's port router: relayed replies and notices reach the user through it. */
  port: ChannelPort;
  transports: () => Partial<Record<SupportPlatform, SupportTransport>>;
}

export interface Poster {
  /**
   * Redacts what `compose` writes for the thread and queues it, after `patch` (if any) changed
   * the record in the same save. Returns the saved record.
   */
  toThread(
    session: Session,
    compose: (redactor: Redactor, record: CaseRecord) => Planned[],
    patch?: (record: CaseRecord) => CaseRecord,
  ): Promise<CaseRecord | undefined>;
  /**
   * One line in the case's thread (redacted), the card updated when `card`, after `patch`
   * changed the record, all in one save.
   */
  note(
    session: Session,
    key: string,
    text: string | undefined,
    options?: { card?: boolean; patch?: (record: CaseRecord) => CaseRecord },
  ): Promise<CaseRecord | undefined>;
  /** The case card, redacted, as the session and the record now stand. */
  card(session: Session, record: CaseRecord, redactor: Redactor): ThreadMessage;
  /** A plain-text message for the user (pseudonyms restored), queued after the previous one. */
  toUser(sessionId: string, text: string, key: string): Promise<void>;
  /** A message in a support channel that is not a case thread (a registration's confirmation). */
  toChannel(target: SupportTarget, threadId: string | undefined, text: string, key: string): Promise<void>;
  deliverers: Record<string, Deliverer>;
}

export function redactorFor(record: CaseRecord, session: Session): Redactor {
  return createRedactor(record.data.redaction, {
    known: knownNames(session),
    keepHosts: probedHosts(session),
  });
}

export function createPoster(options: PosterOptions): Poster {
  const { cases, outbox, sessions, playbooks, port } = options;

  const transportFor = (platform: SupportPlatform): SupportTransport => {
    const transport = options.transports()[platform];
    // Not permanent: the Teams transport may be plugged in later (the message waits, parked).
    if (!transport)
      throw new DeliveryError(`no ${platform} transport is configured for support threads`, { status: 0 });
    return transport;
  };

  async function loadCase(id: string): Promise<CaseRecord & { data: { support: SupportTarget } }> {
    const record = await cases.get(id);
    if (!record?.data.support)
      throw new DeliveryError(`case ${id} has no support channel to post to`, {
        status: 400,
        permanent: true,
      });
    return record as CaseRecord & { data: { support: SupportTarget } };
  }

  const threadPost: Deliverer = async (m) => {
    const { caseId, message, root } = m.payload as { caseId: string; message: ThreadMessage; root?: boolean };
    const record = await loadCase(caseId);
    const target = record.data.support;
    const transport = transportFor(target.platform);
    const threadId = root ? undefined : record.data.support.threadId;
    if (!root && !threadId)
      throw new DeliveryError(`case ${caseId}: its thread was never started`, {
        status: 400,
        permanent: true,
      });
    const earlier =
      mayHaveArrived(m) && transport.find ? await transport.find(target, threadId, m.key) : undefined;
    const id =
      earlier ??
      (threadId
        ? await transport.reply(target, threadId, message, m.key)
        : await transport.startThread(target, message, m.key));
    if (root)
      await cases.update(caseId, (r) => ({
        ...r,
        data: { ...r.data, support: { ...target, threadId: id } },
      }));
    return { id };
  };

  const threadUpdate: Deliverer = async (m) => {
    const { caseId, message } = m.payload as { caseId: string; message: ThreadMessage };
    const record = await loadCase(caseId);
    const threadId = record.data.support.threadId;
    if (!threadId)
      throw new DeliveryError(`case ${caseId}: no card to update`, { status: 400, permanent: true });
    await transportFor(record.data.support.platform).update(record.data.support, threadId, threadId, message);
    return undefined;
  };

  const userNotice: Deliverer = async (m) => {
    const { sessionId, text } = m.payload as { sessionId: string; text: string };
    const session = await sessions.get(sessionId);
    if (!session) throw new DeliveryError(`session ${sessionId} is gone`, { status: 404, permanent: true });
    return { id: await port.send(session, notice(session, text)) };
  };

  const channelNotice: Deliverer = async (m) => {
    const { target, threadId, text } = m.payload as {
      target: SupportTarget;
      threadId?: string;
      text: string;
    };
    const transport = transportFor(target.platform);
    const message: ThreadMessage = { kind: 'text', text };
    const id = threadId
      ? await transport.reply(target, threadId, message, m.key)
      : await transport.startThread(target, message, m.key);
    return { id };
  };

  async function toThread(
    session: Session,
    compose: (redactor: Redactor, record: CaseRecord) => Planned[],
    patch?: (record: CaseRecord) => CaseRecord,
  ): Promise<CaseRecord | undefined> {
    let planned: (Planned & { after?: string })[] = [];
    const saved = await cases.update(session.id, (current) => {
      const record = patch ? patch(current) : current;
      const redactor = redactorFor(record, session);
      let tail = record.data.tails.thread;
      planned = compose(redactor, record).map((p) => {
        const chained = { ...p, ...(tail ? { after: tail } : {}) };
        tail = p.key;
        return chained;
      });
      return {
        ...record,
        data: {
          ...record.data,
          redaction: redactor.state(),
          tails: { ...record.data.tails, ...(tail ? { thread: tail } : {}) },
        },
      };
    });
    for (const p of planned) {
      await outbox.add({
        key: p.key,
        topic: p.op === 'update' ? 'thread.update' : 'thread.post',
        payload: { caseId: session.id, message: p.message, ...(p.root ? { root: true } : {}) },
        ...(p.after ? { after: p.after } : {}),
      });
    }
    return saved;
  }

  return {
    card: (session, record, redactor) => caseCard(session, playbooks, record, redactor),
    toThread,
    note: (session, key, text, options = {}) =>
      toThread(
        session,
        (redactor, record) => [
          ...(text ? [{ key, message: { kind: 'text' as const, text: redactor.text(text) } }] : []),
          ...(options.card
            ? [
                {
                  key: `${key}:card`,
                  message: caseCard(session, playbooks, record, redactor),
                  op: 'update' as const,
                },
              ]
            : []),
        ],
        options.patch,
      ),
    async toUser(sessionId, text, key) {
      let after: string | undefined;
      let restored = text;
      const saved = await cases.update(sessionId, (r) => {
        after = r.data.tails.user;
        restored = createRedactor(r.data.redaction).restore(text);
        return { ...r, data: { ...r.data, tails: { ...r.data.tails, user: key } } };
      });
      if (!saved) return;
      await outbox.add({
        key,
        topic: 'user.notice',
        payload: { sessionId, text: restored },
        ...(after ? { after } : {}),
      });
    },
    async toChannel(target, threadId, text, key) {
      await outbox.add({
        key,
        topic: 'channel.notice',
        payload: { target, ...(threadId ? { threadId } : {}), text } as unknown as Record<string, unknown>,
      });
    },
    deliverers: {
      'thread.post': threadPost,
      'thread.update': threadUpdate,
      'user.notice': userNotice,
      'channel.notice': channelNotice,
    },
  };
}
