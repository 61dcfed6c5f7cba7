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

  async function deliver(start: Session, effects: Effect[]): Promise<Delivered> {
    let session = start;
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
    let combines = port.sendCard !== undefined;
    for (let i = 0; i < effects.length; ) {
      const run = combines ? cardRun(effects, i) : 0;
      if (run > 0) {
        const group = effects.slice(i, i + run);
        try {
          const combined = await deliverCombined(session, group);
          if (combined) {
            session = combined;
            i += run;
            continue;
          }
          combines = false; // this channel sends one by one: no need to ask again this turn
        } catch (err) {
          for (const effect of group) await failed(effect, err);
          i += run;
          continue;
        }
      }
      try {
        session = await deliverOne(session, effects[i]);
      } catch (err) {
        await failed(effects[i], err);
      }
      i++;
    }
    return { session, failures };
  }

  /** A live card and the notices next to it, as one message when the channel combines them. */
  async function deliverCombined(session: Session, group: Effect[]): Promise<Session | undefined> {
    let card: View | undefined;
    const notices: NoticeView[] = [];
    for (const effect of group) {
      if (effect.type !== 'send') continue;
      if (effect.view.screen === 'notice') notices.push(effect.view);
      else card = effect.view;
    }
    if (!card || !port.sendCard) return undefined;
    const id = await port.sendCard(session, card, notices);
    return id === undefined ? undefined : recordCard(session, id, notices);
  }

  async function deliverOne(session: Session, effect: Effect): Promise<Session> {
    switch (effect.type) {
      case 'send': {
        const id = await port.send(session, effect.view);
        return effect.live ? recordCard(session, id, []) : session;
      }
      case 'update':
        if (session.cardActivityId) {
          await port.update(session, session.cardActivityId, effect.view);
          return session;
        }
        return recordCard(session, await port.send(session, effect.view), []);
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
   * is live).
   */
  async function recordCard(session: Session, activityId: string, notices: NoticeView[]): Promise<Session> {
    const withCard = (s: Session): Session => {
      const { cardNotices: _, ...rest } = s;
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

  return deliver;
}
