/**
 * The Teams bot: an ActivityHandler that turns activities into core events and hands them to the
 * core inside a turn scope (so the port replies through this turn). Action.Execute invokes are
 * answered with the updated card, as the Universal Actions invoke response.
 */
import {
  ActivityHandler,
  type AdaptiveCardInvokeResponse,
  type InvokeResponse,
  type TurnContext,
} from 'botbuilder';
import { noticeText } from '../../core/notices.ts';
import type { CoreEvent, InboundEvent } from '../../core/types.ts';
import { type InvokeCapture, withTurn } from './port.ts';
import { ADAPTIVE_CARD_TYPE, noticeActivity } from './render.ts';
import { ADAPTIVE_CARD_ACTION, invokeEvent, messageEvent, TeamsInputError } from './translate.ts';

/** What the Teams adapter needs of the core: one entry point for every event. */
export interface CoreHandler {
  handle(event: InboundEvent): Promise<unknown>;
}

const MESSAGE_TYPE = 'application/vnd.microsoft.activity.message';
const ERROR_TYPE = 'application/vnd.microsoft.error';

/** Said when a message could not be read; never silence (issue 5). */
const UNREADABLE =
  'I could not read that button press; it may come from an old card. Type what Teams shows, ' +
  'for example "Teams says CAA20004", and I will start again from there.';

const WELCOME =
  'Hi! I help when Teams will not sign in (for example error CAA20004). Tell me what Teams shows, ' +
  'or just describe what happens.';

/**
 * Outcomes of a click that did something although this invoke got no card: the core applied it
 * to another conversation's card (a support thread's Take case, Resolve or Re-run moves the
 * user's session), or the support relay handled it (its case card is updated through the
 * support outbox, after the invoke).
 */
const DONE_ELSEWHERE: ReadonlySet<unknown> = new Set(['applied', 'handled']);

/** The answer for a click that did something whose card update arrives separately. */
export const DONE_TEXT = 'Done.';

/**
 * The Universal Actions invoke response for what the core produced during the invoke. `result`
 * is what the core handler returned (its `outcome` tells a click that did something from a replay).
 */
export function invokeAnswer(capture: InvokeCapture, result?: unknown): AdaptiveCardInvokeResponse {
  if (capture.card) return { statusCode: 200, type: ADAPTIVE_CARD_TYPE, value: capture.card };
  // No new card: the notices for the clicker alone; a neutral "Done." when the click moved
  // something whose card changes separately; else the click changed nothing (a replay).
  const outcome = (result as { outcome?: unknown } | undefined)?.outcome;
  const text =
    capture.notices.length > 0
      ? capture.notices.map(noticeText).join('\n\n')
      : DONE_ELSEWHERE.has(outcome)
        ? DONE_TEXT
        : 'Got it: this card is already up to date.';
  // The message type's value is a string, which botbuilder's type does not foresee.
  return { statusCode: 200, type: MESSAGE_TYPE, value: text as unknown as Record<string, unknown> };
}

export class TeamsBot extends ActivityHandler {
  readonly #core: CoreHandler;

  constructor(core: CoreHandler) {
    super();
    this.#core = core;
    this.onMembersAdded(async (context, next) => {
      const botId = context.activity.recipient?.id;
      const personal = context.activity.conversation?.conversationType === 'personal';
      if (personal && context.activity.membersAdded?.some((m) => m.id === botId))
        await context.sendActivity(WELCOME);
      await next();
    });
  }

  /**
   * Messages go straight to the core: overriding this (botbuilder's extension point) instead of
   * registering an onMessage handler skips two rounds of handler dispatch per turn.
   */
  protected override async onMessageActivity(context: TurnContext): Promise<void> {
    let event: CoreEvent | undefined;
    try {
      event = messageEvent(context.activity);
    } catch (error) {
      if (!(error instanceof TeamsInputError)) throw error;
      await context.sendActivity(UNREADABLE);
      return;
    }
    if (event === undefined) return;
    await withTurn(context, undefined, () => this.#core.handle(event));
  }

  protected override async onInvokeActivity(context: TurnContext): Promise<InvokeResponse> {
    if (context.activity.name !== ADAPTIVE_CARD_ACTION) return super.onInvokeActivity(context);
    let event: CoreEvent;
    try {
      event = invokeEvent(context.activity);
    } catch (error) {
      if (!(error instanceof TeamsInputError)) throw error;
      const body = { statusCode: 400, type: ERROR_TYPE, value: { code: error.code, message: error.message } };
      return { status: 400, body };
    }
    const capture: InvokeCapture = { cardActivityId: context.activity.replyToId, notices: [] };
    const result = await withTurn(context, capture, () => this.#core.handle(event));
    // With a new card, the turn's notices (e.g. "no agent needed: …") are for everyone.
    if (capture.card)
      for (const notice of capture.notices) await context.sendActivity(noticeActivity(notice));
    const body = invokeAnswer(capture, result);
    return { status: body.statusCode, body };
  }
}
