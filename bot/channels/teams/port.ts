/**
 * The Teams ChannelPort: how the core's effects reach a Teams conversation. During a turn the
 * turn's own context replies (one HTTP round trip to the connector, replies threaded to the
 * activity); outside a turn (an agent report arriving later, another replica's job) it continues
 * the conversation proactively from the reference stored on the session.
 *
 * The turn is found through AsyncLocalStorage, not a map keyed by conversation: two turns of one
 * conversation can run at once (a double click), and each must answer its own request.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Activity, CloudAdapter, ConversationReference, TurnContext } from 'botbuilder';
import type { ChannelPort, NoticeView, OutboundView, Session, View } from '../../core/types.ts';
import { type RenderOptions, renderActivity, renderCard } from './render.ts';

/** What an Action.Execute invoke answers with, collected while the core handles it. */
export interface InvokeCapture {
  /** The card the click came from (the invoke's replyToId), when Teams says. */
  cardActivityId?: string;
  /** The updated card for that message: the invoke response body's `value`. */
  card?: Record<string, unknown>;
  /**
   * Notices of the turn, held back: with no new card they answer the clicker alone (e.g. "this
   * is not your case"); with one, the bot posts them after the invoke (see bot.ts).
   */
  notices: NoticeView[];
}

interface TurnScope {
  context: TurnContext;
  invoke?: InvokeCapture;
}

const turns = new AsyncLocalStorage<TurnScope>();

/** Runs `work` with `context` as the turn the port answers through. */
export function withTurn<T>(context: TurnContext, invoke: InvokeCapture | undefined, work: () => Promise<T>) {
  return turns.run({ context, invoke }, work);
}

export interface TeamsPortOptions extends RenderOptions {
  adapter: CloudAdapter;
  /** The bot's app id for proactive turns ('' when authentication is off). */
  appId: string;
}

function currentTurn(session: Session): TurnScope | undefined {
  const scope = turns.getStore();
  return scope && scope.context.activity.conversation?.id === session.conversation.id ? scope : undefined;
}

function reference(session: Session): Partial<ConversationReference> {
  const ref = session.conversation.ref as Partial<ConversationReference> | undefined;
  if (!ref?.serviceUrl || !ref.conversation?.id)
    throw new Error(
      `teams: session ${session.id} has no conversation reference (conversation.ref with serviceUrl and ` +
        'conversation.id), so the bot cannot message it outside a turn',
    );
  return ref;
}

/** Creates the port. Its `send` returns the connector's id for the new message. */
export function createTeamsPort(options: TeamsPortOptions): ChannelPort {
  const proactive = async <T>(session: Session, work: (context: TurnContext) => Promise<T>): Promise<T> => {
    let result: T | undefined;
    await options.adapter.continueConversationAsync(options.appId, reference(session), async (context) => {
      result = await work(context);
    });
    return result as T;
  };
  const inTurnOrProactive = <T>(session: Session, work: (context: TurnContext) => Promise<T>): Promise<T> => {
    const turn = currentTurn(session);
    return turn ? work(turn.context) : proactive(session, work);
  };
  /** Sends a new message; resolves with the id the connector gave it. */
  const post = async (session: Session, activity: Partial<Activity>): Promise<string> => {
    const sent = await inTurnOrProactive(session, (context) => context.sendActivity(activity));
    if (!sent?.id) throw new Error(`teams: the connector returned no activity id for session ${session.id}`);
    return sent.id;
  };

  return {
    async send(session: Session, view: OutboundView): Promise<string> {
      const turn = currentTurn(session);
      if (turn?.invoke && view.screen === 'notice') {
        turn.invoke.notices.push(view);
        // Notices are never the live card, so their id is not kept; this is the invoke's own.
        return turn.context.activity.id ?? '';
      }
      return post(session, renderActivity(view, options));
    },

    async sendCard(session: Session, card: View, notices: NoticeView[]): Promise<string | undefined> {
      // An invoke holds its notices back for the clicker (see bot.ts): no combining there.
      if (currentTurn(session)?.invoke) return undefined;
      return post(session, renderActivity(card, options, notices));
    },

    async update(session: Session, activityId: string, view: View): Promise<void> {
      const turn = currentTurn(session);
      const invoke = turn?.invoke;
      if (invoke && (invoke.cardActivityId === undefined || invoke.cardActivityId === activityId)) {
        // The clicker's client replaces the card from the invoke response at once.
        invoke.card = renderCard(view, options);
      }
      // Everyone else in the conversation sees the card change through the update, which
      // replaces the whole message: the notices it was sent with go along again.
      const notices = activityId === session.cardActivityId ? session.cardNotices : undefined;
      const activity = { ...renderActivity(view, options, notices), id: activityId };
      await inTurnOrProactive(session, (context) => context.updateActivity(activity));
    },
  };
}
