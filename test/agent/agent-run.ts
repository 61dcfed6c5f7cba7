/**
 * Runs `reconnect-agent` as a user would: a child process with only the lab's environment
 * (no inherited proxy variables, RECONNECT_LAB=1 always), optionally inside a namespace.
 */
import { join } from 'node:path';
import type { Report } from '../../probes/report.ts';
import type { LabNetns, RunResult } from '../lab/netns.ts';
import { runProcess } from '../lab/netns.ts';

export const ROOT = join(import.meta.dirname, '..', '..');
export const AGENT_SOURCES = join(ROOT, 'probes', 'agent', 'main.ts');
export const AGENT_BUNDLE = join(ROOT, 'dist', 'reconnect-agent.js');

export interface AgentRun extends RunResult {
  report?: Report;
}

export async function runAgent(
  args: string[],
  env: Record<string, string>,
  options: { netns?: LabNetns; entry?: string; node?: string; timeoutMs?: number; executable?: string } = {},
): Promise<AgentRun> {
  if (env.RECONNECT_LAB !== '1') throw new Error('runAgent: the lab interlock must be on (RECONNECT_LAB=1)');
  // A single executable (npm run build:agents) is its own Node: no entry script.
  const node = options.executable ?? options.node ?? process.execPath;
  const argv = options.executable ? args : [options.entry ?? AGENT_SOURCES, ...args];
  const run = { env, timeoutMs: options.timeoutMs ?? 30_000 };
  const result = options.netns ? await options.netns.run(node, argv, run) : await runProcess(node, argv, run);
  let report: Report | undefined;
  if (args.includes('--json')) {
    try {
      report = JSON.parse(result.stdout) as Report;
    } catch {
      report = undefined;
    }
  }
  return { ...result, report };
}

/** Finding ids of a report in order, for one-line assertions. */
export function ids(report: Report | undefined): string[] {
  return (report?.findings ?? []).map((f) => f.id);
}
