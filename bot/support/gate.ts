/**
 * The support relay as a step of the engine's turn (bot/core/pipeline.ts): its gate runs after
 * the engine loaded the session and before the core authorises the event. What belongs to
 * support is answered here (a support channel's replies and buttons, a channel registering
 * itself, a user writing while a person has the case); everything else goes on to the core, and
 * what the core then did to an escalated case (re-run results, the user resolving it) is reported
 * in the thread by the `after` the gate hands back.
 */
import { detectPaste } from '../../probes/paste/index.ts';
import type { HandleResult } from '../core/engine.ts';
import { understand } from '../core/intake.ts';
import type { GateVerdict, Turn, TurnStep } from '../core/pipeline.ts';
import type { CoreEvent, Verb } from '../core/types.ts';
import { answer, RELAY_DEDUPE_MS, type SupportContext } from './context.ts';
import { diffText, runDiff } from './diff.ts';
import { escalationAfter, escalationInstead } from './exhausted.ts';
import { toThread } from './messages.ts';
import { registerFromChat } from './register.ts';
import { onSupportEvent } from './support-side.ts';

/** Buttons only the support card has: a user sending one (a forged web chat post) is refused. */
const SUPPORT_ONLY: ReadonlySet<Verb> = new Set<Verb>(['case.take', 'case.rerun']);

/** A user's message the core must read even while a person has the case (pasted output, a result code). */
function forTheCore(text: string): boolean {
  return detectPaste(text) !== undefined || understand(text).resultCode !== undefined;
}

/** The relay's step for createEngine({ steps: [...] }). */
export function supportStep(ctx: SupportContext): TurnStep {
  return { gate: (turn) => gate(ctx, turn) };
}

async function gate(ctx: SupportContext, turn: Turn): Promise<GateVerdict | undefined> {
  const event = turn.event;
  if (event.kind === 'supportRegister') return registerFromChat(ctx, event);
  const side = await ctx.registry.sideOf(event);
  if (side) return onSupportEvent(ctx, event, side, turn.session);
  // A reply in a thread of a channel that is not a support channel: nobody's business.
  if (event.kind === 'threadReply') return answer('ignored');

  if (event.kind === 'action' && SUPPORT_ONLY.has(event.verb)) {
    await ctx.store.audit.append({
      sessionId: event.data.sessionId,
      kind: 'support_refused',
      actor: event.actor.id,
      data: { verb: event.verb, reason: 'not from the support channel', conversation: event.conversationKey },
    });
    return answer('refused');
  }

  const session = turn.session;
  const record = session ? await ctx.cases.get(session.id) : undefined;
  if (record && session && event.kind === 'action' && event.conversationKey !== session.conversationKey) {
    // A click on an escalated case from neither its support channel nor its own conversation.
    await ctx.store.audit.append({
      sessionId: session.id,
      kind: 'support_refused',
      actor: event.actor.id,
      data: {
        verb: event.verb,
        reason: "not from the case's support channel",
        conversation: event.conversationKey,
      },
    });
    return answer('refused');
  }
  const withSupport = record && record.status !== 'closed' && record.data.support !== undefined;
  if (
    withSupport &&
    session &&
    event.kind === 'message' &&
    event.actor.role === 'user' &&
    event.actor.id === session.user.id
  ) {
    if (!(await ctx.store.dedupe.seen(`support:relay:${event.id}`, RELAY_DEDUPE_MS))) {
      const text = toThread.userSaid(session.user.name ?? session.user.id, event.text);
      await ctx.poster.note(session, `relay:${event.id}`, text);
    }
    if (!forTheCore(event.text)) return answer('relayed');
  }

  const instead = withSupport ? undefined : escalationInstead(event, session);
  return {
    ...(instead ? { event: instead } : {}),
    async after(result) {
      if (record) await afterCore(ctx, event, result);
      return withSupport || instead ? undefined : escalationAfter(event, result);
    },
  };
}

/** What the engine just did to an escalated case, told in its thread. */
async function afterCore(ctx: SupportContext, event: CoreEvent, result: HandleResult): Promise<void> {
  const session = result.session;
  if (!session || result.outcome !== 'applied') return;
  const record = await ctx.cases.get(session.id);
  if (!record || record.status === 'closed' || !record.data.support) return;
  const key = `case:${session.id}:core:${event.id}`;
  const rerun = record.data.rerun;
  if (rerun) {
    const fromAgent = event.actor.role === 'agent';
    const fresh =
      event.kind === 'report' && fromAgent
        ? event.report.probes
        : event.kind === 'recheckResult' && fromAgent
          ? event.probes
          : event.kind === 'message' && detectPaste(event.text)
            ? session.probes
            : undefined;
    const ended = event.kind === 'agentJobEnded' && event.jobType === 'check';
    if (fresh || ended) {
      const text = fresh ? diffText(runDiff(rerun, fresh, session.findings), rerun.by.name) : undefined;
      await ctx.poster.note(
        session,
        `${key}:rerun`,
        text ?? (ended ? toThread.rerunEnded(event.message) : ''),
        {
          card: true,
          patch: (r) => ({ ...r, data: { ...r.data, rerun: undefined } }),
        },
      );
    }
  }
  if (session.state === 'resolved') {
    await ctx.poster.note(session, `${key}:resolved`, toThread.resolvedByUser, {
      card: true,
      patch: (r) => ({ ...r, status: 'closed', data: { ...r.data, closedBy: 'the user', rerun: undefined } }),
    });
  }
}
