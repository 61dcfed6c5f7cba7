/**
 * The job protocol between the bot's agent gateway and the companion agent: a closed set of
 * JSON messages, version 1, each with `v` and `type`. Both ends parse every message they
 * receive with the functions here, and the server also checks what it sends: an unknown
 * type, an unknown or missing field, or a value of the wrong shape is a ProtocolError, which
 * the receiver logs and never acts on.
 *
 * This module checks shape and allow-lists (probe kinds, actions). Whether a probe id names a
 * host in the agent's own catalog is the agent's call (job-guard.ts): the server cannot know
 * which catalog the device carries, and must not be trusted to.
 */
import type { ActionId, ActionOutcome } from '../actions/types.ts';
import type { Report } from '../report.ts';
import type { Area } from '../runner.ts';
import type { ProbeStatus } from '../types.ts';
import { fail, type Spec, strictObject } from './protocol-check.ts';
import { AGENT_SPECS, ID, SERVER_SPECS } from './protocol-specs.ts';

export { ProtocolError, type ProtocolErrorCode } from './protocol-check.ts';
export {
  checkProbeRef,
  JOB_KINDS,
  MAX_DEADLINE_MS,
  MAX_WATCH_MS,
  MIN_DEADLINE_MS,
  MIN_WATCH_MS,
} from './protocol-specs.ts';

export const PROTOCOL_VERSION = 1;
/** Where the gateway listens for agents (an HTTP upgrade on the bot's own server). */
export const AGENTS_PATH = '/api/agents';
/** The largest message either side accepts (a full report with certificate chains fits). */
export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

/**
 * WebSocket close codes of the gateway (4000-4999 are the application's). The agent does not
 * reconnect after caseClosed, revoked or refused; after the others it does.
 */
export const CLOSE = {
  /** The case is resolved or closed: the agent can exit. */
  caseClosed: 4000,
  /** The helpdesk or the user disconnected this computer from the case; its secret is void. */
  revoked: 4001,
  /** The hello was refused (bad code, bad secret); a new code is needed. */
  refused: 4002,
  /** A newer connection of the same agent took over. */
  replaced: 4003,
  /** No pong in time. */
  timeout: 4004,
  /** The agent broke the protocol. */
  protocol: 4005,
} as const;

/** `watch`: a full check, then rounds of the cheap probes for `watchMs` (issue 15). */
export type JobKind = 'check' | 'recheck' | 'action' | 'watch';

/** The computer the agent runs on, as the chat shows it for confirmation. */
export interface DeviceInfo {
  name: string;
  os: string;
  osVersion: string;
  agentVersion: string;
}

export type HelloErrorReason =
  | 'invalid_code'
  | 'expired'
  | 'redeemed'
  | 'rate_limited'
  | 'unauthorized'
  | 'revoked'
  | 'session_gone'
  | 'protocol';

export interface JobMessage {
  v: 1;
  type: 'job';
  jobId: string;
  kind: JobKind;
  /** recheck only: probe ids (`kind:target`) or kinds. */
  probes?: string[];
  /** action only. */
  action?: ActionId;
  /** action only: print the plan, change nothing. */
  dryRun?: boolean;
  /** watch only: how long to keep re-checking after the full check (MIN_WATCH_MS..MAX_WATCH_MS). */
  watchMs?: number;
  deadlineMs: number;
}

export type ServerMessage =
  | { v: 1; type: 'hello.ok'; caseLabel: string; agentId: string; secret?: string }
  | { v: 1; type: 'hello.error'; reason: HelloErrorReason; message: string }
  | JobMessage
  /** Ends a running watch early: the agent stops its rounds and reports what it saw so far. */
  | { v: 1; type: 'cancel'; jobId: string }
  | { v: 1; type: 'ping' };

/** A runner ProgressEvent without the probe results (the result travels once, in the report). */
export type CompactProgress =
  | { stage: 'planned'; probes: Array<{ id: string; area: Area }> }
  | { stage: 'started'; id: string; area: Area }
  | { stage: 'finished'; id: string; area: Area; status: ProbeStatus }
  /**
   * A watch job's round is done: `round` counts the rounds so far (the full check is the first),
   * `failed` the probes of this round that failed, `leftMs` the time left in the watch.
   */
  | { stage: 'round'; round: number; failed: number; leftMs: number };

export interface JobError {
  /** refused: the agent would not run it (not in its catalog or allow-list, malformed). */
  code: 'refused' | 'failed' | 'timeout';
  message: string;
}

export type ResultMessage = { v: 1; type: 'result'; jobId: string } & (
  | { report: Report }
  | { action: ActionOutcome }
  | { error: JobError }
);

