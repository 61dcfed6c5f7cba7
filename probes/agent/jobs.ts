/**
 * Runs the jobs the bot sends, one at a time: check, recheck and watch through runCheck
 * (streaming progress; a watch also each round, and a cancel ends its rounds early), actions only after the agent's own guard and a yes typed on this computer. A job
 * is run at most once per id: a re-sent job (after a reconnect) gets the result it already
 * has, or nothing while it still runs.
 */
import type { AskConsent } from '../actions/consent.ts';
import { describeStep, planAction } from '../actions/plan.ts';
import { executeAction, withoutMissing } from '../actions/run.ts';
import type { ActionOutcome, ActionPlan } from '../actions/types.ts';
import type { Report } from '../report.ts';
import type { ProgressEvent } from '../runner.ts';
import type { Catalog } from '../types.ts';
import type { CheckOptions, WatchSettings } from './check.ts';
import type { AgentConfig } from './config.ts';
import type { JobGuard } from './job-guard.ts';
import type { AgentMessage, CompactProgress, JobMessage, ResultMessage } from './protocol.ts';
import { progressPrinter, summaryText, type Writer, watchPrinter } from './render.ts';

export interface JobRunnerDeps {
  config: AgentConfig;
  catalog: Catalog;
  guard: JobGuard;
  consent: AskConsent;
  /** Progress and consent: sent now or dropped. */
  send(message: AgentMessage): void;
  /** Results: the caller keeps them until the server has them. */
  deliver(result: ResultMessage): void;
  runCheck(options: CheckOptions): Promise<Report>;
  executeAction?: typeof executeAction;
  out: Writer;
  err: Writer & { isTTY?: boolean };
  now?: () => number;
  /** A watch job's pause between rounds and its timer (tests); runCheck's defaults otherwise. */
  watch?: Pick<WatchSettings, 'intervalMs' | 'sleep'>;
  /** Printed after each result sent to the chat. */
  nextSteps?: string;
}

export interface JobRunner {
  handle(job: JobMessage): void;
  /** Answers a job that failed the protocol checks, so the server need not wait for its deadline. */
  refuse(jobId: string, why: string): void;
  /** Ends a watch job's rounds (it still reports what it saw); other jobs are not cancelled. */
  cancel(jobId: string): void;
  /** Jobs queued or running (for the resume list of the next hello). */
  active(): string[];
  /** Resolves when every job handed in so far has finished. */
  idle(): Promise<void>;
}

/** Results kept for re-sent jobs; older ones are forgotten. */
const KEEP_RESULTS = 20;

export function compactProgress(event: ProgressEvent): CompactProgress {
  if (event.type === 'planned')
    return { stage: 'planned', probes: event.probes.map(({ id, area }) => ({ id, area })) };
  if (event.type === 'started') return { stage: 'started', id: event.id, area: event.area };
  return { stage: 'finished', id: event.result.id, area: event.area, status: event.result.status };
}

