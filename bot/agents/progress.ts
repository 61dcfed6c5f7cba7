/**
 * Progress of running jobs, throttled before it becomes chat updates: an agent reports every
 * probe (dozens a second), while Teams and Slack allow about one message update a second per
 * conversation. Each job's totals are emitted at most once per `intervalMs`, the latest state
 * always last (a trailing emit), and nothing after the job's result. Progress is ephemeral: a
 * lost update costs nothing, so it lives in memory only.
 */

import type { CompactProgress } from '../../probes/agent/protocol.ts';
import type { Timers } from '../../probes/timers.ts';
import { applyProgress, type JobProgress } from './events.ts';

/** Teams: ~1 update/s per conversation; Slack chat.update: ~50/min. 2 s stays inside both. */
export const PROGRESS_INTERVAL_MS = 2000;

export interface ProgressThrottle {
  update(jobId: string, event: CompactProgress): void;
  /** The job has its result: drop its state and any pending emit. */
  end(jobId: string): void;
  /** Jobs with progress state (memory accounting, tests). */
  readonly size: number;
}

export function progressThrottle(options: {
  timers: Timers;
  intervalMs?: number;
  emit(jobId: string, progress: JobProgress): void;
}): ProgressThrottle {
  const interval = options.intervalMs ?? PROGRESS_INTERVAL_MS;
  const { timers } = options;
  const jobs = new Map<string, { progress: JobProgress; lastEmit: number; timer?: unknown }>();

  const flush = (jobId: string) => {
    const job = jobs.get(jobId);
    if (!job) return;
    job.timer = undefined;
    job.lastEmit = timers.now();
    options.emit(jobId, structuredClone(job.progress));
  };

  return {
    update(jobId, event) {
      let job = jobs.get(jobId);
      if (!job) {
        job = { progress: { done: 0, total: 0, failed: 0, areas: [] }, lastEmit: -Infinity };
        jobs.set(jobId, job);
      }
      if (event.stage === 'started') return;
      applyProgress(job.progress, event);
      const wait = job.lastEmit + interval - timers.now();
      if (wait <= 0 && job.timer === undefined) flush(jobId);
      else if (job.timer === undefined) job.timer = timers.setTimeout(() => flush(jobId), Math.max(0, wait));
    },
    end(jobId) {
      const job = jobs.get(jobId);
      if (job?.timer !== undefined) timers.clearTimeout(job.timer);
      jobs.delete(jobId);
    },
    get size() {
      return jobs.size;
    },
  };
}
