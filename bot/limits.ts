/**
 * Every limit the bot enforces on what the internet sends it, named in one place (issue 16).
 * Each has a setting an operator may tune (environment or RECONNECT_CONFIG file, read by
 * bot/config.ts through `readLimits`), a default, and the answer a client gets past it. The
 * README's limits table is this table; a test holds each limit at its value and one past it.
 *
 * Why these defaults: Bot Framework and Slack payloads are far below them; a pasted command
 * output (nslookup, certutil) stays under the turn text limit; the timeouts let a phone on a
 * slow cellular link finish while a client trickling bytes is cut off in seconds.
 */
import { limitHit } from './limit-hits.ts';

/** The limits, by the name code uses. */
export interface Limits {
  /** Request body, decoded (after gzip), for routes not named below. 413. */
  bodyBytes: number;
  /** Request body of an activity: Direct Line posts and Teams' /api/messages. 413. */
  activityBodyBytes: number;
  /** Request body of Slack's events, interactions and commands. 413. */
  slackBodyBytes: number;
  /** Nesting of arrays and objects in a JSON body. 400. */
  jsonDepth: number;
  /** The request line and headers, in bytes (Node's maxHeaderSize). 431. */
  headerBytes: number;
  /** Header fields in a request. 431. */
  headerCount: number;
  /** Time from a connection's first byte to the end of its headers. 408. */
  headersTimeoutMs: number;
  /** Time for a whole request, headers and body. 408. */
  requestTimeoutMs: number;
  /** Silence while a body is being read. 408. */
  bodyIdleMs: number;
  /**
   * Open connections from one address. 429 with Retry-After. Generous: Teams and Slack deliver
   * from few addresses, and behind a reverse proxy every connection comes from the proxy.
   */
  connectionsPerAddress: number;
  /** Open Direct Line streams (WebSockets) from one address. 429 with Retry-After. */
  streamsPerAddress: number;
  /** One WebSocket message from an agent. Close 1009. */
  agentMessageBytes: number;
  /** Messages an agent may send per second, sustained (a burst of twice as many). Close 1008. */
  agentMessagesPerSec: number;
  /** Jobs dispatched and not yet finished, per session. The next job is refused (the chat is told). */
  pendingJobsPerSession: number;
  /**
   * Characters of text in one chat turn. 413 on Direct Line; Teams and Slack (which must hear 200)
   * hand the core the first this many characters (clampTurnText).
   */
  turnTextChars: number;
  /** Serialized activities one Direct Line conversation keeps. 413. */
  conversationBytes: number;
  /**
   * Support messages waiting in the outbox (pending and parked), while Slack or Teams cannot take
   * them. Past it a new message is refused (OutboxFullError): the turn's delivery records the
   * failure, the log says so and the metric counts it; nothing already queued is dropped.
   */
  outboxMessages: number;
  /**
   * One try of a reply to Teams or Slack (a post, a card update) that gets no answer: cut, and the
   * turn records `delivery_failed` (bot/ports/bounded-port.ts). Other conversations never wait on it.
   */
  replyTimeoutMs: number;
}

interface LimitSpec {
  setting: string;
  default: number;
  /** The smallest value that still lets the bot work. */
  min: number;
}

const KIB = 1024;
const MIB = 1024 * KIB;

