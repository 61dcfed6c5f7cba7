/**
 * The structured logger: one JSON object per line on a stream (stderr by default), which is what
 * container log collectors read, written by pino. Modules take a Logger as a parameter; tests
 * pass `silentLogger` or a collecting one.
 *
 * Each line is `{"level","time","msg",...fields,...ids}`: the correlation ids of the running turn,
 * case and agent job (bot/log-context.ts) are added unless the call site gave them. Secrets and
 * what people typed never reach the stream: fields named like credentials or message text are
 * replaced by "[redacted]", and bearer tokens, Slack tokens and Direct Line secrets are cut out
 * of strings (log-scrub.ts).
 */
import type { Writable } from 'node:stream';
import pino from 'pino';
import { currentLogContext } from './log-context.ts';
import { scrubFields, scrubText } from './log-scrub.ts';

export type LogFields = Record<string, unknown>;

export interface Logger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

/** Writes one JSON line per call; Error values become their message and stack. */
export function createLogger(stream: Writable, now: () => number = Date.now): Logger {
  const logger = pino(
    {
      base: undefined,
      timestamp: () => `,"time":"${new Date(now()).toISOString()}"`,
      formatters: { level: (label) => ({ level: label }) },
    },
    stream,
  );
  const write = (level: 'info' | 'warn' | 'error', msg: string, fields: LogFields = {}): void => {
    const line: LogFields = { msg: scrubText(msg), ...scrubFields(fields) };
    const ids = currentLogContext();
    if (ids) for (const [key, value] of Object.entries(ids)) if (!(key in line)) line[key] = value;
    logger[level](line);
  };
  return {
    info: (msg, fields) => write('info', msg, fields),
    warn: (msg, fields) => write('warn', msg, fields),
    error: (msg, fields) => write('error', msg, fields),
  };
}

/** Discards everything (tests that do not look at logs). */
export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
