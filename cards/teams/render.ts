/**
 * View → Adaptive Card 1.5, by expanding the screen's template (templates/*.json, editable in
 * the Adaptive Cards Designer) with adaptivecards-templating. Shared by Teams (Action.Execute, or
 * the Action.Submit fallback variant) and the web chat (Action.Submit only).
 */
import { Template } from 'adaptivecards-templating';
import { ADAPTIVE, type Budget, CONTENT, TIGHT } from '../limits.ts';
import { summaryLine } from '../summary.ts';
import type { Screen, View } from '../views.ts';
import { templateData } from './data.ts';
import { type Ac, type ActionMode, acSafe, textBlock } from './elements.ts';
import escalated from './templates/escalated.json' with { type: 'json' };
import escalation from './templates/escalation.json' with { type: 'json' };
import findings from './templates/findings.json' with { type: 'json' };
import handoff from './templates/handoff.json' with { type: 'json' };
import intake from './templates/intake.json' with { type: 'json' };
import pairing from './templates/pairing.json' with { type: 'json' };
import progress from './templates/progress.json' with { type: 'json' };
import resolved from './templates/resolved.json' with { type: 'json' };
import step from './templates/step.json' with { type: 'json' };

const TEMPLATES: Readonly<Record<Screen, object>> = {
  intake,
  pairing,
  progress,
  findings,
  step,
  resolved,
  handoff,
  escalated,
  escalation,
};

export interface AdaptiveOptions {
  mode: ActionMode;
  /**
   * Teams only: add a `refresh` so the listed users' clients fetch a current card (Universal
   * Actions refresh model). At most 60 user MRIs are honoured; more are cut.
   */
  refreshUserIds?: readonly string[];
}

/**
 * Last resort when content budgets were not enough: the title, the one-line summary and the
 * actions, so the card still works instead of being refused by the service.
 */
function compact(card: Ac, view: View): Ac {
  const body = card.body as Ac[];
  return {
    ...card,
    body: [
      body[0],
      textBlock(acSafe(summaryLine(view))),
      textBlock('Some details did not fit on this card.', { isSubtle: true }),
    ],
  };
}

/**
 * Parsed templates, one per screen. Building a Template costs ~1.7 ms and expanding one
 * ~0.2 ms, and a bot turn renders a card or two: keep them (expand does not change them).
 */
const parsed = new Map<View['screen'], Template>();

/**
 * Expand the screen's template into a complete Adaptive Card 1.5. Pure: same view, same card.
 * Rendered with the TIGHT budget when the full one would pass the size budget; compact() after that.
 */
export function renderAdaptive(view: View, options: AdaptiveOptions): Ac {
  let template = parsed.get(view.screen);
  if (!template) {
    template = new Template(TEMPLATES[view.screen]);
    parsed.set(view.screen, template);
  }
  const expand = (budget: Budget) =>
    template.expand({ $root: templateData(view, options.mode, budget) }) as Ac;
  // Measured once per card that changed (serialising a card costs as much as a third of expanding it).
  const tooBig = (c: Ac) => JSON.stringify(c).length > ADAPTIVE.maxCardChars;
  let card = expand(CONTENT);
  let big = tooBig(card);
  if (big) {
    card = expand(TIGHT);
    big = tooBig(card);
  }
  if (options.mode === 'execute' && options.refreshUserIds && options.refreshUserIds.length > 0) {
    const data = { verb: 'card.refresh', sessionId: view.sessionId, version: view.version };
    card.refresh = {
      action: { type: 'Action.Execute', verb: data.verb, data },
      userIds: options.refreshUserIds.slice(0, ADAPTIVE.refreshUserIds),
    };
    big = tooBig(card);
  }
  if (big) card = compact(card, view);
  return card;
}
