/**
 * The one table of endpoint purposes (CONTRACTS.md `purpose`). Validation derives the accepted
 * names from its keys, so a new purpose is added here and nowhere else; `satisfies` keeps it in
 * step with the `Purpose` type.
 */
import type { Purpose } from '../types.ts';

export interface PurposeRule {
  /** Whether an endpoint of this purpose must carry `path` (websocket) or must not. */
  path: 'required' | 'forbidden';
  /** What the purpose means, for people reading errors and reports. */
  description: string;
}

export const PURPOSES = {
  auth: { path: 'forbidden', description: 'sign-in (Microsoft Entra ID)' },
  service: { path: 'forbidden', description: 'the Teams service itself' },
  websocket: { path: 'required', description: 'real-time push, probed with a WebSocket upgrade at `path`' },
} as const satisfies Record<Purpose, PurposeRule>;

export const PURPOSE_NAMES = Object.keys(PURPOSES) as Purpose[];

export function isPurpose(value: unknown): value is Purpose {
  return typeof value === 'string' && Object.hasOwn(PURPOSES, value);
}
