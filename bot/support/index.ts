/**
 * Issue 8's support relay, assembled: the engine's SupportPort (Escalate), the gate every
 * channel hands its events to, channel registration, the Slack front, and the outbox worker that
 * delivers to support threads and back to users. See README-style wiring in `createSupport`'s
 * TSDoc; the composition root (bot/app.ts) calls it once.
 */
import { realTimers, type Timers } from '../../probes/timers.ts';
import type { SlackChannel } from '../channels/slack/channel.ts';
import type { BotConfig } from '../config.ts';
import type { Engine } from '../core/engine.ts';
import type { ChannelPort, CoreEvent, Session, SupportPort } from '../core/types.ts';
import type { Logger } from '../log.ts';
import type { PlaybookSet } from '../playbooks/types.ts';
import type { Store } from '../store/types.ts';
import { createCases } from './cases.ts';
import type { GateResult, SupportContext } from './context.ts';
import { createEscalator } from './escalate.ts';
import { gate } from './gate.ts';
import { createOutbox, type Deliverer } from './outbox.ts';
import { createPoster } from './poster.ts';
import { registerChannel } from './register.ts';
import { createRegistry, type RegisterResult } from './registry.ts';
import type { RetryPolicy } from './retry.ts';
import { wrapSlackChannel } from './slack-front.ts';
import { createSlackTransport } from './slack-transport.ts';
import { createTeamsTransport, splitTeamsConversation, type TeamsProactive } from './teams.ts';
import type { SupportPlatform, SupportTransport } from './types.ts';

export type { TeamsProactive } from './teams.ts';

export interface SupportOptions {
  store: Store<Session>;
  config: Pick<BotConfig, 'support' | 'supportContactText' | 'slack'>;
  playbooks: PlaybookSet;
  /** The engine's port router: relayed replies and notices reach users through it. */
  port: ChannelPort;
  log: Logger;
  /** Default: real timers. Tests inject fake ones and move time. */
  timers?: Timers;
  /** In [0, 1), for backoff jitter. */
  random?: () => number;
  retry?: Partial<RetryPolicy>;
  /** The Teams channel's proactive sends (helper G3); may also be given later with `useTeams`. */
  teams?: TeamsProactive;
  /** Replace a platform's transport (tests). Default: Slack from config.slack, Teams from `teams`. */
  transports?: Partial<Record<SupportPlatform, SupportTransport>>;
}

export interface Support {
  /** createEngine({ …, support: support.port }). */
  port: SupportPort;
  /** The entry point for every channel and the agent gateway, in place of engine.handle. */
  handle(event: CoreEvent): Promise<GateResult>;
  /** Binds the engine (it needs `port` first, so it comes second). */
  attach(engine: Pick<Engine, 'handle'>): void;
  /**
   * The Slack channel with `/reconnect support-here` and support thread replies taken care of.
   * `now`: the clock Slack signatures are checked against (the Slack channel's; default Date.now).
   */
  wrapSlack(channel: SlackChannel, options?: { now?: () => number }): SlackChannel;
  /** For the Teams adapter: make the channel of this conversation reference the support channel. */
  registerTeamsSupport(ref: Record<string, unknown>, by: string): Promise<RegisterResult>;
  registerSlackSupport(channelId: string, by: string): Promise<RegisterResult>;
  /** Plugs in the Teams proactive sender once the Teams channel offers one (parked posts go out). */
  useTeams(proactive: TeamsProactive): Promise<void>;
  /** Tries parked posts again now (an operator's retry, or a periodic one). */
  retryParked(): Promise<void>;
  /** Starts delivering (and resumes what an earlier run left in the outbox). */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Resolves when no delivery is in progress (tests). */
  idle(): Promise<void>;
}

/**
 * Wiring, in the composition root:
 *   const support = createSupport({ store, config, playbooks, port: router, log });
 *   const engine = createEngine({ …, support: support.port });
 *   support.attach(engine);            // channels and the agent gateway call support.handle
 *   routes.push(slackRoutes(support.wrapSlack(slack)));
 *   await support.start();             // and support.stop() at shutdown
 */
