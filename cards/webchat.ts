/**
 * Web chat (Bot Framework Web Chat over Direct Line): Adaptive Card 1.5 with Action.Submit only,
 * because Web Chat does not implement Action.Execute. An updated card replaces the old one when
 * the Direct Line server re-emits the activity under the same id.
 */
import type { Ac } from './teams/elements.ts';
import { renderAdaptive } from './teams/render.ts';
import type { View } from './views.ts';

export function renderWebChat(view: View): Ac {
  return renderAdaptive(view, { mode: 'submit' });
}
