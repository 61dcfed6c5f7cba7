/**
 * How far the local clock is from the catalog's time sources, read from their HTTP Date
 * headers over the path Teams uses. A clock off by more than a few minutes makes every
 * certificate look expired or not yet valid and every token look stale, so this probe's
 * finding (clock.skew) is ranked before any TLS finding.
 *
 * Limits, knowingly accepted:
 * - Trust is NOT required: with a wrong clock every chain fails its validity check, and we
 *   still need the time. The price is that a TLS inspector or an impostor could feed us any
 *   Date; each sample records whether its chain was trusted, and the median over several
 *   sources limits what one bad source can do.
 * - The Date header has a resolution of 1 s (RFC 9110 IMF-fixdate) and is truncated, so each
 *   sample is centred by +0.5 s and is good to about ±0.5 s plus half the round trip: plenty
 *   for thresholds of 60 s and 300 s. One request per source, as more from the same second
 *   would only repeat the same truncated value.
 */
import type { ProbeOptions } from './context.ts';
import { httpsGet } from './net/http-request.ts';
import { finish, internalError, startRun } from './net/result.ts';
import type { FailureCode, Phases, ProbeResult } from './types.ts';
import { zeroPhases } from './types.ts';

export interface ClockTarget {
  /** HTTPS URLs whose Date header gives the time (catalog `timeSources`). */
  sources: string[];
}

export interface ClockSample {
  source: string;
  /** Server time minus local time: positive when the local clock is behind. */
  offsetSeconds: number;
  rttMs: number;
  /** Whether the source's chain was trusted (the Date of an untrusted source counts all the same). */
  trusted: boolean;
}

export interface ClockDetail {
  /** Median over the samples; null when no source answered. */
  offsetSeconds: number | null;
  samples: ClockSample[];
  failures: { source: string; code: FailureCode; message: string }[];
}

/** Within a minute is healthy; over five minutes breaks certificates and tokens (CONTRACTS.md clock.skew). */
export const WARN_SECONDS = 60;
export const FAIL_SECONDS = 300;
/** The Date header is truncated to the second: the true server time is half a second later on average. */
const DATE_CENTRE_MS = 500;

export async function probeClock(
  target: ClockTarget,
  options: ProbeOptions,
): Promise<ProbeResult<ClockDetail>> {
  const run = startRun('clock', 'local');
  const detail: ClockDetail = { offsetSeconds: null, samples: [], failures: [] };
  try {
    const outcomes = await Promise.all(target.sources.map((source) => sample(source, options)));
    let phases: Phases = zeroPhases();
    for (const outcome of outcomes) {
      if ('failure' in outcome) detail.failures.push(outcome.failure);
      else {
        if (detail.samples.length === 0) phases = outcome.phases;
        detail.samples.push(outcome.sample);
      }
    }
    if (detail.samples.length === 0) {
      const refused = detail.failures.some((f) => f.code === 'interlock');
      const code: FailureCode = refused ? 'interlock' : 'no_time_source';
      const message = target.sources.length
        ? `no time source answered with a Date: ${detail.failures.map((f) => `${f.source} ${f.code}`).join(', ')}`
        : 'no time source is configured (catalog timeSources is empty)';
      return finish(run, {
        status: 'error',
        phases,
        detail,
        failure: { phase: 'response', code, detail: message },
        error: { code: code.toUpperCase(), message },
      });
    }
    const offset = median(detail.samples.map((s) => s.offsetSeconds));
    detail.offsetSeconds = offset;
    const size = Math.abs(offset);
    if (size <= WARN_SECONDS) return finish(run, { status: 'pass', phases, detail });
    const direction = offset > 0 ? 'behind' : 'ahead of';
    const message = `the local clock is ${Math.round(size)} s ${direction} the time sources (median of ${detail.samples.length})`;
    return finish(run, {
      status: size > FAIL_SECONDS ? 'fail' : 'warn',
      phases,
      detail,
      failure: { phase: 'response', code: 'skew', detail: message },
    });
  } catch (err) {
    return internalError(run, zeroPhases(), detail, err);
  }
}

type Outcome =
  | { sample: ClockSample; phases: Phases }
  | { failure: { source: string; code: FailureCode; message: string } };

async function sample(source: string, options: ProbeOptions): Promise<Outcome> {
  let url: URL;
  try {
    url = new URL(source);
    if (url.protocol !== 'https:')
      throw new Error(`only https:// time sources are accepted, got ${url.protocol}`);
  } catch (err) {
    return { failure: { source, code: 'parse_error', message: (err as Error).message } };
  }
  const result = await httpsGet(
    {
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port: Number(url.port || 443),
      path: url.pathname + url.search,
    },
    options,
    { requireTrust: false, readBody: false },
  );
  if (!result.ok) return { failure: { source, code: result.failure.code, message: result.failure.detail } };
  const date = result.response.headers['date'];
  const serverMs = date ? Date.parse(date) : Number.NaN;
  if (Number.isNaN(serverMs)) {
    return {
      failure: {
        source,
        code: 'bad_response',
        message: `${source} sent no usable Date header (${date ?? 'none'})`,
      },
    };
  }
  // Server time at the moment it answered ≈ local receipt time minus half the round trip.
  const offsetMs = serverMs + DATE_CENTRE_MS + result.rttMs / 2 - result.receivedAt;
  return {
    sample: {
      source,
      offsetSeconds: Math.round(offsetMs) / 1000,
      rttMs: Math.round(result.rttMs * 1000) / 1000,
      trusted: result.tls.trusted,
    },
    phases: result.phases,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
