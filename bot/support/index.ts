/**
 * Issue 8's support relay, assembled: the engine's SupportPort (Escalate), the step of the
 * engine's turn that handles support's events (gate.ts), and the outbox worker that delivers to
 * support threads and back to users. It knows no platform: each channel carries its own case
 * threads (a SupportTransport, bot/ports/support-thread.ts) and recognises its own commands
 * (a `supportRegister` event). The composition root (bot/app.ts) calls `createSupport` once.
 */
import { realTimers, type Timers } from '../../probes/timers.ts';
import type { BotConfig } from '../config.ts';
import type { TurnStep } from '../core/pipeline.ts';
import type { ChannelPort, Session, SupportPort } from '../core/types.ts';
import type { Logger } from '../log.ts';
import type { PlaybookSet } from '../playbooks/types.ts';
import type { Store } from '../store/types.ts';
import { createCases } from './cases.ts';
import type { SupportCommands, SupportContext } from './context.ts';
import { createEscalator } from './escalate.ts';
import { supportStep } from './gate.ts';
import { createOutbox, type Deliverer, type Outbox } from './outbox.ts';
import { createPoster } from './poster.ts';
import { createRegistry, type Registry } from './registry.ts';
import type { RetryPolicy } from './retry.ts';
import type { SupportPlatform, SupportTransport } from './types.ts';

export interface SupportOptions {
  store: Store<Session>;
  config: Pick<BotConfig, 'support' | 'supportContactText'> & Partial<Pick<BotConfig, 'limits'>>;
  playbooks: PlaybookSet;
  /** The engine's port router: relayed replies and notices reach users through it. */
  port: ChannelPort;
  log: Logger;
  /** Default: real timers. Tests inject fake ones and move time. */
  timers?: Timers;
  /** In [0, 1), for backoff jitter. */
  random?: () => number;
  retry?: Partial<RetryPolicy>;
  /** Each platform's case threads, from its channel (slack.supportTransport(), teams.supportTransport()). */
  transports?: Partial<Record<SupportPlatform, SupportTransport>>;
  /** Commands support may address to the bot in its channel (the dashboard's sign-in link). */
  commands?: SupportCommands;
}

export interface Support {
  /** createEngine({ …, support: support.port }). */
  port: SupportPort;
  /** createEngine({ …, steps: [support.step, …] }): support's part of every turn. */
  step: TurnStep;
  /** Plugs in a platform's transport later (posts that waited for it, parked, go out). */
  useTransport(platform: SupportPlatform, transport: SupportTransport): Promise<void>;
  /** Tries parked posts again now (an operator's retry, or a periodic one). */
  retryParked(): Promise<void>;
  /** Starts delivering (and resumes what an earlier run left in the outbox). */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Resolves when no delivery is in progress (tests). */
  idle(): Promise<void>;
  /** What issue 18's incidents post through: this relay's outbox, support channels and transports. */
  relay: SupportRelay;
}

/** The parts of the relay another thread owner (bot/incidents) posts through. */
export interface SupportRelay {
  outbox: Outbox;
  registry: Registry;
  transport(platform: SupportPlatform): SupportTransport | undefined;
  /** Adds outbox topics and their deliverers (looked up when a message is delivered). */
  deliver(topic: string, deliverer: Deliverer): void;
  /** The case record of a session, when it was escalated (its thread gets the incident's link). */
  cases: ReturnType<typeof createCases>;
  poster: ReturnType<typeof createPoster>;
}

/**
 * Wiring, in the composition root:
 *   const support = createSupport({ store, config, playbooks, port: router, log, transports });
 *   const engine = createEngine({ …, support: support.port, steps: [support.step, …] });
 *   await support.start();             // and support.stop() at shutdown
 */
export function createSupport(options: SupportOptions): Support {
  const { store, config, log } = options;
  const timers = options.timers ?? realTimers;
  const transports: Partial<Record<SupportPlatform, SupportTransport>> = { ...options.transports };
  const cases = createCases(store.escalations, timers.now);
  const registry = createRegistry({
    store: store.supportChannels,
    settings: config.support,
    now: timers.now,
  });
  // The poster writes to the outbox and the outbox runs the poster's deliverers: bound late.
  let poster: ReturnType<typeof createPoster> | undefined;
  const deliverers: Record<string, Deliverer> = Object.fromEntries(
    ['thread.post', 'thread.update', 'user.notice', 'channel.notice'].map((topic) => [
      topic,
      (m: Parameters<Deliverer>[0]) => poster!.deliverers[topic](m),
    ]),
  );
  const outbox = createOutbox({
    store: store.outbox,
    ...(options.config.limits ? { maxMessages: options.config.limits.outboxMessages } : {}),
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
  const ctx: SupportContext = {
    store,
    cases,
    registry,
    poster,
    escalator,
    admins: config.support.admins,
    now: timers.now,
    log,
    ...(options.commands ? { commands: options.commands } : {}),
  };

  return {
    port: escalator.port,
    step: supportStep(ctx),
    async useTransport(platform, transport) {
      transports[platform] = transport;
      // Posts that waited for the transport go out now.
      await outbox.resume();
    },
    retryParked: () => outbox.resume(),
    start: () => outbox.start(),
    stop: () => outbox.stop(),
    idle: () => outbox.idle(),
    relay: {
      outbox,
      registry,
      transport: (platform) => transports[platform],
      deliver(topic, deliverer) {
        deliverers[topic] = deliverer;
      },
      cases,
      poster,
    },
  };
}
