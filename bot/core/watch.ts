/**
 * "Keep checking while I try to sign in" (issue 15): a fault that comes and goes looks healthy
 * in one snapshot, so the paired agent watches the connection for a while (a watch job) while
 * the user tries Teams. This module holds the pure parts: when the chat offers it, the job it
 * starts, the live card's figures, and the result in plain words for the findings card.
 */
import { spokenDuration } from '../../cards/format.ts';
import type { WatchFigures } from '../../cards/views.ts';
import type { WatchSummary } from '../../probes/watch.ts';
import type { AgentJob, CoreEvent, JobProgress, Session, TransitionDeps } from './types.ts';

/** How long a watch lasts when the bot is not told otherwise: time for a few sign-in attempts. */
export const WATCH_MS = 2 * 60_000;

/** The button is offered only with a confirmed agent that is not already watching. */
export function canWatch(s: Session): boolean {
  return Boolean(s.pairing?.confirmed && !s.pairing.lost && !s.watch);
}

/** Records the watch on `next` and returns the job that runs it. */
export function startWatch(next: Session, event: CoreEvent, deps: TransitionDeps): AgentJob {
  const watchMs = deps.watchMs ?? WATCH_MS;
  const jobId = `${event.id}:watch`;
  next.watch = { jobId, durationMs: watchMs, startedAt: deps.now };
  return { type: 'watch', jobId, sessionId: next.id, watchMs };
}

/** The live card's figures: from the agent's latest round, or the start (nothing measured yet). */
export function watchFigures(s: Session, latest?: JobProgress['watch']): WatchFigures | undefined {
  if (!s.watch) return undefined;
  return {
    durationMs: s.watch.durationMs,
    leftMs: latest?.leftMs ?? s.watch.durationMs,
    rounds: latest?.rounds ?? 0,
    failedRounds: latest?.failedRounds ?? 0,
    ...(s.watch.stopping ? { stopping: true } : {}),
  };
}

const MAX_NAMED = 3;

/**
 * What a watch saw, for the findings card: "no drop-outs in N rounds", or per endpoint that
 * failed how often, how fast it answered when it did, and how often it flipped.
 */
export function watchResultText(w: WatchSummary): string {
  const head = `Watched the connection for ${spokenDuration(w.durationMs)}`;
  const bad = w.endpoints.filter((e) => e.failed > 0);
  if (bad.length === 0) return `${head}: no drop-outs in ${w.rounds} rounds of checks.`;
  const parts = bad.slice(0, MAX_NAMED).map((e) => {
    const name = `${e.host}:${e.port}`;
    if (e.failed >= e.rounds) return `${name} failed in every round (${e.rounds} of ${e.rounds})`;
    const pct = Math.round(e.failureRate * 100);
    const speed = e.latencyMs
      ? `; when it answered it took ${Math.round(e.latencyMs.p50)} ms typically and ${Math.round(e.latencyMs.p90)} ms at worst for 9 in 10`
      : '';
    const flips =
      e.flaps.length > 0 ? `, flipping ${e.flaps.length} time${e.flaps.length === 1 ? '' : 's'}` : '';
    return `${name} dropped out in ${e.failed} of ${e.rounds} rounds (${pct}%)${flips}${speed}`;
  });
  const more = bad.length > MAX_NAMED ? ` (and ${bad.length - MAX_NAMED} more)` : '';
  return `${head}: ${parts.join('. ')}${more}.`;
}
