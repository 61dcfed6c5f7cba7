/**
 * Making a channel the support channel, from whichever door the command came through (Slack's
 * `/reconnect support-here`, an @mention "support here" in a Slack or Teams channel, or the
 * Teams adapter calling registerTeamsSupport with the channel's conversation reference). Cases
 * that waited for a channel are posted to it at once.
 */
import { refOf } from '../channels/slack/translate.ts';
import type { CoreEvent } from '../core/types.ts';
import type { GateResult, SupportContext } from './context.ts';
import { toThread } from './messages.ts';
import type { RegisterResult } from './registry.ts';
import { isChannelRef, splitTeamsConversation } from './teams.ts';
import type { SupportPlatform } from './types.ts';

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
    const where = input.platform === 'slack' ? 'channel' : 'Teams channel';
    await ctx.poster.toChannel(
      result.target,
      input.confirmIn.threadId,
      toThread.registered(where),
      input.confirmIn.key,
    );
  }
  const posted = await ctx.escalator.flushWaiting(result.target);
  if (posted > 0) ctx.log.info('support: posted cases that waited for a support channel', { count: posted });
  return result;
}

/** The registration a chat message asks for ("support here" typed in a channel), or undefined outside channels. */
export function registrationOf(event: Extract<CoreEvent, { kind: 'message' }>): RegisterInput | undefined {
  if (event.channel === 'slack') {
    const ref = refOf(event.conversation);
    if (!/^[CG]/.test(ref.channel)) return undefined;
    return {
      platform: 'slack',
      channelId: ref.channel,
      by: event.actor.id,
      confirmIn: { ...(ref.threadTs ? { threadId: ref.threadTs } : {}), key: `register:${event.id}` },
    };
  }
  if (event.channel === 'teams' && isChannelRef(event.conversation.ref)) {
    const { channelId, threadId } = splitTeamsConversation(event.conversation.id);
    return {
      platform: 'teams',
      channelId,
      ref: event.conversation.ref as Record<string, unknown>,
      by: event.actor.id,
      confirmIn: { ...(threadId ? { threadId } : {}), key: `register:${event.id}` },
    };
  }
  return undefined;
}

/** Runs a chat registration and answers for the gate. */
export async function registerFromChat(ctx: SupportContext, input: RegisterInput): Promise<GateResult> {
  const result = await registerChannel(ctx, input);
  return { outcome: result.ok ? 'registered' : 'refused' };
}
