/**
 * The field rules of every protocol message (protocol.ts has the shapes): strict objects,
 * closed lists (job kinds, probe kinds, areas, statuses, actions), bounded printable text.
 */
import { isActionId } from '../actions/types.ts';
import { PROBE_KINDS } from '../kinds.ts';
import type { AgentMessage, CompactProgress, JobKind, ServerMessage } from './protocol.ts';
import { fail, type Spec, strictObject } from './protocol-check.ts';
import { checkActionOutcome, checkReport } from './protocol-payloads.ts';

/** Bounds of a job's deadline. */
export const MIN_DEADLINE_MS = 1000;
export const MAX_DEADLINE_MS = 15 * 60 * 1000;
export const JOB_KINDS: readonly JobKind[] = ['check', 'recheck', 'action', 'watch'];
/**
 * Bounds of a watch job's window: long enough for a few rounds, short enough that the job's
 * deadline (the window plus a full check) stays under MAX_DEADLINE_MS.
 */
export const MIN_WATCH_MS = 10_000;
export const MAX_WATCH_MS = 10 * 60 * 1000;
/** The most rounds a watch can hold (a round a second over MAX_WATCH_MS, with room). */
const MAX_ROUNDS = 100_000;

export const ID = /^[A-Za-z0-9_-]{1,64}$/;
const AREAS = new Set<string>(Object.values(PROBE_KINDS).map((k) => k.area));
const STATUSES = new Set<string>(['pass', 'fail', 'warn', 'skipped', 'error']);
const HELLO_ERRORS = new Set<string>([
  'invalid_code',
  'expired',
  'redeemed',
  'rate_limited',
  'unauthorized',
  'revoked',
  'session_gone',
  'protocol',
]);

/** Printable text: no control characters (they would reach a terminal or a chat card). */
function text(max: number): (v: unknown, where: string) => void {
  return (v, where) => {
    if (typeof v !== 'string' || v.length === 0 || v.length > max) {
      fail('bad_value', `${where} must be a string of 1 to ${max} characters`);
    }
    if (/[\u0000-\u001f\u007f-\u009f]/.test(v as string))
      fail('bad_value', `${where} must not contain control characters`);
  };
}

function id(v: unknown, where: string): void {
  if (typeof v !== 'string' || !ID.test(v)) fail('bad_value', `${where} must be 1 to 64 of A-Z a-z 0-9 _ -`);
}

/** A whole number from `min` to `max`. */
function whole(min: number, max: number): (v: unknown, where: string) => void {
  return (v, where) => {
    if (!Number.isInteger(v) || (v as number) < min || (v as number) > max)
      fail('bad_value', `${where} must be a whole number from ${min} to ${max}`);
  };
}

function bool(v: unknown, where: string): void {
  if (typeof v !== 'boolean') fail('bad_value', `${where} must be true or false`);
}

function oneOf(values: Set<string>, what: string): (v: unknown, where: string) => void {
  return (v, where) => {
    if (typeof v !== 'string' || !values.has(v))
      fail('bad_value', `${where} must be ${what}; accepted: ${[...values].join(', ')}`);
  };
}

/** A probe kind, or `kind:target` with a known kind. The catalog check is the agent's. */
export function checkProbeRef(v: unknown, where: string): void {
  text(300)(v, where);
  const kind = (v as string).split(':', 1)[0];
  if (!Object.hasOwn(PROBE_KINDS, kind)) {
    fail(
      'unknown_probe',
      `${where} "${v}" is not a probe kind or a kind:target id; kinds: ${Object.keys(PROBE_KINDS).join(', ')}`,
    );
  }
}

function list(
  item: (v: unknown, where: string) => void,
  max: number,
  min = 1,
): (v: unknown, where: string) => void {
  return (v, where) => {
    if (!Array.isArray(v) || v.length < min || v.length > max)
      fail('bad_value', `${where} must be a list of ${min} to ${max} items`);
    (v as unknown[]).forEach((x, i) => {
      item(x, `${where}[${i}]`);
    });
  };
}

function action(v: unknown, where: string): void {
  if (!isActionId(v))
    fail(
      'action_not_allowed',
      `${where} "${String(v)}" is not an allowed action; accepted: flush_dns, move_teams_cache, resync_clock`,
    );
}

