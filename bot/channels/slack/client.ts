/**
 * The Web API clients and logger of the Slack channel and Bolt. Bolt's client (listeners,
 * auth.test, conversations.open) retries on its own and its request queue pauses for a 429's
 * Retry-After, so every call behind it waits too. The engine's replies use a second client made
 * with `retryConfig: {retries: 0}` and `rejectRateLimitedCalls`: bot/ports/bounded-port.ts
 * retries those, per conversation (channel.ts).
 */
import { type Logger as BoltLogger, LogLevel, webApi } from '@slack/bolt';
import type { SlackSettings } from '../../config.ts';
import type { Logger } from '../../log.ts';
import { DeliveryError } from '../../ports/support-thread.ts';

export type RetryOptions = webApi.RetryOptions;
export type WebClient = webApi.WebClient;

/**
 * After a 429 the client sleeps Retry-After, then this policy adds its own backoff; the
 * retries also cover a connection reset. Bounded: a conversation gives up within about a
 * minute rather than Bolt's default half hour, and the failure reaches the log.
 */
export const DEFAULT_RETRY: RetryOptions = {
  retries: 5,
  factor: 2,
  minTimeout: 500,
  maxTimeout: 30_000,
  randomize: true,
};

export interface ClientOptions {
  retryConfig?: RetryOptions;
  logger: BoltLogger;
  /** Per request (default 15 s). */
  timeoutMs?: number;
  /** Throw a 429 at once (with its Retry-After) instead of sleeping it out: the caller retries. */
  rejectRateLimitedCalls?: boolean;
}

/** The WebClient options for our settings, also handed to Bolt so its own client agrees. */
export function webClientOptions(settings: SlackSettings, options: ClientOptions): webApi.WebClientOptions {
  return {
    slackApiUrl: settings.apiUrl,
    retryConfig: options.retryConfig ?? DEFAULT_RETRY,
    rejectRateLimitedCalls: options.rejectRateLimitedCalls ?? false,
    timeout: options.timeoutMs ?? 15_000,
    logger: options.logger,
  };
}

export function createWebClient(settings: SlackSettings, options: ClientOptions): WebClient {
  return new webApi.WebClient(settings.botToken, webClientOptions(settings, options));
}

function line(parts: unknown[]): string {
  return parts
    .map((p) => (p instanceof Error ? p.message : typeof p === 'string' ? p : JSON.stringify(p)))
    .join(' ');
}

/** Bolt's and the WebClient's log lines, into our structured log (debug dropped). */
export function boltLogger(logger: Logger): BoltLogger {
  let level = LogLevel.INFO;
  return {
    debug() {},
    info: (...parts: unknown[]) => logger.info(`slack: ${line(parts)}`),
    warn: (...parts: unknown[]) => logger.warn(`slack: ${line(parts)}`),
    error: (...parts: unknown[]) => logger.error(`slack: ${line(parts)}`),
    setLevel(next: LogLevel) {
      level = next;
    },
    getLevel: () => level,
    setName() {},
  };
}

/** A Web API error's Slack error code (`invalid_auth`, `channel_not_found`), if it is one. */
export function platformError(error: unknown): string | undefined {
  const e = error as { code?: string; data?: { error?: string } };
  return e?.code === 'slack_webapi_platform_error' ? e.data?.error : undefined;
}

/**
 * A WebClient error as the retry policy reads it (bot/support/retry.ts): a 429 with its
 * Retry-After, or a platform error (`channel_not_found`: permanent). Undefined for the rest (an
 * HTTP status, no answer at all), which the policy's own reading covers.
 */
export function slackFailure(error: unknown): DeliveryError | undefined {
  const e = error as { code?: string; retryAfter?: unknown; statusCode?: unknown; message?: string };
  if (e?.code === 'slack_webapi_rate_limited_error' && typeof e.retryAfter === 'number')
    return new DeliveryError(e.message ?? 'slack: rate limited', {
      status: 429,
      retryAfterMs: e.retryAfter * 1000,
    });
  if (platformError(error) !== undefined)
    return new DeliveryError(e.message ?? 'slack: platform error', { status: 400, permanent: true });
  return undefined;
}
