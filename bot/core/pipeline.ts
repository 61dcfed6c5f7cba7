/**
 * The steps the engine's turn runs besides its own (issue 11): the support relay in front of the
 * core, the agent gateway's lifecycle after it, and whatever comes next (metrics, a replica's
 * lock) as one more entry in the same list. The core defines these shapes; bot/support and
 * bot/agents implement them, so the core imports neither (nor any channel SDK).
 *
 * The order of a turn is the engine's (engine.ts `runTurn`): load the session once → every
 * step's `gate` → authorise → transition → commit → deliver → the `after` callbacks the gates
 * asked for → every step's `after`. A step never loads the session itself: it gets the turn's.
 */
import type { HandleResult } from './engine.ts';
import type { CoreEvent, InboundEvent, Session } from './types.ts';

/** What a step answers for an event it dealt with itself (the core did not run). */
export type StepOutcome = 'relayed' | 'registered' | 'refused' | 'ignored' | 'handled';

export interface StepAnswer {
  outcome: StepOutcome;
  /** A command's answer for the channel to show in place (a Slack slash command's ephemeral reply). */
  text?: string;
}

/** One event's way through the engine, as the steps see it. */
export interface Turn {
  /** The event as the channel (or the agent gateway) handed it in. */
  readonly arrived: InboundEvent;
  /** What the core will run: the arrived event, or what an earlier gate put in its place. */
  readonly event: InboundEvent;
  /** The session, read once at the start of the turn; undefined for a new conversation (or none). */
  readonly session: Session | undefined;
}

/** After the core's part of the turn; may name the core's next event (a follow-up turn, e.g. an escalation). */
export type AfterCore = (result: HandleResult) => Promise<CoreEvent | undefined>;

export type GateVerdict =
  /** The turn ends here: the core does not run. */
  | { answer: StepAnswer }
  /** The core runs, on `event` when given (instead of the turn's); `after` once its effects are delivered. */
  | { event?: CoreEvent; after?: AfterCore };

export interface TurnStep {
  /** Before authorisation, in list order; the first answer ends the turn. Not run for follow-up events. */
  gate?(turn: Turn): Promise<GateVerdict | undefined>;
  /** After every turn, whatever ended it; best effort (the turn has happened): log, do not throw. */
  after?(turn: Turn, result: HandleResult): Promise<void>;
}
