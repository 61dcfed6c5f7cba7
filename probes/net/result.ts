/**
 * Building ProbeResults for the connection probes, so that ids, timing and the status of a
 * path failure are decided in one place.
 */
import type { FailureCode, Phases, ProbeFailure, ProbeKind, ProbeResult, ProbeStatus } from '../types.ts';
import { probeId } from '../types.ts';
import { ms, type PathFailed } from './path.ts';
import { authority } from './proxy-tunnel.ts';
import type { SocketError } from './socket-error.ts';

export interface ResultParts<D extends object> {
  status: ProbeStatus;
  phases: Phases;
  detail: D;
  failure?: ProbeFailure;
  error?: { code: string; message: string };
}

/** A probe run under way: its id and start time. `finish` stamps durationMs. */
export interface ProbeRun {
  kind: ProbeKind;
  target: string;
  started: number;
}

/** Starts the clock of a run; the target is `host:port`, or `host` alone (clock's `local`). */
export function startRun(kind: ProbeKind, host: string, port?: number): ProbeRun {
  return { kind, target: port === undefined ? host : authority(host, port), started: performance.now() };
}

export function finish<D extends object>(run: ProbeRun, parts: ResultParts<D>): ProbeResult<D> {
  const result: ProbeResult<D> = {
    id: probeId(run.kind, run.target),
    kind: run.kind,
    target: run.target,
    status: parts.status,
    durationMs: ms(performance.now() - run.started),
    phases: parts.phases,
    detail: parts.detail,
  };
  if (parts.failure) result.failure = parts.failure;
  if (parts.error) result.error = parts.error;
  return result;
}

/** A probe that could not run at all (refused by the interlock, our own bug) is 'error', never 'fail'. */
export function statusFor(code: FailureCode): ProbeStatus {
  return code === 'interlock' || code === 'internal' ? 'error' : 'fail';
}

/** The result for a connection that never opened. */
export function pathFailure<D extends object>(run: ProbeRun, path: PathFailed, detail: D): ProbeResult<D> {
  return finish(run, {
    status: statusFor(path.failure.code),
    phases: path.phases,
    detail,
    failure: path.failure,
    error: path.error,
  });
}

/**
 * No response head came back for a request written at `sent` (performance.now()): at the
 * deadline a timeout in the firstByte phase (which then lasted until it), otherwise a refusal
 * of kind `refused` in the response phase.
 */
export function noHeadFailure<D extends object>(
  run: ProbeRun,
  parts: {
    phases: Phases;
    detail: D;
    sent: number;
    error: SocketError;
    refused: FailureCode;
    message: string;
  },
): ProbeResult<D> {
  const { error, message } = parts;
  return finish(run, {
    status: 'fail',
    phases: { ...parts.phases, firstByte: error.aborted ? ms(performance.now() - parts.sent) : 0 },
    detail: parts.detail,
    failure: {
      phase: error.aborted ? 'firstByte' : 'response',
      code: error.aborted ? 'timeout' : parts.refused,
      detail: message,
    },
    error: { code: error.code, message },
  });
}

/** A failure the server's answer shows (status `status`): phase response, error `HTTP_<status>`. */
export function answerFailure<D extends object>(
  run: ProbeRun,
  parts: { phases: Phases; detail: D; code: FailureCode; status: number; message: string },
): ProbeResult<D> {
  return finish(run, {
    status: 'fail',
    phases: parts.phases,
    detail: parts.detail,
    failure: { phase: 'response', code: parts.code, detail: parts.message },
    error: { code: `HTTP_${parts.status}`, message: parts.message },
  });
}

/** Last resort for a bug of ours: the probe reports 'error' instead of throwing. */
export function internalError<D extends object>(
  run: ProbeRun,
  phases: Phases,
  detail: D,
  err: unknown,
): ProbeResult<D> {
  const message = err instanceof Error ? err.message : String(err);
  return finish(run, {
    status: 'error',
    phases,
    detail,
    failure: {
      phase: 'setup',
      code: 'internal',
      detail: `the ${run.kind} probe failed unexpectedly: ${message}`,
    },
    error: { code: (err as NodeJS.ErrnoException)?.code ?? 'EINTERNAL', message },
  });
}
