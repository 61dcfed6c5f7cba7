/**
 * The suite runner: runs a plan with bounded concurrency, gives every probe its deadline and
 * its AbortSignal, keeps the whole run inside a total budget, and reports progress. It, not
 * the probe, decides how long a probe may take (blackbox_exporter's handler.go does the same):
 * that is what keeps "every endpoint drops packets" under the 10 s budget.
 */
import type { ProbeContext } from './context.ts';
import type { ProbeKind, ProbeResult, ProbeStatus } from './types.ts';
import { zeroPhases } from './types.ts';

/** Areas group probes for progress lines and for the cards ("DNS", "Firewall"…). */
export type Area =
  | 'proxy'
  | 'dns'
  | 'firewall'
  | 'tls'
  | 'web'
  | 'media'
  | 'clock'
  | 'credentials'
  | 'device';

export interface PlannedProbe {
  id: string;
  kind: ProbeKind;
  target: string;
  area: Area;
  /** Longest this probe may take; the total budget may cut it shorter. */
  timeoutMs: number;
  run(options: { signal: AbortSignal; deadline: number; ctx: ProbeContext }): Promise<ProbeResult>;
}

export type ProgressEvent =
  | { type: 'planned'; probes: Array<{ id: string; area: Area }> }
  | { type: 'started'; id: string; area: Area }
  | { type: 'finished'; area: Area; result: ProbeResult };

export interface RunSuiteOptions {
  ctx: ProbeContext;
  /** Probes in flight at once. */
  concurrency?: number;
  /** The whole run's budget in ms; probes still queued when it runs out are reported as not run. */
  budgetMs?: number;
  /** How long past its deadline a probe may take to wrap up before the runner gives up on it. */
  graceMs?: number;
  signal?: AbortSignal;
  onProgress?: (event: ProgressEvent) => void;
}

export interface SuiteRun {
  probes: ProbeResult[];
  durationMs: number;
}

export const DEFAULT_CONCURRENCY = 16;
export const DEFAULT_BUDGET_MS = 8000;
const MIN_SLICE_MS = 10;

export async function runSuite(plan: PlannedProbe[], options: RunSuiteOptions): Promise<SuiteRun> {
  const { ctx } = options;
  const concurrency = Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY);
  const budgetMs = options.budgetMs ?? DEFAULT_BUDGET_MS;
  const graceMs = options.graceMs ?? 250;
  const started = performance.now();
  const results = new Array<ProbeResult>(plan.length);
  const emit = options.onProgress ?? (() => {});
  emit({ type: 'planned', probes: plan.map((p) => ({ id: p.id, area: p.area })) });

  let next = 0;
  const worker = async () => {
    while (next < plan.length) {
      const index = next++;
      const probe = plan[index];
      const remaining = budgetMs - (performance.now() - started);
      // A slice shorter than MIN_SLICE_MS cannot finish a handshake; timers also fire up to a
      // millisecond early, so "just under budget" counts as used up.
      if (remaining < MIN_SLICE_MS || options.signal?.aborted) {
        results[index] = notRun(
          probe,
          options.signal?.aborted ? 'the run was cancelled' : 'the run budget was used up',
        );
      } else {
        emit({ type: 'started', id: probe.id, area: probe.area });
        results[index] = await runOne(
          probe,
          Math.min(probe.timeoutMs, remaining),
          graceMs,
          ctx,
          options.signal,
        );
      }
      emit({ type: 'finished', area: probe.area, result: results[index] });
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, plan.length) }, worker));
  return { probes: results, durationMs: Math.round(performance.now() - started) };
}

async function runOne(
  probe: PlannedProbe,
  timeoutMs: number,
  graceMs: number,
  ctx: ProbeContext,
  parent: AbortSignal | undefined,
): Promise<ProbeResult> {
  const controller = new AbortController();
  const onParentAbort = () => controller.abort(parent?.reason);
  parent?.addEventListener('abort', onParentAbort, { once: true });
  const deadlineTimer = setTimeout(() => controller.abort(new Error('deadline')), timeoutMs);
  let graceTimer: NodeJS.Timeout | undefined;
  const started = performance.now();
  // A probe that ignores its signal must not hold the whole run: after the grace period the
  // runner records it as an error of its own and moves on.
  const overrun = new Promise<ProbeResult>((resolve) => {
    graceTimer = setTimeout(
      () =>
        resolve(
          failed(
            probe,
            'error',
            'internal',
            `the probe did not stop at its ${timeoutMs} ms deadline`,
            started,
          ),
        ),
      timeoutMs + graceMs,
    );
  });
  try {
    const result = await Promise.race([
      probe.run({ signal: controller.signal, deadline: ctx.now() + timeoutMs, ctx }),
      overrun,
    ]);
    return normalise(probe, result, started);
  } catch (err) {
    return failed(probe, 'error', 'internal', `the probe crashed: ${(err as Error).message}`, started);
  } finally {
    clearTimeout(deadlineTimer);
    clearTimeout(graceTimer);
    parent?.removeEventListener('abort', onParentAbort);
    controller.abort();
  }
}

/** Fills what a probe left out, so every result has every phase and a failure unless it passed. */
function normalise(probe: PlannedProbe, result: ProbeResult, started: number): ProbeResult {
  const phases = { ...zeroPhases(), ...result.phases };
  for (const key of Object.keys(phases) as Array<keyof typeof phases>) phases[key] = round(phases[key]);
  const out: ProbeResult = {
    ...result,
    id: result.id || probe.id,
    kind: result.kind || probe.kind,
    target: result.target || probe.target,
    durationMs: round(result.durationMs ?? performance.now() - started),
    phases,
  };
  if (out.status !== 'pass' && !out.failure) {
    out.failure = { phase: 'setup', code: 'internal', detail: `status ${out.status} without a stated cause` };
  }
  return out;
}

function notRun(probe: PlannedProbe, why: string): ProbeResult {
  return {
    id: probe.id,
    kind: probe.kind,
    target: probe.target,
    status: 'error',
    durationMs: 0,
    phases: zeroPhases(),
    detail: {},
    failure: { phase: 'setup', code: 'not_run', detail: `not run: ${why}` },
  };
}

function failed(
  probe: PlannedProbe,
  status: ProbeStatus,
  code: 'internal',
  detail: string,
  started: number,
): ProbeResult {
  return {
    id: probe.id,
    kind: probe.kind,
    target: probe.target,
    status,
    durationMs: round(performance.now() - started),
    phases: zeroPhases(),
    detail: {},
    failure: { phase: 'setup', code, detail },
  };
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
