/**
 * Delivering a turn's effects through the ports, after the engine has saved the session: send
 * and update views, record which message is the live card, dispatch agent jobs, escalate, and
 * audit what could not be delivered (the saved state stands regardless).
 *
 * One message per live card: where the channel can (ChannelPort.sendCard), a new live card and
 * the notices sent next to it go out as one message, so a turn such as the first one ("CAA20004:
 * what it means" and the intake card) costs one call to the channel instead of two.
 */
import type { Store } from '../store/types.ts';
import type {
  AgentPort,
  AuditRecord,
  ChannelPort,
  Effect,
  NoticeView,
  Session,
  SupportPort,
  View,
} from './types.ts';

export interface DeliveryOptions {
  store: Store<Session>;
  port: ChannelPort;
  audit: (record: AuditRecord) => Promise<unknown>;
  agents?: AgentPort;
  support?: SupportPort;
  /** Compare-and-set attempts when recording the live card's id. */
  maxAttempts: number;
}

export interface Delivered {
  /** The session with the live card's id (and the notices in its message) recorded. */
  session: Session;
  /** Effects whose delivery failed. */
  failures: Array<{ effect: Effect; error: string }>;
}

/**
 * How many effects from `start` form one message on a channel that combines (ChannelPort.sendCard):
 * a run of consecutive sends holding exactly one live card and at least one notice. 0 otherwise.
 */
export function cardRun(effects: readonly Effect[], start: number): number {
  let cards = 0;
  let notices = 0;
  let end = start;
  for (; end < effects.length; end++) {
    const effect = effects[end];
    if (effect.type !== 'send') break;
    if (effect.view.screen === 'notice') notices++;
    else if (effect.live && cards === 0) cards++;
    else break;
  }
  return cards === 1 && notices > 0 ? end - start : 0;
}