export type AgentMessage =
  | {
      v: 1;
      type: 'hello';
      /** First contact: the pairing code shown in the chat. */
      code?: string;
      /** Every later connection: the identity and secret the first hello.ok handed out. */
      agentId?: string;
      secret?: string;
      device: DeviceInfo;
      /** Jobs this agent is still running or holds an unsent result for (resume). */
      running?: string[];
    }
  | { v: 1; type: 'progress'; jobId: string; event: CompactProgress }
  | ResultMessage
  | { v: 1; type: 'consent'; jobId: string; granted: boolean }
  | { v: 1; type: 'pong' };

/** Rules across fields that a per-field spec cannot say. */
function checkJobFields(m: JobMessage): void {
  const want: string[] = { check: [], recheck: ['probes'], action: ['action'], watch: ['watchMs'] }[m.kind];
  for (const field of ['probes', 'action', 'dryRun', 'watchMs'] as const) {
    const allowed = want.includes(field) || (field === 'dryRun' && m.kind === 'action');
    if (m[field] !== undefined && !allowed)
      fail('unknown_field', `job.${field} does not belong to a ${m.kind} job`);
  }
  for (const field of want) {
    if (m[field as 'probes' | 'action' | 'watchMs'] === undefined)
      fail('missing_field', `job.${field} is required for a ${m.kind} job`);
  }
}

function checkHelloFields(m: Extract<AgentMessage, { type: 'hello' }>): void {
  const byCode = m.code !== undefined;
  const bySecret = m.agentId !== undefined || m.secret !== undefined;
  if (byCode === bySecret) fail('bad_value', 'hello needs either code, or agentId with secret (not both)');
  if (bySecret && (m.agentId === undefined || m.secret === undefined))
    fail('missing_field', 'hello needs agentId and secret together');
}

function checkResultFields(m: Record<string, unknown>): void {
  const present = ['report', 'action', 'error'].filter((k) => m[k] !== undefined);
  if (present.length !== 1)
    fail(
      'bad_value',
      `result needs exactly one of report, action, error (got ${present.join(', ') || 'none'})`,
    );
}

function envelope<T extends string>(
  raw: string | object,
  specs: Record<T, Spec>,
  side: string,
): { v: 1; type: T } & Record<string, unknown> {
  let value: unknown = raw;
  if (typeof raw === 'string') {
    if (raw.length > MAX_MESSAGE_BYTES)
      fail('too_large', `${side} message is larger than ${MAX_MESSAGE_BYTES} bytes`);
    try {
      value = JSON.parse(raw);
    } catch {
      fail('bad_json', `${side} message is not JSON`);
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    fail('bad_json', `${side} message must be a JSON object`);
  const m = value as Record<string, unknown>;
  if (m.v !== PROTOCOL_VERSION)
    fail(
      'bad_version',
      `${side} message has v=${JSON.stringify(m.v)}; this end speaks v=${PROTOCOL_VERSION}`,
    );
  if (typeof m.type !== 'string' || !Object.hasOwn(specs, m.type)) {
    fail(
      'unknown_type',
      `${side} message type ${JSON.stringify(m.type)} is unknown; accepted: ${Object.keys(specs).join(', ')}`,
    );
  }
  strictObject(m, m.type as string, specs[m.type as T]);
  return m as { v: 1; type: T } & Record<string, unknown>;
}

/** Parses and checks a message from the server (the agent's side). Throws ProtocolError. */
export function parseServerMessage(raw: string | object): ServerMessage {
  const m = envelope(raw, SERVER_SPECS, 'server');
  if (m.type === 'job') checkJobFields(m as unknown as JobMessage);
  return m as unknown as ServerMessage;
}

/** Parses and checks a message from an agent (the gateway's side). Throws ProtocolError. */
export function parseAgentMessage(raw: string | object): AgentMessage {
  const m = envelope(raw, AGENT_SPECS, 'agent');
  if (m.type === 'hello') checkHelloFields(m as unknown as Extract<AgentMessage, { type: 'hello' }>);
  if (m.type === 'result') checkResultFields(m);
  return m as unknown as AgentMessage;
}

/**
 * The job id of a job message that failed its checks, when it has a usable one, so the agent
 * can answer "refused" for that job instead of leaving the server waiting for its deadline.
 */
export function refusableJobId(raw: string | object): string | undefined {
  try {
    const m = (typeof raw === 'string' ? JSON.parse(raw) : raw) as Record<string, unknown> | null;
    return m?.type === 'job' && typeof m.jobId === 'string' && ID.test(m.jobId) ? m.jobId : undefined;
  } catch {
    return undefined;
  }
}

/** The wire form. Senders check their own messages with the parse functions first. */
export function encode(message: ServerMessage | AgentMessage): string {
  return JSON.stringify(message);
}
