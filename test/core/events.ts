/**
 * Core events for the pure-transition tests: a Teams conversation `c1`, the user Amira and the
 * paired agent, each event with a fresh id (`prefix` keeps ids of different files apart).
 */
import type { CoreEvent } from '../../bot/core/types.ts';

export const NOW = '2026-11-27T10:00:00.000Z';
export const USER = { id: 'u1', name: 'Amira', role: 'user' as const };
export const AGENT = { id: 'agent-7', role: 'agent' as const };

/** A maker of events: `ev({ kind: 'message', text })`, by the user unless another actor is given. */
export function eventMaker(
  prefix: string,
): (body: Record<string, unknown>, actor?: CoreEvent['actor']) => CoreEvent {
  let n = 0;
  return (body, actor = USER) =>
    ({
      id: `${prefix}${++n}`,
      conversationKey: 'teams:c1',
      channel: 'teams',
      conversation: { id: 'c1' },
      actor,
      at: NOW,
      ...body,
    }) as CoreEvent;
}
