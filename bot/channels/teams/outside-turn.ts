/**
 * A ChannelPort for work that is not part of any turn. The Teams port answers through the turn it
 * finds in the async context (port.ts, AsyncLocalStorage), and that context follows every promise
 * started during the turn. A background worker kicked off by a turn (the support outbox delivers
 * while the turn that queued a message is still running, and keeps draining after it ended)
 * would therefore answer through that turn: a reply on a finished request, or a notice pushed
 * into an Action.Execute invoke's answer that was already sent, i.e. lost. Calls through this
 * port run in the context captured when this module loaded, where no turn exists, so the Teams
 * port sends them proactively, as what they are.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { ChannelPort } from '../../core/types.ts';

/** Runs a function in the async context of module load: outside every request. */
const atLoad = AsyncLocalStorage.snapshot();

/** Runs `work` outside any Teams turn. */
export function outsideTurn<T>(work: () => Promise<T>): Promise<T> {
  return atLoad(work);
}

/** `port` with every call made outside any Teams turn. */
export function outsideTurns(port: ChannelPort): ChannelPort {
  const detached: ChannelPort = {
    send: (session, view) => outsideTurn(() => port.send(session, view)),
    update: (session, activityId, view) => outsideTurn(() => port.update(session, activityId, view)),
  };
  const sendCard = port.sendCard?.bind(port);
  if (sendCard)
    detached.sendCard = (session, card, notices) => outsideTurn(() => sendCard(session, card, notices));
  return detached;
}
