/**
 * Events from a support channel: replies in a case thread (relayed to the user), and the case
 * card's buttons — Take case, Re-run checks, Resolve, Reopen. Only the channel the case was
 * posted to may act on it (its members are the ones who see the card); the check is against
 * the channel stored with the case, not merely "some support channel".
 *
 * Support's clicks reach the core as the `support` role with the session's current version: a
 * support card is never "out of date" the way a user's old card is, and a stale-card notice
 * must not land in the user's chat because support clicked. The core runs them in the same turn
 * (the gate hands it the event, and an `after` that tells the thread what came of it); the
 * session is the turn's own, loaded once by the engine.
 */
import type { HandleResult } from '../core/engine.ts';
import type { GateVerdict, StepAnswer } from '../core/pipeline.ts';
import type { CoreEvent, InboundEvent, Session } from '../core/types.ts';
import { answer, personOf, RELAY_DEDUPE_MS, type SupportContext } from './context.ts';
import { baselineOf } from './diff.ts';
import { toThread, toUser } from './messages.ts';
import type { SupportSide } from './registry.ts';
import type { CaseRecord, SupportPerson } from './types.ts';

type Action = Extract<CoreEvent, { kind: 'action' }>;

/** Where Re-run and Resolve are moves the core knows (see bot/core/actions.ts VALID_IN). */
const RERUN_STATES: readonly Session['state'][] = ['escalated', 'plan', 'step'];
const RESOLVE_STATES: readonly Session['state'][] = ['escalated', 'plan', 'step'];

function asSupport(event: Action, session: Session): Action {
  return {
    ...event,
    actor: { ...event.actor, role: 'support' },
    data: { ...event.data, version: session.version },
  };
}

/** What tells the thread (and the user) about a support click; `result`: what the core did, if it ran. */
type Told = (result?: HandleResult) => Promise<void>;

/**
 * When `core`, the core runs the click in this turn (as support, at the session's version) and
 * `told` follows with its result; otherwise `told` runs now and the turn ends here.
 */
async function coreThen(core: boolean, event: Action, session: Session, told: Told): Promise<GateVerdict> {
  if (core)
    return {
      event: asSupport(event, session),
      async after(result) {
        await told(result);
        return undefined;
      },
    };
  await told();
  return answer('handled');
}

/**
 * An event from a support channel. `turnSession`: the session the engine loaded for it (a
 * click's `data.sessionId`, which is the case's id).
 */
export async function onSupportEvent(
  ctx: SupportContext,
  event: InboundEvent,
  side: SupportSide,
  turnSession: Session | undefined,
): Promise<GateVerdict> {
  // A message (not a thread reply) in a support channel was addressed to the bot: maybe a command.
  const reply = event.kind === 'message' ? ctx.commands?.(event.text, fromOf(event, side)) : undefined;
  if (reply !== undefined) {
    await ctx.poster.toChannel(side.target, side.threadId, reply, `command:${event.id}`);
    return answer('handled');
  }
  if (event.kind === 'message' || event.kind === 'threadReply')
    return answer(await onThreadMessage(ctx, event, side));
  if (event.kind !== 'action') return answer('ignored');
  const record = await ctx.cases.get(event.data.sessionId);
  const session = record && turnSession?.id === record.sessionId ? turnSession : undefined;
  const here = record?.data.support;
  if (
    !record ||
    !session ||
    !here ||
    here.platform !== side.target.platform ||
    here.channelId !== side.target.channelId
  ) {
    await ctx.store.audit.append({
      sessionId: event.data.sessionId,
      kind: 'support_refused',
      actor: event.actor.id,
      data: { verb: event.verb, channel: side.target.channelId, postedTo: here?.channelId ?? null },
    });
    if (side.threadId && here)
      await ctx.poster.toChannel(side.target, side.threadId, toThread.notHere, `refused:${event.id}`);
    return answer('refused');
  }
  const person = personOf(event);
  const key = `case:${session.id}:${event.verb}:${event.id}`;
  const remember = (r: CaseRecord): CaseRecord => ({
    ...r,
    data: { ...r.data, people: { ...r.data.people, [person.id]: person.name } },
  });
  // A closed case takes nothing but Reopen.
  if (record.status === 'closed' && CLOSED_REFUSES.has(event.verb)) {
    await ctx.poster.note(session, key, toThread.alreadyClosed);
    return answer('handled');
  }
  switch (event.verb) {
    case 'case.take':
      return take(ctx, event, record, session, person, key, remember);
    case 'case.rerun':
      return rerun(ctx, event, session, person, key, remember);
    case 'case.resolve':
      return resolve(ctx, event, record, session, person, key);
    case 'case.reopen': {
      if (record.status !== 'closed' && session.state !== 'resolved') {
        await ctx.poster.note(session, key, toThread.stillOpen);
        return answer('handled');
      }
      return coreThen(session.state === 'resolved', event, session, async (result) => {
        await ctx.poster.note(result?.session ?? session, key, toThread.reopened(person.name), {
          card: true,
          patch: (r) => remember({ ...r, status: 'open', data: { ...r.data, closedBy: undefined } }),
        });
      });
    }
    default:
      await ctx.poster.note(session, key, toThread.notASupportAction(event.verb));
      return answer('refused');
  }
}

