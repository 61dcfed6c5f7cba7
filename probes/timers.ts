/**
 * The clock and timers that long-lived parts take as an option (the agent's link, the bot's
 * gateway, job and progress tracking, the support outbox), so tests move time instead of
 * waiting for it. It lives in probes/ because the agent needs it and the bot may import
 * probes, never the reverse.
 */
export interface Timers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Node's wall clock and timers. */
export const realTimers: Timers = {
  now: Date.now,
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};
