/**
 * A minimal structured logger: one JSON object per line on a stream (stderr by default), which
 * is what container log collectors read. Modules take a Logger as a parameter; tests pass
 * `silentLogger` or a collecting one.
 */
import type { Writable } from 'node:stream';

export type LogFields = Record<string, unknown>;

export interface Logger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

/** Writes `{"time","level","msg",...fields}` lines; Error values become their message and stack. */
export function createLogger(stream: Writable, now: () => number = Date.now): Logger {
  const write = (level: string, msg: string, fields: LogFields = {}): void => {
    const plain: LogFields = {};
    for (const [key, value] of Object.entries(fields)) {
      plain[key] = value instanceof Error ? { message: value.message, stack: value.stack } : value;
    }
    stream.write(`${JSON.stringify({ time: new Date(now()).toISOString(), level, msg, ...plain })}\n`);
  };
  return {
    info: (msg, fields) => write('info', msg, fields),
    warn: (msg, fields) => write('warn', msg, fields),
    error: (msg, fields) => write('error', msg, fields),
  };
}

/** Discards everything (tests that do not look at logs). */
export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