const fromOf = (event: InboundEvent, side: SupportSide) => ({
  platform: side.target.platform,
  channelId: side.target.channelId,
  by: event.actor.id,
});

const CLOSED_REFUSES = new Set(['case.take', 'case.rerun', 'case.resolve']);

async function take(
  ctx: SupportContext,
  event: Action,
  record: CaseRecord,
  session: Session,
  person: SupportPerson,
  key: string,
  remember: (r: CaseRecord) => CaseRecord,
): Promise<GateVerdict> {
  if (record.data.takenBy) {
    if (record.data.takenBy.id !== person.id)
      await ctx.poster.note(session, key, toThread.alreadyTaken(record.data.takenBy.name));
    return answer('handled');
  }
  // In the escalated state the core records who took it and tells the user; otherwise we tell them.
  return coreThen(session.state === 'escalated', event, session, async (result) => {
    if (result?.outcome !== 'applied')
      await ctx.poster.toUser(session.id, toUser.taken(person.name), `${key}:user`);
    await ctx.poster.note(result?.session ?? session, key, toThread.taken(person.name), {
      card: true,
      patch: (r) => remember({ ...r, status: 'taken', data: { ...r.data, takenBy: person } }),
    });
  });
}

async function rerun(
  ctx: SupportContext,
  event: Action,
  session: Session,
  person: SupportPerson,
  key: string,
  remember: (r: CaseRecord) => CaseRecord,
): Promise<GateVerdict> {
  if (session.state === 'probing') {
    await ctx.poster.note(session, key, toThread.rerunBusy);
    return answer('handled');
  }
  if (!RERUN_STATES.includes(session.state)) {
    await ctx.poster.note(session, key, toThread.rerunNotNow(session.state));
    return answer('handled');
  }
  // The baseline is saved before the core dispatches, so a fast result always finds it.
  await ctx.cases.update(session.id, (r) =>
    remember({
      ...r,
      data: {
        ...r.data,
        rerun: { by: person, at: new Date(ctx.now()).toISOString(), ...baselineOf(session) },
      },
    }),
  );
  return coreThen(true, event, session, async (result) => {
    if (result?.outcome !== 'applied') {
      await ctx.cases.update(session.id, (r) => ({ ...r, data: { ...r.data, rerun: undefined } }));
      await ctx.poster.note(session, key, toThread.rerunNotNow(session.state));
      return;
    }
    const dispatched = result.effects.some((e) => e.type === 'dispatch');
    await ctx.poster.note(
      result.session ?? session,
      key,
      dispatched ? toThread.rerunStarted(person.name) : toThread.rerunManual(person.name),
    );
  });
}

async function resolve(
  ctx: SupportContext,
  event: Action,
  record: CaseRecord,
  session: Session,
  person: SupportPerson,
  key: string,
): Promise<GateVerdict> {
  // The core's resolve shows the user the resolved card; in other states we tell them ourselves.
  return coreThen(RESOLVE_STATES.includes(session.state), event, session, async (result) => {
    if (result?.outcome !== 'applied')
      await ctx.poster.toUser(session.id, toUser.closed(record.data.caseRef, person.name), `${key}:user`);
    await ctx.poster.note(result?.session ?? session, key, toThread.resolvedBy(person.name), {
      card: true,
      patch: (r) => ({
        ...r,
        status: 'closed',
        data: { ...r.data, closedBy: person.name, rerun: undefined },
      }),
    });
  });
}

/**
 * A reply in a support channel (addressed to the bot or not: the channel hands each message over
 * once): a case thread's goes to the user; elsewhere it is not ours.
 */
async function onThreadMessage(
  ctx: SupportContext,
  event: Extract<InboundEvent, { kind: 'message' | 'threadReply' }>,
  side: SupportSide,
): Promise<StepAnswer['outcome']> {
  if (!side.threadId || event.text.trim() === '') return 'ignored';
  const record = await ctx.cases.byThread(side.target.platform, side.target.channelId, side.threadId);
  if (!record) return 'ignored';
  if (await ctx.store.dedupe.seen(`support:relay:${event.id}`, RELAY_DEDUPE_MS)) return 'ignored';
  const name = event.actor.name ?? record.data.people[event.actor.id] ?? 'IT support';
  await ctx.poster.toUser(record.sessionId, toUser.reply(name, event.text), `relay:${event.id}`);
  await ctx.store.audit.append({
    sessionId: record.sessionId,
    kind: 'support_reply',
    actor: event.actor.id,
    data: { chars: event.text.length },
  });
  return 'relayed';
}
