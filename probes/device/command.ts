/**
 * Runs the device-state commands (dsregcmd, PowerShell, app-sso). Always an executable and an
 * argument list through execFile, never a shell string, and always bounded by the caller's
 * AbortSignal: a hung command ends at the deadline even when an injected runner ignores it.
 */
import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';

export interface CommandOutput {
  stdout: string;
  /** The exit status; commands that report state may exit non-zero and still print it. */
  code: number;
}

/** Injected by tests; the third argument is optional so plain `(cmd, args) => …` fakes fit. */
export type CommandRunner = (
  cmd: string,
  args: string[],
  options?: { signal: AbortSignal },
) => Promise<CommandOutput>;

/** Whether a path exists (Company Portal's app bundle). Injected by tests. */
export type PathExists = (path: string) => Promise<boolean>;

export type CommandFailure = 'timeout' | 'missing' | 'failed';

export class CommandError extends Error {
  readonly kind: CommandFailure;
  /** The platform's code (ENOENT, EACCES, ABORT_ERR…). */
  readonly code: string;
  constructor(kind: CommandFailure, code: string, message: string) {
    super(message);
    this.kind = kind;
    this.code = code;
  }
}

export const execFileRunner: CommandRunner = (cmd, args, options) =>
  new Promise((resolve, reject) => {
    execFile(
      cmd,
      args,
      { signal: options?.signal, windowsHide: true, maxBuffer: 4 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout) => {
        // A numeric code is the command's exit status; a string code means it never ran.
        if (error && typeof (error as NodeJS.ErrnoException).code !== 'number') reject(error);
        else resolve({ stdout, code: error ? Number((error as NodeJS.ErrnoException).code) : 0 });
      },
    );
  });

/** execFile's standard output; a non-zero exit is a CommandError (for commands whose output is data). */
export async function execStdout(
  cmd: string,
  args: string[],
  options?: { signal: AbortSignal },
): Promise<string> {
  const out = await execFileRunner(cmd, args, options);
  if (out.code !== 0)
    throw new CommandError('failed', `EXIT_${out.code}`, `${cmd} exited with code ${out.code}`);
  return out.stdout;
}

export const pathExists: PathExists = async (path) => {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
};

/** Runs `cmd args` until it ends or `signal` aborts; throws CommandError otherwise. */
export async function runCommand(
  run: CommandRunner,
  cmd: string,
  args: string[],
  signal: AbortSignal,
): Promise<CommandOutput> {
  const label = [cmd, ...args].join(' ');
  if (signal.aborted)
    throw new CommandError('timeout', 'ABORT_ERR', `${label}: no time left before the deadline`);
  let onAbort = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () =>
      reject(new CommandError('timeout', 'ABORT_ERR', `${label}: did not finish before the deadline`));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  const pending = Promise.resolve().then(() => run(cmd, args, { signal }));
  // After an abort the command may still fail later; that late rejection is expected.
  pending.catch(() => {});
  try {
    return await Promise.race([pending, aborted]);
  } catch (err) {
    if (err instanceof CommandError) throw err;
    if (signal.aborted)
      throw new CommandError('timeout', 'ABORT_ERR', `${label}: did not finish before the deadline`);
    const code = String((err as NodeJS.ErrnoException).code ?? 'ERROR');
    const kind = code === 'ENOENT' ? 'missing' : 'failed';
    throw new CommandError(
      kind,
      code,
      `${label}: ${kind === 'missing' ? 'command not found' : (err as Error).message}`,
    );
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
