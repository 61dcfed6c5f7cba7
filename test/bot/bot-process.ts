/**
 * `node bot/main.ts` as a real child process for tests (moved here from main-process.test.ts so
 * the restart tests share it): the bot listens on 127.0.0.1 with a free port, and the helper
 * resolves once the bot logs its URL. `after` in the test file must call `killAll()`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

const MAIN = join(import.meta.dirname, '..', '..', 'bot', 'main.ts');
const children: ChildProcess[] = [];

export interface Started {
  child: ChildProcess;
  url: string;
  stderr: () => string;
  /** The exit code, or null when a signal ended the process. */
  exited: Promise<number | null>;
}

/** Spawns the bot and resolves once it logs its URL (or rejects when it exits first / after 30 s). */
export function spawnBot(env: Record<string, string>): Promise<Started> {
  // Node flags of this run (e.g. --import hooks) carry over; test-runner flags do not.
  const flags = process.execArgv.filter((flag) => !flag.startsWith('--test'));
  const child = spawn(process.execPath, [...flags, MAIN], {
    env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', NODE_ENV: 'test', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`bot did not start within 30 s: ${stderr}`)), 30_000);
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const url = /"msg":"Reconnect is listening","url":"([^"]+)"/.exec(stderr)?.[1];
      if (url !== undefined) {
        clearTimeout(timer);
        resolve({ child, url, stderr: () => stderr, exited });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(Object.assign(new Error(`bot exited with ${code}: ${stderr}`), { code, stderr }));
    });
  });
}

/** SIGKILLs every bot this module spawned that is still running. */
export function killAll(): void {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}