/** Settings, defaults and minimums; the order is the README table's. */
export const LIMIT_SPECS = {
  bodyBytes: { setting: 'LIMIT_BODY_BYTES', default: 64 * KIB, min: 1 * KIB },
  activityBodyBytes: { setting: 'LIMIT_ACTIVITY_BODY_BYTES', default: 256 * KIB, min: 4 * KIB },
  slackBodyBytes: { setting: 'LIMIT_SLACK_BODY_BYTES', default: 1 * MIB, min: 4 * KIB },
  jsonDepth: { setting: 'LIMIT_JSON_DEPTH', default: 64, min: 8 },
  headerBytes: { setting: 'LIMIT_HEADER_BYTES', default: 16 * KIB, min: 4 * KIB },
  headerCount: { setting: 'LIMIT_HEADER_COUNT', default: 100, min: 16 },
  headersTimeoutMs: { setting: 'LIMIT_HEADERS_TIMEOUT_MS', default: 10_000, min: 10 },
  requestTimeoutMs: { setting: 'LIMIT_REQUEST_TIMEOUT_MS', default: 30_000, min: 10 },
  bodyIdleMs: { setting: 'LIMIT_BODY_IDLE_MS', default: 5_000, min: 10 },
  connectionsPerAddress: { setting: 'LIMIT_CONNECTIONS_PER_ADDRESS', default: 256, min: 2 },
  streamsPerAddress: { setting: 'LIMIT_STREAMS_PER_ADDRESS', default: 16, min: 1 },
  agentMessageBytes: { setting: 'LIMIT_AGENT_MESSAGE_BYTES', default: 4 * MIB, min: 64 * KIB },
  agentMessagesPerSec: { setting: 'LIMIT_AGENT_MESSAGES_PER_SEC', default: 50, min: 1 },
  pendingJobsPerSession: { setting: 'LIMIT_PENDING_JOBS_PER_SESSION', default: 8, min: 1 },
  turnTextChars: { setting: 'LIMIT_TURN_TEXT_CHARS', default: 20_000, min: 500 },
  conversationBytes: { setting: 'LIMIT_CONVERSATION_BYTES', default: 8 * MIB, min: 256 * KIB },
  outboxMessages: { setting: 'LIMIT_OUTBOX_MESSAGES', default: 10_000, min: 10 },
  replyTimeoutMs: { setting: 'LIMIT_REPLY_TIMEOUT_MS', default: 15_000, min: 100 },
} as const satisfies Record<keyof Limits, LimitSpec>;

/** The setting names, for bot/config.ts's list of accepted settings. */
export const LIMIT_SETTING_NAMES = [
  'LIMIT_BODY_BYTES',
  'LIMIT_ACTIVITY_BODY_BYTES',
  'LIMIT_SLACK_BODY_BYTES',
  'LIMIT_JSON_DEPTH',
  'LIMIT_HEADER_BYTES',
  'LIMIT_HEADER_COUNT',
  'LIMIT_HEADERS_TIMEOUT_MS',
  'LIMIT_REQUEST_TIMEOUT_MS',
  'LIMIT_BODY_IDLE_MS',
  'LIMIT_CONNECTIONS_PER_ADDRESS',
  'LIMIT_STREAMS_PER_ADDRESS',
  'LIMIT_AGENT_MESSAGE_BYTES',
  'LIMIT_AGENT_MESSAGES_PER_SEC',
  'LIMIT_PENDING_JOBS_PER_SESSION',
  'LIMIT_TURN_TEXT_CHARS',
  'LIMIT_CONVERSATION_BYTES',
  'LIMIT_OUTBOX_MESSAGES',
  'LIMIT_REPLY_TIMEOUT_MS',
] as const satisfies readonly (typeof LIMIT_SPECS)[keyof Limits]['setting'][];

/** The defaults, for callers without a config (unit tests of one module). */
export const DEFAULT_LIMITS: Limits = Object.fromEntries(
  Object.entries(LIMIT_SPECS).map(([name, spec]) => [name, spec.default]),
) as unknown as Limits;

/**
 * Reads the limits from raw settings (name → text); a bad value throws `fail` with a message
 * naming the setting, its value and what is accepted.
 */
export function readLimits(raw: Partial<Record<string, string>>, fail: (message: string) => Error): Limits {
  const limits = { ...DEFAULT_LIMITS };
  for (const [name, spec] of Object.entries(LIMIT_SPECS) as [keyof Limits, LimitSpec][]) {
    const value = raw[spec.setting];
    if (value === undefined) continue;
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < spec.min || !Number.isSafeInteger(n)) {
      throw fail(
        `${spec.setting} is "${value}": expected a whole number of at least ${spec.min} (default ${spec.default})`,
      );
    }
    limits[name] = n;
  }
  return limits;
}

/** A message event's text cut to `max` characters (Teams, Slack); other events unchanged. */
export function clampTurnText<E extends { kind: string; text?: string }>(event: E, max: number): E {
  if (event.kind !== 'message' || typeof event.text !== 'string' || event.text.length <= max) return event;
  limitHit('turnTextChars');
  return { ...event, text: event.text.slice(0, max) };
}

/** A refusal by a limit: the HTTP status and a stable code, for every route's error body. */
export class LimitError extends Error {
  readonly status: 400 | 408 | 413 | 415 | 429 | 431;
  readonly code: string;
  /** Seconds, for a 429's Retry-After. */
  readonly retryAfter?: number;
  constructor(status: LimitError['status'], code: string, message: string, retryAfter?: number) {
    super(message);
    this.status = status;
    this.code = code;
    if (retryAfter !== undefined) this.retryAfter = retryAfter;
  }
}
