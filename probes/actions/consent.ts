/**
 * Consent on the device itself: the person at the computer answers y/N in the terminal before
 * any action runs. Without a terminal (stdin piped or redirected) nobody can answer, so the
 * answer is no: an action must never run because a script fed "y" into the agent.
 */
import { createInterface } from 'node:readline';

/** Asks one question; resolves true only for an explicit yes. */
export type AskConsent = (question: string, signal: AbortSignal) => Promise<boolean>;

export interface ConsentStreams {
  input: NodeJS.ReadableStream & { isTTY?: boolean };
  /** Where the question goes; the terminal itself echoes the answer (cooked mode). */
  output: { write(text: string): unknown };
}

export function isYes(answer: string): boolean {
  return /^\s*y(es)?\s*$/i.test(answer);
}

/** The y/N prompt on a terminal. No TTY: refuses, and says why on `output`. */
export function terminalConsent(streams: ConsentStreams): AskConsent {
  return (question, signal) => {
    if (!streams.input.isTTY) {
      streams.output.write(`${question} [y/N] no terminal to answer on: refused.\n`);
      return Promise.resolve(false);
    }
    streams.output.write(`${question} [y/N] `);
    const rl = createInterface({ input: streams.input, terminal: false });
    return new Promise<boolean>((resolve) => {
      let done = false;
      const settle = (answer: boolean, note?: string) => {
        if (done) return;
        done = true;
        signal.removeEventListener('abort', onAbort);
        rl.close();
        if (note) streams.output.write(note);
        resolve(answer);
      };
      // No answer before the job's deadline, or the terminal closed: a no.
      const onAbort = () => settle(false, '\nno answer in time: refused.\n');
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      rl.once('line', (line) => settle(isYes(line)));
      rl.once('close', () => settle(false));
    });
  };
}