export function createJobRunner(deps: JobRunnerDeps): JobRunner {
  const active = new Set<string>();
  const results = new Map<string, ResultMessage>();
  let chain: Promise<void> = Promise.resolve();
  /** A stop switch per watch job, queued or running. */
  const stops = new Map<string, AbortController>();
  const execute = deps.executeAction ?? executeAction;

  const finish = (result: ResultMessage) => {
    results.set(result.jobId, result);
    if (results.size > KEEP_RESULTS) results.delete(results.keys().next().value as string);
    deps.deliver(result);
  };

  const runChecks = async (job: JobMessage, signal: AbortSignal): Promise<ResultMessage> => {
    const only = job.kind === 'recheck' ? job.probes : undefined;
    const now = deps.now ?? Date.now;
    deps.out.write(
      only
        ? `\nRe-checking for the helpdesk: ${only.join(', ')}\n`
        : job.kind === 'watch'
          ? `\nThe helpdesk asked to keep checking for ${Math.round((job.watchMs ?? 0) / 1000)} s while you try to sign in…\n`
          : '\nRunning the checks the helpdesk asked for…\n',
    );
    const stop = stops.get(job.jobId);
    // The full check is the watch's first round: its failures count as that round's.
    let firstFailed = 0;
    const sendRound = (round: number, failed: number, leftMs: number) =>
      deps.send({
        v: 1,
        type: 'progress',
        jobId: job.jobId,
        event: { stage: 'round', round, failed, leftMs },
      });
    const printRound = watchPrinter(deps.err, deps.catalog.endpoints.length);
    const watch: WatchSettings | undefined =
      job.kind === 'watch' && job.watchMs !== undefined
        ? {
            ...deps.watch,
            durationMs: job.watchMs,
            ...(stop ? { stop: stop.signal } : {}),
            onRound(round, index, endsAt) {
              const leftMs = Math.max(0, Math.round(endsAt - now()));
              if (index === 1) sendRound(1, firstFailed, leftMs);
              printRound(round, index, endsAt);
              sendRound(index + 1, round.probes.filter((p) => p.status === 'fail').length, leftMs);
            },
          }
        : undefined;
    const print = progressPrinter(deps.err, { tty: Boolean(deps.err.isTTY) });
    const report = await deps.runCheck({
      config: deps.config,
      catalog: deps.catalog,
      only,
      signal,
      now: deps.now,
      ...(watch ? { watch } : {}),
      onProgress(event) {
        print(event);
        if (event.type === 'finished' && event.result.status === 'fail') firstFailed++;
        deps.send({ v: 1, type: 'progress', jobId: job.jobId, event: compactProgress(event) });
      },
    });
    if (only) {
      for (const p of report.probes) deps.out.write(`  ${p.status.padEnd(7)} ${p.id}\n`);
    } else deps.out.write(summaryText(report));
    deps.out.write('Sent to the chat.\n');
    if (deps.nextSteps) deps.out.write(deps.nextSteps);
    return { v: 1, type: 'result', jobId: job.jobId, report };
  };

  const printPlan = (plan: ActionPlan) => {
    deps.out.write(`\nThe helpdesk asks to change this computer:\n  ${plan.summary}\n`);
    for (const step of plan.steps) deps.out.write(`  - ${describeStep(plan.os, step)}\n`);
    for (const note of plan.notes) deps.out.write(`  Note: ${note}\n`);
  };

  const printOutcome = (outcome: ActionOutcome) => {
    for (const s of outcome.steps)
      deps.out.write(`  ${s.status.padEnd(7)} ${s.label}${s.detail ? ` (${s.detail})` : ''}\n`);
    if (outcome.restore.length > 0) {
      deps.out.write(
        'To undo this later: quit Teams, move any new folder of the same name out of the way, then run:\n',
      );
      for (const line of outcome.restore) deps.out.write(`  ${line}\n`);
    }
  };

  const runAction = async (job: JobMessage, signal: AbortSignal): Promise<ResultMessage> => {
    const action = job.action!;
    const plan = await withoutMissing(
      planAction(action, {
        platform: deps.config.platform,
        home: deps.config.home,
        folders: deps.config.folders,
        systemRoot: deps.config.systemRoot,
        now: (deps.now ?? Date.now)(),
      }),
    );
    let outcome: ActionOutcome;
    if (plan.steps.length === 0) {
      deps.out.write(
        '\nThe helpdesk asked to move the Teams caches aside, but there are none on this computer: nothing to do.\n',
      );
      return {
        v: 1,
        type: 'result',
        jobId: job.jobId,
        action: { action, status: 'done', steps: [], restore: [] },
      };
    }
    printPlan(plan);
    if (job.dryRun) {
      outcome = await execute(plan, { dryRun: true, signal });
      deps.out.write('Dry run: nothing was changed.\n');
    } else {
      const granted = await deps.consent('Allow this on this computer?', signal);
      deps.send({ v: 1, type: 'consent', jobId: job.jobId, granted });
      if (!granted) {
        deps.out.write('Declined: nothing was changed. The chat has been told.\n');
        outcome = {
          action,
          status: 'declined',
          steps: plan.steps.map((s) => ({
            label: s.label,
            status: 'skipped',
            detail: 'declined on this computer',
          })),
          restore: [],
        };
      } else {
        outcome = await execute(plan, { signal });
        printOutcome(outcome);
      }
    }
    return { v: 1, type: 'result', jobId: job.jobId, action: outcome };
  };

  const run = async (job: JobMessage) => {
    const signal = AbortSignal.timeout(job.deadlineMs);
    try {
      finish(job.kind === 'action' ? await runAction(job, signal) : await runChecks(job, signal));
    } catch (err) {
      const code = signal.aborted ? 'timeout' : 'failed';
      finish({ v: 1, type: 'result', jobId: job.jobId, error: { code, message: (err as Error).message } });
    } finally {
      active.delete(job.jobId);
      stops.delete(job.jobId);
    }
  };

  const refuse = (jobId: string, why: string) => {
    deps.err.write(`reconnect-agent: refused a job from the server: ${why}\n`);
    finish({ v: 1, type: 'result', jobId, error: { code: 'refused', message: why } });
  };

  return {
    handle(job) {
      const done = results.get(job.jobId);
      if (done) return deps.deliver(done);
      if (active.has(job.jobId)) return;
      try {
        deps.guard.check(job);
      } catch (err) {
        return refuse(job.jobId, (err as Error).message);
      }
      active.add(job.jobId);
      if (job.kind === 'watch') stops.set(job.jobId, new AbortController());
      chain = chain.then(() => run(job));
    },
    refuse,
    cancel(jobId) {
      const stop = stops.get(jobId);
      // A repeat (another replica, a reconnect) changes nothing.
      if (!stop || stop.signal.aborted) return;
      deps.out.write('The helpdesk stopped the watch; sending what was seen so far.\n');
      stop.abort();
    },
    active: () => [...active],
    idle: () => chain,
  };
}
