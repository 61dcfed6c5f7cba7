/**
 * Support acting on an incident from its thread: the card's buttons (Take incident, Re-check
 * every computer, Resolve, Reopen) and replies in the thread (notes on the card). As for case
 * cards (bot/support/support-side.ts), only the support channel the incident was posted to may
 * act: the check is against the channel stored with the incident, not merely "some support
 * channel"; anything else is refused and audited. Resolving re-checks every member whose agent
 * is still paired and asks the others to check again.
 */
import type { StepAnswer } from '../core/pipeline.ts';
import type { InboundEvent, Session } from '../core/types.ts';
import { personOf } from '../support/context.ts';
import type { SupportSide } from '../support/registry.ts';
import { INCIDENT_PREFIX, incidentUserWords, incidentWords } from './card.ts';
import { type IncidentContext, stillPaired } from './context.ts';
import type { IncidentDoc } from './types.ts';

type Action = Extract<InboundEvent, { kind: 'action' }>;
type Outcome = StepAnswer['outcome'];

/** Replays of one event (Slack and Teams retry) act once. */
const EVENT_DEDUPE_MS = 24 * 60 * 60 * 1000;

function sameChannel(doc: IncidentDoc, side: SupportSide | undefined): side is SupportSide {
  return (
    side !== undefined &&
    doc.support !== undefined &&
    doc.support.platform === side.target.platform &&
    doc.support.channelId === side.target.channelId
  );
}

/** A click on an incident card's button. */
export async function onIncidentAction(
  ctx: IncidentContext,
  event: Action,
  side: SupportSide | undefined,
): Promise<Outcome> {
  const id = event.data.sessionId.slice(INCIDENT_PREFIX.length);
  const doc = await ctx.store.incidents.get(id);
  if (!doc || !sameChannel(doc, side)) {
    await ctx.store.audit.append({
      sessionId: event.data.sessionId,
      kind: 'incident_refused',
      actor: event.actor.id,
      data: {
        verb: event.verb,
        channel: side?.target.channelId ?? null,
        postedTo: doc?.support?.channelId ?? null,
      },
    });
    if (side?.threadId && doc)
      await ctx.relay.poster.toChannel(
        side.target,
        side.threadId,
        incidentWords.notHere,
        `incident-refused:${event.id}`,
      );
    return 'refused';
  }
  if (await ctx.store.dedupe.seen(`incident:event:${event.id}`, EVENT_DEDUPE_MS)) return 'handled';
  const person = personOf(event);
  const key = `incident:${id}:${event.verb}:${event.id}`;
  const resolved = doc.state === 'resolved';
  switch (event.verb) {
    case 'case.take':
      if (resolved) return say(ctx, id, key, incidentWords.alreadyResolved);
      if (doc.takenBy && doc.takenBy.id !== person.id)
        return say(ctx, id, key, incidentWords.alreadyTaken(doc.takenBy.name));
      await ctx.thread.line(id, key, incidentWords.taken(person.name), (d) => ({
        ...d,
        state: 'taken',
        takenBy: person,
      }));
      return 'handled';
    case 'case.rerun': {
      if (resolved) return say(ctx, id, key, incidentWords.alreadyResolved);
      const { rechecked, asked } = await recheckAll(ctx, doc, key, false);
      return say(ctx, id, key, incidentWords.rechecking(person.name, rechecked, asked));
    }
    case 'case.resolve': {
      if (resolved) return say(ctx, id, key, incidentWords.alreadyResolved);
      const at = ctx.now();
      const saved = await ctx.thread.line(id, `${key}:state`, undefined, (d) => ({
        ...d,
        state: 'resolved',
        resolvedAt: at,
        resolvedBy: person.name,
        verified: 0,
      }));
      ctx.metrics?.incidentResolved(doc.cause, saved?.members ?? doc.members);
      const { rechecked, asked } = await recheckAll(ctx, saved ?? doc, key, true);
      return say(ctx, id, key, incidentWords.resolved(person.name, rechecked, asked));
    }
    case 'case.reopen':
      if (!resolved) return say(ctx, id, key, incidentWords.stillOpen);
      await ctx.thread.line(id, key, incidentWords.reopened(person.name), (d) => {
        const { resolvedAt: _at, resolvedBy: _by, ...rest } = d;
        return { ...rest, state: d.takenBy ? 'taken' : 'open' };
      });
      return 'handled';
    default:
      return 'ignored';
  }
}

/** A reply in an incident's thread: a note on its card. */
export async function onIncidentNote(
  ctx: IncidentContext,
  event: Extract<InboundEvent, { kind: 'message' | 'threadReply' }>,
  doc: IncidentDoc,
): Promise<Outcome> {
  const text = event.text.trim();
  if (text === '') return 'ignored';
  if (await ctx.store.dedupe.seen(`incident:event:${event.id}`, EVENT_DEDUPE_MS)) return 'handled';
  // A thread reply may carry no display name: the one seen when the person took the incident.
  const known = doc.takenBy?.id === event.actor.id ? doc.takenBy.name : undefined;
  const person = { ...personOf(event), ...(event.actor.name ? {} : known ? { name: known } : {}) };
  const note = { at: new Date(ctx.now()).toISOString(), by: person.name, text: text.slice(0, 500) };
  await ctx.thread.line(doc.id, `incident:${doc.id}:note:${event.id}`, undefined, (d) => ({
    ...d,
    notes: [...d.notes, note].slice(-20),
  }));
  return 'handled';
}

async function say(ctx: IncidentContext, id: string, key: string, text: string): Promise<Outcome> {
  await ctx.thread.write(id, (redactor) => [{ key, message: { kind: 'text', text: redactor.text(text) } }]);
  return 'handled';
}

/**
 * Every member's computer checks again: a full check on the paired agents, a request to the
 * others. `resolving`: the members' records await their verdict (verified or not) from now on.
 */
async function recheckAll(
  ctx: IncidentContext,
  doc: IncidentDoc,
  key: string,
  resolving: boolean,
): Promise<{ rechecked: number; asked: number }> {
  let rechecked = 0;
  let asked = 0;
  for (const member of await ctx.store.incidents.members(doc.id)) {
    const session: Session | undefined = await ctx.store.sessions.get(member.sessionId);
    if (!session) continue;
    const paired = ctx.agents !== undefined && (await stillPaired(ctx, session));
    if (resolving) {
      const { verified: _v, ...rest } = member;
      await ctx.store.incidents.putMember({ ...rest, recheck: paired ? 'recheck' : 'asked' });
    }
    const userKey = `${key}:user:${member.sessionId}`;
    if (paired) {
      await ctx.thread.toUser(session.id, incidentUserWords.recheck, userKey);
      await ctx.agents!.dispatch(session, {
        type: 'check',
        jobId: `${key}:check:${session.id}`,
        sessionId: session.id,
      });
      rechecked += 1;
    } else {
      await ctx.thread.toUser(session.id, incidentUserWords.askAgain, userKey);
      asked += 1;
    }
  }
  return { rechecked, asked };
}