export function createSupport(options: SupportOptions): Support {
  const { store, config, log } = options;
  const timers = options.timers ?? realTimers;
  const transports: Partial<Record<SupportPlatform, SupportTransport>> = {
    ...(config.slack
      ? {
          slack: createSlackTransport({
            botToken: config.slack.botToken,
            apiUrl: config.slack.apiUrl,
            now: timers.now,
          }),
        }
      : {}),
    ...(options.teams ? { teams: createTeamsTransport(options.teams) } : {}),
    ...options.transports,
  };
  const cases = createCases(store.escalations, timers.now);
  const registry = createRegistry({
    store: store.supportChannels,
    settings: config.support,
    now: timers.now,
  });
  // The poster writes to the outbox and the outbox runs the poster's deliverers: bound late.
  let poster: ReturnType<typeof createPoster> | undefined;
  const deliverers = Object.fromEntries(
    ['thread.post', 'thread.update', 'user.notice', 'channel.notice'].map((topic) => [
      topic,
      (m: Parameters<Deliverer>[0]) => poster!.deliverers[topic](m),
    ]),
  );
  const outbox = createOutbox({
    store: store.outbox,
    timers,
    log,
    ...(options.random ? { random: options.random } : {}),
    ...(options.retry ? { policy: options.retry } : {}),
    deliverers,
    onGiveUp: async (message, outcome, error) => {
      const payload = message.payload as { caseId?: string; sessionId?: string };
      await store.audit.append({
        sessionId: payload.caseId ?? payload.sessionId ?? 'support',
        kind: `outbox_${outcome}`,
        actor: 'bot',
        data: { key: message.key, topic: message.topic, error },
      });
    },
  });
  poster = createPoster({
    cases,
    outbox,
    sessions: store.sessions,
    playbooks: options.playbooks,
    port: options.port,
    transports: () => transports,
  });
  const escalator = createEscalator({
    cases,
    registry,
    poster,
    playbooks: options.playbooks,
    sessions: store.sessions,
    audit: store.audit,
    redaction: config.support.redaction,
    contactText: config.supportContactText,
  });
  let engine: Pick<Engine, 'handle'> | undefined;
  const ctx: SupportContext = {
    store,
    cases,
    registry,
    poster,
    escalator,
    now: timers.now,
    log,
    engine() {
      if (!engine) throw new Error('support: an event arrived before support.attach(engine)');
      return engine;
    },
  };

  return {
    port: escalator.port,
    handle: (event) => gate(ctx, event),
    attach(e) {
      engine = e;
    },
    wrapSlack(channel, slackOptions = {}) {
      if (!config.slack?.signingSecret) return channel;
      return wrapSlackChannel(channel, {
        signingSecret: config.slack.signingSecret,
        log,
        dedupe: store.dedupe,
        ...(slackOptions.now ? { now: slackOptions.now } : {}),
        isSupportChannel: async (channelId) =>
          (await registry.sideOf({ channel: 'slack', conversation: { id: channelId } })) !== undefined,
        register: (channelId, by) => registerChannel(ctx, { platform: 'slack', channelId, by }),
        handle: (event) => gate(ctx, event),
      });
    },
    registerTeamsSupport(ref, by) {
      const conversation = (ref.conversation ?? {}) as { id?: unknown };
      if (typeof conversation.id !== 'string')
        throw new Error(
          "registerTeamsSupport: the reference has no conversation.id (expected a Teams channel's 19:…@thread.tacv2)",
        );
      const { channelId, threadId } = splitTeamsConversation(conversation.id);
      return registerChannel(ctx, {
        platform: 'teams',
        channelId,
        ref,
        by,
        confirmIn: { ...(threadId ? { threadId } : {}), key: `register:teams:${channelId}:${timers.now()}` },
      });
    },
    registerSlackSupport: (channelId, by) => registerChannel(ctx, { platform: 'slack', channelId, by }),
    async useTeams(proactive) {
      transports.teams = createTeamsTransport(proactive);
      // Posts to a Teams channel that waited for the transport go out now.
      await outbox.resume();
    },
    retryParked: () => outbox.resume(),
    start: () => outbox.start(),
    stop: () => outbox.stop(),
    idle: () => outbox.idle(),
  };
}
