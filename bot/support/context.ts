/**
 * What the support relay's event handlers share: the stores, the case records, the registry and
 * the poster. The engine is not among them: the relay is a step of the engine's turn
 * (bot/core/pipeline.ts) and hands the core its events by answering the gate.
 */
import type { GateVerdict, StepAnswer } from '../core/pipeline.ts';
import type { InboundEvent, Session } from '../core/types.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../store/types.ts';
import type { Cases } from './cases.ts';
import type { Escalator } from './escalate.ts';
import type { Poster } from './poster.ts';
import type { Registry } from './registry.ts';
import type { SupportPerson } from './types.ts';

export interface SupportContext {
  /** No sessions: a turn's session is the engine's (Turn.session), read once per turn. */
  store: Pick<Store<Session>, 'audit' | 'dedupe'>;
  cases: Cases;
  registry: Registry;
  poster: Poster;
  escalator: Escalator;
  /** SUPPORT_ADMINS: who may register a support channel (empty: anyone). */
  admins: readonly string[];
  /** Epoch ms. */
  now(): number;
  log: Logger;
  /** Support-channel commands besides registering (the dashboard link): SupportOptions.commands. */
  commands?: SupportCommands;
}

/**
 * Answers a command addressed to the bot in a support channel: the text to post back in the same
 * place, or undefined when `text` is not a command (it then goes where a message would go).
 */
export type SupportCommands = (
  text: string,
  from: { platform: string; channelId: string; by: string },
) => string | undefined;

/** The gate's answer for an event the relay handled without the core. */
export const answer = (outcome: StepAnswer['outcome'], text?: string): GateVerdict => ({
  answer: { outcome, ...(text === undefined ? {} : { text }) },
});

/** How long relay dedupe keys live (Slack and Teams retry within the hour). */
export const RELAY_DEDUPE_MS = 6 * 60 * 60 * 1000;

/** The support person behind an event. */
export function personOf(event: InboundEvent): SupportPerson {
  return { id: event.actor.id, name: event.actor.name ?? event.actor.id };
}
