/**
 * Which channel receives escalated cases. The operator's setting (SUPPORT_SLACK_CHANNEL or
 * SUPPORT_TEAMS_CHANNEL) wins; otherwise the newest registration by command: `/reconnect
 * support-here` in a Slack channel, or an @mention "support here" in a Teams channel (whose
 * conversation reference is stored, so the bot can post there later). Registrations live in the
 * Store, so every replica agrees.
 *
 * A channel that ever received cases stays a support channel for those cases: its members can
 * still act on them after another channel took over new ones.
 */

import { refOf } from '../channels/slack/translate.ts';
import type { SupportSettings } from '../config.ts';
import type { CoreEvent } from '../core/types.ts';
import type { SupportChannelStore } from '../store/types.ts';
import { splitTeamsConversation } from './teams.ts';
import type { SupportPlatform, SupportTarget } from './types.ts';

export type RegisterResult =
  | { ok: true; target: SupportTarget }
  | { ok: false; reason: 'configured' | 'not_allowed'; message: string };

/** Where an event came from, when that is a support channel. */
export interface SupportSide {
  target: SupportTarget;
  /** The thread inside the support channel (Slack thread ts, Teams root post id). */
  threadId?: string;
}

export interface Registry {
  /** Where new cases go, or undefined when no support channel is set up. */
  current(): Promise<SupportTarget | undefined>;
  /** The support channel `event` came from, or undefined for a user's conversation. */
  sideOf(event: Pick<CoreEvent, 'channel' | 'conversation'>): Promise<SupportSide | undefined>;
  register(input: {
    platform: SupportPlatform;
    channelId: string;
    ref?: Record<string, unknown>;
    by: string;
  }): Promise<RegisterResult>;
}

export interface RegistryOptions {
  store: SupportChannelStore;
  settings: SupportSettings;
  /** Epoch ms. */
  now: () => number;
}

/** The channel the operator configured, if any. */
function configured(settings: SupportSettings): SupportTarget | undefined {
  if (settings.slackChannel) return { platform: 'slack', channelId: settings.slackChannel };
  const teams = settings.teamsChannel;
  if (!teams) return undefined;
  return {
    platform: 'teams',
    channelId: teams.conversationId,
    ref: {
      serviceUrl: teams.serviceUrl,
      conversation: {
        isGroup: true,
        conversationType: 'channel',
        ...(teams.tenantId ? { tenantId: teams.tenantId } : {}),
      },
    },
  };
}

/** The platform's channel (and thread) of an event's conversation. */
function locate(
  event: Pick<CoreEvent, 'channel' | 'conversation'>,
): { channelId: string; threadId?: string } | undefined {
  if (event.channel === 'slack') {
    const ref = refOf(event.conversation);
    return { channelId: ref.channel, ...(ref.threadTs ? { threadId: ref.threadTs } : {}) };
  }
  if (event.channel === 'teams') return splitTeamsConversation(event.conversation.id);
  return undefined;
}

export function createRegistry(options: RegistryOptions): Registry {
  const { store, settings } = options;
  const fixed = configured(settings);

  async function all(): Promise<SupportTarget[]> {
    const registered = (await store.list()).map(
      (c): SupportTarget => ({
        platform: c.platform,
        channelId: c.channelId,
        ...(c.ref ? { ref: c.ref } : {}),
      }),
    );
    return fixed ? [fixed, ...registered] : registered;
  }

  return {
    async current() {
      return (await all())[0];
    },
    async sideOf(event) {
      const at = locate(event);
      if (!at) return undefined;
      const target = (await all()).find((t) => t.platform === event.channel && t.channelId === at.channelId);
      return target ? { target, ...(at.threadId ? { threadId: at.threadId } : {}) } : undefined;
    },
    async register({ platform, channelId, ref, by }) {
      if (fixed) {
        const name = fixed.platform === 'slack' ? 'SUPPORT_SLACK_CHANNEL' : 'SUPPORT_TEAMS_CHANNEL';
        return {
          ok: false,
          reason: 'configured',
          message: `The support channel is set by the operator (${name}); ask them to change it there.`,
        };
      }
      if (settings.admins.length > 0 && !settings.admins.includes(by))
        return {
          ok: false,
          reason: 'not_allowed',
          message: 'Only the people listed in SUPPORT_ADMINS may choose the support channel.',
        };
      // The thread part of a Teams reference is where the command was typed, not where cases go.
      const stored = ref
        ? { ...ref, conversation: { ...(ref.conversation as object), id: channelId } }
        : undefined;
      await store.put({
        id: `${platform}:${channelId}`,
        platform,
        channelId,
        ...(stored ? { ref: stored } : {}),
        registeredBy: by,
        registeredAt: options.now(),
      });
      return { ok: true, target: { platform, channelId, ...(stored ? { ref: stored } : {}) } };
    },
  };
}
