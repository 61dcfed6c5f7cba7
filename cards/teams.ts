/**
 * Teams: Adaptive Card 1.5. With Universal Actions every bot-bound button is an Action.Execute
 * (the card is replaced in place by the invoke response) carrying an Action.Submit fallback; the
 * fallback variant (universalActions: false) uses Action.Submit only, with the same data.
 */
import type { Ac } from './teams/elements.ts';
import { renderAdaptive } from './teams/render.ts';
import type { View } from './views.ts';

export interface TeamsRenderOptions {
  universalActions: boolean;
  /** Users whose clients refresh the card automatically (Universal Actions only; at most 60). */
  refreshUserIds?: readonly string[];
}

export function renderTeams(view: View, options: TeamsRenderOptions): Ac {
  return renderAdaptive(view, {
    mode: options.universalActions ? 'execute' : 'submit',
    refreshUserIds: options.universalActions ? options.refreshUserIds : undefined,
  });
}

/** A Bot Framework attachment for a rendered card. */
export function adaptiveAttachment(card: Ac): { contentType: string; content: Ac } {
  return { contentType: 'application/vnd.microsoft.card.adaptive', content: card };
}
