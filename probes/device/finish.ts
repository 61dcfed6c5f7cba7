/**
 * What the two local probes (`device:registration` in device.ts, `broker:*` in broker.ts)
 * share: their options, and how an assessment, a skip or an error becomes a ProbeResult.
 */
import type { ProbeOptions } from '../context.ts';
import type { ProbeKind, ProbeResult } from '../types.ts';
import { probeId, zeroPhases } from '../types.ts';
import type { Assessment } from './assess.ts';
import { CommandError, type CommandRunner, type PathExists } from './command.ts';
import { ParseError } from './lines.ts';

export interface DeviceTarget {
  platform: NodeJS.Platform;
}

export interface DeviceProbeOptions extends ProbeOptions {
  /** Runs a command from an argument list; defaults to execFile. Tests inject fixtures here. */
  run?: CommandRunner;
  /** Defaults to a filesystem check. */
  exists?: PathExists;
}

export type LocalResult = ProbeResult<Record<string, unknown>>;

/** Parses, adding the exit status to the message when a command both failed and printed nonsense. */
export function parseOutput<T>(parse: () => T, exitCode: number): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof ParseError && exitCode !== 0)
      throw new ParseError(err.source, `${err.message} (exit status ${exitCode})`);
    throw err;
  }
}

/** Builds the ProbeResult for one probe: from an assessment, a skip, or an error. */
export function finisher(kind: ProbeKind, target: string, started: number) {
  const base = () => ({
    id: probeId(kind, target),
    kind,
    target,
    durationMs: performance.now() - started,
    phases: zeroPhases(),
  });
  const done = <D extends object>(a: Assessment<D>): LocalResult => ({
    ...base(),
    status: a.status,
    detail: a.detail as Record<string, unknown>,
    ...(a.failure ? { failure: { phase: 'response' as const, ...a.failure } } : {}),
  });
  done.skipped = (why: string): LocalResult => ({
    ...base(),
    status: 'skipped',
    detail: {},
    failure: { phase: 'setup', code: 'not_applicable', detail: why },
  });
  done.error = (err: unknown): LocalResult => {
    if (err instanceof ParseError) {
      return {
        ...base(),
        status: 'error',
        detail: {},
        failure: { phase: 'response', code: 'parse_error', detail: err.message },
        error: { code: 'parse_error', message: err.message },
      };
    }
    if (err instanceof CommandError) {
      // A command cut off by the deadline timed out (a fail); one that could not run is an error.
      return {
        ...base(),
        status: err.kind === 'timeout' ? 'fail' : 'error',
        detail: {},
        failure: {
          phase: 'setup',
          code: err.kind === 'timeout' ? 'timeout' : 'internal',
          detail: err.message,
        },
        error: { code: err.code, message: err.message },
      };
    }
    const message = err instanceof Error ? err.message : String(err);
    return {
      ...base(),
      status: 'error',
      detail: {},
      failure: { phase: 'setup', code: 'internal', detail: message },
      error: { code: 'internal', message },
    };
  };
  return done;
}
