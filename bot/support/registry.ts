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
import type { SupportSettings } from '../config.ts';
import { placeOf } from '../core/place.ts';
import type { InboundEvent } from '../core/types.ts';
import type { SupportChannelStore } from '../store/types.ts';
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
  sideOf(event: Pick<InboundEvent, 'channel' | 'conversation'>): Promise<SupportSide | undefined>;
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

/**
 * The channel the operator configured, if any. A configured Teams channel carries no reference:
 * the Teams transport reaches it with the configured service URL and tenant.
 */
function configured(settings: SupportSettings): SupportTarget | undefined {
  if (settings.slackChannel) return { platform: 'slack', channelId: settings.slackChannel };
  const teams = settings.teamsChannel;
  return teams ? { platform: 'teams', channelId: teams.conversationId } : undefined;
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
      const at = placeOf(event.conversation);
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
      // `ref`: where new threads go (the channel's own reference, from the channel adapter).
      await store.put({
        id: `${platform}:${channelId}`,
        platform,
        channelId,
        ...(ref ? { ref } : {}),
        registeredBy: by,
        registeredAt: options.now(),
      });
      return { ok: true, target: { platform, channelId, ...(ref ? { ref } : {}) } };
    },
  };
}
