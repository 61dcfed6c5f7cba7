/**
 * What the support relay's event handlers share: the stores, the case records, the registry,
 * the poster and the engine (late-bound: the engine takes the support port, the support relay
 * hands events to the engine).
 */
import type { Engine, HandleResult } from '../core/engine.ts';
import type { CoreEvent, Session } from '../core/types.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../store/types.ts';
import type { Cases } from './cases.ts';
import type { Escalator } from './escalate.ts';
import type { Poster } from './poster.ts';
import type { Registry } from './registry.ts';
import type { SupportPerson } from './types.ts';

export interface SupportContext {
  store: Pick<Store<Session>, 'sessions' | 'audit' | 'dedupe'>;
  cases: Cases;
  registry: Registry;
  poster: Poster;
  escalator: Escalator;
  engine(): Pick<Engine, 'handle'>;
  /** Epoch ms. */
  now(): number;
  log: Logger;
}

/** What the relay answers for an event it handled without the engine. */
export type RelayOutcome = 'relayed' | 'registered' | 'refused' | 'ignored' | 'handled';
export type GateResult = HandleResult | { outcome: RelayOutcome };

/** How long relay dedupe keys live (Slack and Teams retry within the hour). */
export const RELAY_DEDUPE_MS = 6 * 60 * 60 * 1000;

/** The support person behind an event. */
export function personOf(event: CoreEvent): SupportPerson {
  return { id: event.actor.id, name: event.actor.name ?? event.actor.id };
}
