/**
 * The incidents as a step of the engine's turn (bot/core/pipeline.ts). Its gate runs before the
 * support relay's: an incident card's buttons and replies in an incident's thread belong here
 * (the relay would find no case for them). Its `after` sees every report the core applied and
 * correlates it (result codes typed into the chat are not: without an agent the bot saw no egress
 * address, and a code carries no facts, so any two offices with one cause would look alike); a
 * failure there is logged, never the turn's (the turn has happened).
 */
import type { GateVerdict, TurnStep } from '../core/pipeline.ts';
import { onIncidentAction, onIncidentNote } from './actions.ts';
import { INCIDENT_PREFIX } from './card.ts';
import type { IncidentContext } from './context.ts';
import { onReport } from './members.ts';

/** How many recent incidents a thread reply is matched against. */
const THREAD_LOOKUP = 50;

export function incidentStep(ctx: IncidentContext): TurnStep {
  return {
    async gate(turn): Promise<GateVerdict | undefined> {
      const event = turn.event;
      if (event.kind === 'action' && event.data.sessionId.startsWith(INCIDENT_PREFIX)) {
        const side = await ctx.relay.registry.sideOf(event);
        return { answer: { outcome: await onIncidentAction(ctx, event, side) } };
      }
      if (event.kind !== 'message' && event.kind !== 'threadReply') return undefined;
      const side = await ctx.relay.registry.sideOf(event);
      if (!side?.threadId) return undefined;
      const doc = (await ctx.store.incidents.list(THREAD_LOOKUP)).find(
        (d) =>
          d.support?.threadId === side.threadId &&
          d.support?.platform === side.target.platform &&
          d.support?.channelId === side.target.channelId,
      );
      if (!doc) return undefined;
      return { answer: { outcome: await onIncidentNote(ctx, event, doc) } };
    },
    async after(turn, result) {
      const event = turn.event;
      if (event.kind !== 'report' || result.outcome !== 'applied' || !result.session) return;
      try {
        await onReport(ctx, result.session, event.id);
      } catch (error) {
        ctx.log.error('incident correlation failed', { error, sessionId: result.session.id });
      }
    },
  };
}
