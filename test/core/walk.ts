/**
 * A conversation through the pure core (transition), keeping every view it showed and pressing
 * the buttons the cards really show: the walks of issue 14's tests.
 */
import { newSession } from '../../bot/core/session.ts';
import { transition } from '../../bot/core/transition.ts';
import type { CoreEvent, OutboundView, Session, TransitionDeps, View } from '../../bot/core/types.ts';
import { buttonsFor } from '../../cards/actions.ts';
import type { OsName } from '../../cards/views.ts';
import { PLAYBOOKS } from './fake-channel.ts';

export const NOW = '2026-11-27T10:00:00.000Z';
export const deps: TransitionDeps = { playbooks: PLAYBOOKS, now: NOW };
export const OSES: OsName[] = ['windows', 'macos', 'linux'];
let n = 0;
/** A core event of conversation webchat:c1, from Amira unless `body` says otherwise. */
export const ev = (body: Record<string, unknown>): CoreEvent =>
  ({
    id: `e${++n}`,
    conversationKey: 'webchat:c1',
    channel: 'webchat',
    conversation: { id: 'c1' },
    actor: { id: 'u1', name: 'Amira', role: 'user' },
    at: NOW,
    ...body,
  }) as CoreEvent;

/** A conversation through the pure core, keeping every view it showed. */
export class Walk {
  session: Session = newSession('s1', ev({ kind: 'message', text: '' }), NOW);
  readonly views: OutboundView[] = [];
  #apply(event: CoreEvent): void {
    const r = transition(this.session, event, deps);
    this.session = r.session;
    for (const e of r.effects) if (e.type === 'send' || e.type === 'update') this.views.push(e.view);
  }
  /** The latest card (not a notice). */
  card(): View | undefined {
    return this.views.findLast((v): v is View => v.screen !== 'notice');
  }
  say(text: string): this {
    this.#apply(ev({ kind: 'message', text }));
    return this;
  }
  /** Clicks the button labelled `label` on the latest card, if it shows one. */
  press(label: string): boolean {
    const card = this.views.findLast((v): v is View => v.screen !== 'notice');
    const button = card ? buttonsFor(card).find((b) => b.label === label) : undefined;
    if (!button) return false;
    const { verb, ...data } = button.data;
    this.#apply(ev({ kind: 'action', verb, data }));
    return true;
  }
  /** Walks the plan: "Show me the fix", then each step's main buttons, down to the last step. */
  walkSteps(): this {
    this.press('Show me the fix');
    for (let i = 0; i < 40 && this.session.state === 'step'; i++) {
      this.press('Text for my IT admin');
      if (!this.press('Skip') && !this.press('Next step')) break;
    }
    this.press('Escalate');
    return this;
  }
}
