/**
 * Carries out an action plan, after consent, or prints it (dry run). Executables run through
 * an injected runner (execFile by default: an argument list, never a shell string); folders
 * are renamed to their backup, never deleted, and a move never overwrites an existing folder.
 */
import { execFile } from 'node:child_process';
import { lstat, rename } from 'node:fs/promises';
import { type CommandRunner, runCommand } from '../device/command.ts';
import { restoreCommand } from './plan.ts';
import type { ActionOutcome, ActionPlan, ActionStatus, ActionStep, StepOutcome } from './types.ts';

/** execFile with both output streams: tools such as resolvectl explain failures on stderr. */
export const actionRunner: CommandRunner = (cmd, args, options) =>
  new Promise((resolve, reject) => {
    execFile(
      cmd,
      args,
      { signal: options?.signal, windowsHide: true, maxBuffer: 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        // A numeric code is the command's exit status; a string code means it never ran.
        if (error && typeof (error as NodeJS.ErrnoException).code !== 'number') reject(error);
        else {
          const code = error ? Number((error as NodeJS.ErrnoException).code) : 0;
          resolve({ stdout: [stdout, stderr].filter(Boolean).join('\n'), code });
        }
      },
    );
  });

/** Folder operations, injectable so a test can simulate a folder in use. */
export interface ActionFs {
  exists(path: string): Promise<boolean>;
  rename(from: string, to: string): Promise<void>;
}

export const realFs: ActionFs = {
  async exists(path) {
    try {
      await lstat(path);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
  },
  rename,
};

export interface ExecuteOptions {
  run?: CommandRunner;
  fs?: ActionFs;
  /** Print and report the plan; change nothing. */
  dryRun?: boolean;
  /** Bounds every command; a step started after it aborts is skipped. */
  signal: AbortSignal;
}

function lastLine(text: string): string {
  const lines = text.trim().split(/\r?\n/).filter(Boolean);
  return (lines.at(-1) ?? '').slice(0, 300);
}

async function runExec(
  step: Extract<ActionStep, { type: 'exec' }>,
  options: ExecuteOptions,
): Promise<StepOutcome> {
  try {
    const out = await runCommand(options.run ?? actionRunner, step.file, step.args, options.signal);
    if (out.code === 0) return { label: step.label, status: 'ok', detail: lastLine(out.stdout) || undefined };
    const hint = step.admin ? ' (it needs administrator rights)' : '';
    return {
      label: step.label,
      status: 'failed',
      detail: `exit status ${out.code}${hint}${lastLine(out.stdout) ? `: ${lastLine(out.stdout)}` : ''}`,
    };
  } catch (err) {
    return { label: step.label, status: 'failed', detail: (err as Error).message };
  }
}

async function runMove(step: Extract<ActionStep, { type: 'move' }>, fs: ActionFs): Promise<StepOutcome> {
  try {
    if (!(await fs.exists(step.from)))
      return { label: step.label, status: 'skipped', detail: `${step.from} is not there` };
    if (await fs.exists(step.to)) {
      return { label: step.label, status: 'failed', detail: `${step.to} already exists; nothing was moved` };
    }
    await fs.rename(step.from, step.to);
    return { label: step.label, status: 'ok', detail: `moved to ${step.to}` };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const busy = code === 'EBUSY' || code === 'EPERM' || code === 'EACCES';
    const hint = busy ? ' (quit Teams completely and try again)' : '';
    return {
      label: step.label,
      status: 'failed',
      detail: `${code ?? 'error'}: ${(err as Error).message}${hint}`,
    };
  }
}

function overall(steps: StepOutcome[]): ActionStatus {
  const ok = steps.filter((s) => s.status === 'ok').length;
  const failed = steps.filter((s) => s.status === 'failed').length;
  if (failed === 0) return 'done';
  return ok > 0 ? 'partial' : 'failed';
}

/**
 * The plan without moves of folders that are not there, so the consent question lists only
 * what would change. Commands always stay.
 */
export async function withoutMissing(plan: ActionPlan, fs: ActionFs = realFs): Promise<ActionPlan> {
  const steps: ActionStep[] = [];
  for (const step of plan.steps) if (step.type === 'exec' || (await fs.exists(step.from))) steps.push(step);
  return { ...plan, steps };
}

/** Runs the plan's steps in order (a failed step does not stop the ones after it). */
export async function executeAction(plan: ActionPlan, options: ExecuteOptions): Promise<ActionOutcome> {
  if (options.dryRun) {
    return {
      action: plan.action,
      status: 'dry_run',
      steps: plan.steps.map((s) => ({ label: s.label, status: 'planned' })),
      restore: [],
    };
  }
  const fs = options.fs ?? realFs;
  const steps: StepOutcome[] = [];
  const restore: string[] = [];
  for (const step of plan.steps) {
    if (options.signal.aborted) {
      steps.push({
        label: step.label,
        status: 'skipped',
        detail: 'the job ran out of time before this step',
      });
      continue;
    }
    const outcome = step.type === 'exec' ? await runExec(step, options) : await runMove(step, fs);
    steps.push(outcome);
    if (step.type === 'move' && outcome.status === 'ok')
      restore.push(restoreCommand(plan.os, step.from, step.to));
  }
  return { action: plan.action, status: overall(steps), steps, restore };
}
