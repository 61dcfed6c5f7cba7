/**
 * Making a channel the support channel, from whichever door the command came through (Slack's
 * `/reconnect support-here`, an @mention "support here" in a Slack or Teams channel): the channel
 * recognised the command and sent a `supportRegister` event. Cases that waited for a channel are
 * posted to it at once.
 */
import type { GateVerdict } from '../core/pipeline.ts';
import { placeOf } from '../core/place.ts';
import type { SupportEvent } from '../core/types.ts';
import { answer, type SupportContext } from './context.ts';
import { toThread } from './messages.ts';
import type { RegisterResult } from './registry.ts';
import type { SupportPlatform } from './types.ts';

type RegisterEvent = Extract<SupportEvent, { kind: 'supportRegister' }>;

/** How the confirmation names the channel. */
const whereOf = (platform: SupportPlatform) => (platform === 'slack' ? 'channel' : 'Teams channel');

export interface RegisterInput {
  platform: SupportPlatform;
  channelId: string;
  ref?: Record<string, unknown>;
  /** The user id of whoever registered it (checked against SUPPORT_ADMINS). */
  by: string;
  /** Confirm in this thread of the channel (where the command was typed). */
  confirmIn?: { threadId?: string; key: string };
}

export async function registerChannel(ctx: SupportContext, input: RegisterInput): Promise<RegisterResult> {
  const result = await ctx.registry.register(input);
  await ctx.store.audit.append({
    sessionId: `support:${input.platform}:${input.channelId}`,
    kind: result.ok ? 'support_registered' : 'support_register_refused',
    actor: input.by,
    data: {
      platform: input.platform,
      channel: input.channelId,
      ...(result.ok ? {} : { reason: result.reason }),
    },
  });
  if (!result.ok) {
    if (input.confirmIn)
      await ctx.poster.toChannel(
        { platform: input.platform, channelId: input.channelId, ...(input.ref ? { ref: input.ref } : {}) },
        input.confirmIn.threadId,
        result.message,
        input.confirmIn.key,
      );
    return result;
  }
  if (input.confirmIn) {
    await ctx.poster.toChannel(
      result.target,
      input.confirmIn.threadId,
      toThread.registered(whereOf(input.platform)),
      input.confirmIn.key,
    );
  }
  const posted = await ctx.escalator.flushWaiting(result.target);
  if (posted > 0) ctx.log.info('support: posted cases that waited for a support channel', { count: posted });
  return result;
}

/** The id a registration is made (and checked against SUPPORT_ADMINS) under: an alias the operator listed, else the actor's. */
function registrant(ctx: SupportContext, event: RegisterEvent): string {
  return (event.aliases ?? []).find((id) => ctx.admins.includes(id)) ?? event.actor.id;
}

/**
 * A channel's `supportRegister` event: registers the channel it came from, confirmed in its
 * thread (`confirm: 'thread'`) or in the answer's text (`reply`, a slash command's).
 */
export async function registerFromChat(ctx: SupportContext, event: RegisterEvent): Promise<GateVerdict> {
  const place = placeOf(event.conversation);
  if (!place || event.channel === 'webchat') return answer('ignored');
  const result = await registerChannel(ctx, {
    platform: event.channel,
    channelId: place.channelId,
    ...(event.channelRef ? { ref: event.channelRef } : {}),
    by: registrant(ctx, event),
    ...(event.confirm === 'thread'
      ? {
          confirmIn: { ...(place.threadId ? { threadId: place.threadId } : {}), key: `register:${event.id}` },
        }
      : {}),
  });
  const outcome = result.ok ? 'registered' : 'refused';
  if (event.confirm === 'thread') return answer(outcome);
  return answer(outcome, result.ok ? toThread.registered(whereOf(event.channel)) : result.message);
}