/** Makes `deliver(session, effects)`, which delivers in order and never throws for a port's failure. */
export function createDelivery(options: DeliveryOptions) {
  const { store, port, audit } = options;

  /**
   * Delivers `effects` in order from `from`. `tracked`: they are the session's turn outbox
   * (Session.undelivered): each send carries its key, and after each effect the outbox's `next`
   * is saved (the last save removes it), so a restart delivers only what had not gone out.
   */
  async function deliverFrom(
    start: Session,
    effects: Effect[],
    from: number,
    tracked: string | undefined,
  ): Promise<Delivered> {
    let session = start;
    let key = tracked;
    const failures: Delivered['failures'] = [];
    const failed = async (effect: Effect, err: unknown) => {
      const error = err instanceof Error ? err.message : String(err);
      failures.push({ effect, error });
      await audit({
        sessionId: session.id,
        kind: 'delivery_failed',
        actor: 'bot',
        data: { effect: effect.type, error },
      });
    };
    /** The session with its outbox moved to `next`, for a save recordCard makes anyway. */
    let foldedTo = -1;
    const fold = (next: number) => (s: Session) => {
      if (key === undefined || s.undelivered?.key !== key) return s;
      foldedTo = next;
      return outboxAt(s, key, effects, next);
    };
    /** Saves how far the outbox got; another turn saving first owns the session (and its outbox) now. */
    const progress = async (next: number) => {
      if (key === undefined) return;
      const at = session.undelivered;
      if (at?.key === key ? at.next >= next : foldedTo === next) return; // recordCard's save carried it
      const marked = await markDelivered(session, key, effects, next);
      if (marked.undelivered?.key !== key) key = undefined;
      session = marked;
    };
    let combines = port.sendCard !== undefined;
    for (let i = from; i < effects.length; ) {
      const run = combines ? cardRun(effects, i) : 0;
      if (run > 0) {
        const group = effects.slice(i, i + run);
        try {
          const combined = await deliverCombined(session, group, key && `${key}:${i}`, fold(i + run));
          if (combined) {
            session = combined;
            i += run;
            await progress(i);
            continue;
          }
          combines = false; // this channel sends one by one: no need to ask again this turn
        } catch (err) {
          for (const effect of group) await failed(effect, err);
          i += run;
          await progress(i);
          continue;
        }
      }
      try {
        session = await deliverOne(session, effects[i], key && `${key}:${i}`, fold(i + 1));
      } catch (err) {
        await failed(effects[i], err);
      }
      i++;
      await progress(i);
    }
    return { session, failures };
  }

  /**
   * Moves the session's outbox to `next` (removed at the end) with a bookkeeping save that, like
   * recordCard's, leaves `viewVersion` alone. When another turn has saved since, its commit wrote
   * its own outbox: this one is left as it is.
   */
  async function markDelivered(
    session: Session,
    key: string,
    effects: Effect[],
    next: number,
  ): Promise<Session> {
    let current = session;
    for (let attempt = 1; attempt <= options.maxAttempts; attempt++) {
      if (current.undelivered?.key !== key) return current;
      const saved = await store.sessions.save(outboxAt(current, key, effects, next), current.version);
      if (saved.ok) return saved.doc;
      if (!saved.current) return current;
      current = saved.current;
    }
    return current;
  }

  /** Effects that are no turn's outbox (a refusal's notice): delivered once, nothing saved. */
  const deliver = (start: Session, effects: Effect[]): Promise<Delivered> =>
    deliverFrom(start, effects, 0, undefined);

  /** What the session's outbox (Session.undelivered) still holds, from where it stopped. */
  function resume(session: Session): Promise<Delivered> {
    const outbox = session.undelivered;
    if (!outbox) return Promise.resolve({ session, failures: [] });
    return deliverFrom(session, outbox.effects, outbox.next, outbox.key);
  }

  /** A live card and the notices next to it, as one message when the channel combines them. */
  async function deliverCombined(
    session: Session,
    group: Effect[],
    key: string | undefined,
    mark: Mark,
  ): Promise<Session | undefined> {
    let card: View | undefined;
    const notices: NoticeView[] = [];
    for (const effect of group) {
      if (effect.type !== 'send') continue;
      if (effect.view.screen === 'notice') notices.push(effect.view);
      else card = effect.view;
    }
    if (!card || !port.sendCard) return undefined;
    const id = await port.sendCard(session, card, notices, key);
    return id === undefined ? undefined : recordCard(session, id, notices, mark);
  }

  async function deliverOne(
    session: Session,
    effect: Effect,
    key: string | undefined,
    mark: Mark,
  ): Promise<Session> {
    switch (effect.type) {
      case 'send': {
        const id = await port.send(session, effect.view, key);
        return effect.live ? recordCard(session, id, [], mark) : session;
      }
      case 'update':
        if (session.cardActivityId) {
          await port.update(session, session.cardActivityId, effect.view);
          return session;
        }
        return recordCard(session, await port.send(session, effect.view, key), [], mark);
      case 'dispatch':
        if (options.agents) await options.agents.dispatch(session, effect.job);
        else
          await audit({
            sessionId: session.id,
            kind: 'dispatch_dropped',
            actor: 'bot',
            data: { job: effect.job },
          });
        return session;
      case 'cancel':
        await options.agents?.cancel?.(session, effect.jobId);
        return session;
      case 'escalate':
        await audit({
          sessionId: session.id,
          kind: 'escalated',
          actor: 'bot',
          data: { caseRef: effect.caseRef, reason: effect.reason },
        });
        if (options.support) await options.support.escalate(session, effect);
        return session;
      case 'audit':
        await audit(effect.entry);
        return session;
    }
  }

  /**
   * Records the live card's activity id (and the notices its message carries): a bookkeeping
   * save that moves `version` but not `viewVersion`, so the card just sent stays current.
   * Skipped when another turn has changed the session since (its own effects decide which card
   * is live). `mark` moves the turn outbox past this effect in the same save.
   */
  async function recordCard(
    session: Session,
    activityId: string,
    notices: NoticeView[],
    mark: Mark,
  ): Promise<Session> {
    const withCard = (s: Session): Session => {
      const { cardNotices: _, ...rest } = mark(s);
      return { ...rest, cardActivityId: activityId, ...(notices.length > 0 ? { cardNotices: notices } : {}) };
    };
    let current = session;
    for (let attempt = 1; attempt <= options.maxAttempts; attempt++) {
      const saved = await store.sessions.save(withCard(current), current.version);
      if (saved.ok) return saved.doc;
      if (!saved.current || saved.current.viewVersion !== session.viewVersion)
        return saved.current ?? current;
      current = saved.current;
    }
    return current;
  }

  return Object.assign(deliver, { resume });
}

/** Moves a session's turn outbox along in a save made for another reason (recordCard). */
type Mark = (session: Session) => Session;

/** `session` with its turn outbox at `next`, or without one once every effect has gone out (or none). */
export function outboxAt(session: Session, key: string, effects: Effect[], next: number): Session {
  const { undelivered: _, ...rest } = session;
  return next < effects.length ? { ...rest, undelivered: { key, effects, next } } : rest;
}