const DEVICE: Spec = {
  name: { required: true, check: text(128) },
  os: { required: true, check: text(32) },
  osVersion: { required: true, check: text(128) },
  agentVersion: { required: true, check: text(32) },
};

const PROGRESS_SPECS: Record<CompactProgress['stage'], Spec> = {
  planned: {
    stage: { required: true },
    probes: {
      required: true,
      check: list(
        (p, w) =>
          strictObject(p, w, {
            id: { required: true, check: checkProbeRef },
            area: { required: true, check: oneOf(AREAS, 'a probe area') },
          }),
        500,
        0,
      ),
    },
  },
  started: {
    stage: { required: true },
    id: { required: true, check: checkProbeRef },
    area: { required: true, check: oneOf(AREAS, 'a probe area') },
  },
  finished: {
    stage: { required: true },
    id: { required: true, check: checkProbeRef },
    area: { required: true, check: oneOf(AREAS, 'a probe area') },
    status: { required: true, check: oneOf(STATUSES, 'a probe status') },
  },
  round: {
    stage: { required: true },
    round: { required: true, check: whole(1, MAX_ROUNDS) },
    failed: { required: true, check: whole(0, 2000) },
    leftMs: { required: true, check: whole(0, MAX_WATCH_MS) },
  },
};

function progressEvent(v: unknown, where: string): void {
  const stage = (v as { stage?: unknown } | null)?.stage;
  if (typeof stage !== 'string' || !Object.hasOwn(PROGRESS_SPECS, stage)) {
    fail('bad_value', `${where}.stage must be planned, started, finished or round`);
  }
  strictObject(v, where, PROGRESS_SPECS[stage as CompactProgress['stage']]);
}

const ENVELOPE = { v: { required: true }, type: { required: true } } as const;

export const SERVER_SPECS: Record<ServerMessage['type'], Spec> = {
  'hello.ok': {
    ...ENVELOPE,
    caseLabel: { required: true, check: text(200) },
    agentId: { required: true, check: id },
    secret: { check: text(100) },
  },
  'hello.error': {
    ...ENVELOPE,
    reason: { required: true, check: oneOf(HELLO_ERRORS, 'a hello error reason') },
    message: { required: true, check: text(500) },
  },
  job: {
    ...ENVELOPE,
    jobId: { required: true, check: id },
    kind: { required: true, check: oneOf(new Set(JOB_KINDS), 'a job kind') },
    probes: { check: list(checkProbeRef, 500) },
    action: { check: action },
    dryRun: { check: bool },
    watchMs: { check: whole(MIN_WATCH_MS, MAX_WATCH_MS) },
    deadlineMs: {
      required: true,
      check: (v, where) => {
        if (!Number.isInteger(v) || (v as number) < MIN_DEADLINE_MS || (v as number) > MAX_DEADLINE_MS) {
          fail(
            'bad_value',
            `${where} must be a whole number of ms from ${MIN_DEADLINE_MS} to ${MAX_DEADLINE_MS}`,
          );
        }
      },
    },
  },
  cancel: { ...ENVELOPE, jobId: { required: true, check: id } },
  ping: { ...ENVELOPE },
};

export const AGENT_SPECS: Record<AgentMessage['type'], Spec> = {
  hello: {
    ...ENVELOPE,
    code: { check: text(40) },
    agentId: { check: id },
    secret: { check: text(100) },
    device: { required: true, check: (v, w) => strictObject(v, w, DEVICE) },
    running: { check: list(id, 100, 0) },
  },
  progress: {
    ...ENVELOPE,
    jobId: { required: true, check: id },
    event: { required: true, check: progressEvent },
  },
  result: {
    ...ENVELOPE,
    jobId: { required: true, check: id },
    report: { check: checkReport },
    action: { check: checkActionOutcome },
    error: {
      check: (v, w) =>
        strictObject(v, w, {
          code: {
            required: true,
            check: oneOf(new Set(['refused', 'failed', 'timeout']), 'a job error code'),
          },
          message: { required: true, check: text(1000) },
        }),
    },
  },
  consent: { ...ENVELOPE, jobId: { required: true, check: id }, granted: { required: true, check: bool } },
  pong: { ...ENVELOPE },
};
