/**
 * Writing to an incident's thread through the support relay's outbox. Each write is one
 * compare-and-set on the group (the redaction mapping grows and the thread's tail moves in the
 * same save, so every message waits for the one before it and the card is never updated before
 * it is posted), followed by the outbox entries. The deliverers post the card as a thread's
 * first message, reply in that thread, and update the card in place, on whichever replica
 * claims them.
 */

import type { SupportRelay } from '../support/index.ts';
import { mayHaveArrived } from '../support/outbox.ts';
import { createRedactor, newRedactionState, type Redactor } from '../support/redact.ts';
import { DeliveryError } from '../support/retry.ts';
import type { SupportTarget, ThreadMessage } from '../support/types.ts';
import { incidentCard } from './card.ts';
import type { IncidentDoc, IncidentStore } from './types.ts';

export interface PlannedPost {
  key: string;
  message: ThreadMessage;
  op?: 'post' | 'update';
  /** The thread's first message (the card). */
  root?: boolean;
}

export interface IncidentThread {
  /**
   * Changes the group with `patch` (undefined: leave it) and queues what `compose` writes, in
   * one save. Resolves with the saved group, or undefined when it is gone.
   */
  write(
    id: string,
    compose: (redactor: Redactor, doc: IncidentDoc) => PlannedPost[],
    patch?: (doc: IncidentDoc) => IncidentDoc | undefined,
  ): Promise<IncidentDoc | undefined>;
  /** One line in the thread and the card updated to the group as saved. */
  line(
    id: string,
    key: string,
    text: string | undefined,
    patch?: (doc: IncidentDoc) => IncidentDoc,
  ): Promise<IncidentDoc | undefined>;
  /** A plain notice in a user's chat (the relay's own user.notice topic). */
  toUser(sessionId: string, text: string, key: string): Promise<void>;
}

/** As in correlate.ts: a hot incident sees many writers at once. */
const ATTEMPTS = 128;

/** Saves `doc` changed by `fn`, again on a fresher copy after a conflict. */
export async function updateIncident(
  store: IncidentStore,
  id: string,
  fn: (doc: IncidentDoc) => IncidentDoc | undefined,
): Promise<IncidentDoc | undefined> {
  for (let i = 0; i < ATTEMPTS; i++) {
    const doc = await store.get(id);
    if (!doc) return undefined;
    const next = fn(doc);
    if (!next) return doc;
    if (await store.save(next, doc.version)) return { ...next, version: doc.version + 1 };
  }
  throw new Error(`incident ${id} kept changing; gave up after ${ATTEMPTS} attempts`);
}

export function createIncidentThread(options: {
  store: IncidentStore;
  relay: SupportRelay;
  redaction: boolean;
}): IncidentThread {
  const { store, relay } = options;

  const redactorOf = (doc: IncidentDoc) => {
    const hosts = doc.facts.hosts;
    return createRedactor(doc.redaction ?? newRedactionState(options.redaction), {
      keepHosts: Array.isArray(hosts) ? hosts : [],
    });
  };

  const transportFor = (target: SupportTarget) => {
    const transport = relay.transport(target.platform);
    if (!transport)
      throw new DeliveryError(`no ${target.platform} transport is configured for support threads`, {
        status: 0,
      });
    return transport;
  };

  const loaded = async (id: string) => {
    const doc = await store.get(id);
    if (!doc?.support)
      throw new DeliveryError(`incident ${id} has no support channel to post to`, {
        status: 400,
        permanent: true,
      });
    return doc as IncidentDoc & { support: SupportTarget & { threadId?: string } };
  };

  relay.deliver('incident.post', async (m) => {
    const { incidentId, message, root } = m.payload as {
      incidentId: string;
      message: ThreadMessage;
      root?: boolean;
    };
    const doc = await loaded(incidentId);
    const transport = transportFor(doc.support);
    const threadId = root ? undefined : doc.support.threadId;
    if (!root && !threadId)
      throw new DeliveryError(`incident ${incidentId}: its thread was never started`, {
        status: 400,
        permanent: true,
      });
    const earlier =
      mayHaveArrived(m) && transport.find ? await transport.find(doc.support, threadId, m.key) : undefined;
    const id =
      earlier ??
      (threadId
        ? await transport.reply(doc.support, threadId, message, m.key)
        : await transport.startThread(doc.support, message, m.key));
    if (root)
      await updateIncident(store, incidentId, (d) => ({
        ...d,
        support: { ...(d.support ?? doc.support), threadId: id },
      }));
    return { id };
  });

  relay.deliver('incident.update', async (m) => {
    const { incidentId, message } = m.payload as { incidentId: string; message: ThreadMessage };
    const doc = await loaded(incidentId);
    const threadId = doc.support.threadId;
    if (!threadId)
      throw new DeliveryError(`incident ${incidentId}: no card to update`, { status: 400, permanent: true });
    await transportFor(doc.support).update(doc.support, threadId, threadId, message);
    return undefined;
  });

  async function write(
    id: string,
    compose: (redactor: Redactor, doc: IncidentDoc) => PlannedPost[],
    patch?: (doc: IncidentDoc) => IncidentDoc | undefined,
  ): Promise<IncidentDoc | undefined> {
    let planned: (PlannedPost & { after?: string })[] = [];
    const saved = await updateIncident(store, id, (current) => {
      const doc = patch ? patch(current) : current;
      if (!doc) return undefined;
      const redactor = redactorOf(doc);
      // The card shows the version this save writes, so its buttons are current.
      let tail = doc.tail;
      planned = compose(redactor, { ...doc, version: current.version + 1 }).map((p) => {
        const chained = { ...p, ...(tail ? { after: tail } : {}) };
        tail = p.key;
        return chained;
      });
      return { ...doc, redaction: redactor.state(), ...(tail ? { tail } : {}) };
    });
    // No support channel yet: the group is kept, nothing is posted.
    if (!saved?.support) return saved;
    for (const p of planned)
      await relay.outbox.add({
        key: p.key,
        topic: p.op === 'update' ? 'incident.update' : 'incident.post',
        payload: { incidentId: id, message: p.message, ...(p.root ? { root: true } : {}) },
        ...(p.after ? { after: p.after } : {}),
      });
    return saved;
  }

  return {
    write,
    line: (id, key, text, patch) =>
      write(
        id,
        (redactor, doc) => [
          ...(text ? [{ key, message: { kind: 'text' as const, text: redactor.text(text) } }] : []),
          { key: `${key}:card`, message: incidentCard(doc, redactor), op: 'update' as const },
        ],
        patch,
      ),
    async toUser(sessionId, text, key) {
      await relay.outbox.add({ key, topic: 'user.notice', payload: { sessionId, text } });
    },
  };
}
