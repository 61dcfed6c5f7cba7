/**
 * The real agent as a child process, as a user starts it: `reconnect-agent pair CODE --server
 * URL` with only the lab's environment (RECONNECT_LAB=1 always). With `tty`, it runs under
 * script(1), so it has a real terminal and the test can type the consent answer into it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { AGENT_SOURCES } from '../agent/agent-run.ts';

export interface AgentProcess {
  child: ChildProcess;
  /** Everything printed so far (stdout and stderr; under a terminal they are one stream). */
  readonly output: string;
  /** Resolves with the first match after the previous waitFor's match; rejects after `ms`. */
  waitFor(pattern: RegExp, ms?: number): Promise<RegExpMatchArray>;
  /** Types a line into the agent's terminal (tty only). */
  type(line: string): void;
  readonly exited: Promise<number | null>;
  kill(signal?: NodeJS.Signals): void;
}

const sh = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;

export function startAgent(input: {
  code: string;
  server: string;
  env: Record<string, string>;
  tty?: boolean;
  /** What to run: the sources (default) or the one-file bundle (test/agent/agent-run.ts AGENT_BUNDLE). */
  entry?: string;
  /** The arguments instead of `pair CODE --server URL` ([] for a double-clicked agent). */
  args?: string[];
  /** Run inside this network namespace (`ip netns exec NAME …`). */
  netns?: string;
  /** A single executable (npm run build:agents) to run instead: it is its own Node. */
  executable?: string;
}): AgentProcess {
  if (input.env.RECONNECT_LAB !== '1')
    throw new Error('startAgent: the lab interlock must be on (RECONNECT_LAB=1)');
  const args = input.args ?? ['pair', input.code, '--server', input.server];
  const argv = [
    ...(input.netns ? ['ip', 'netns', 'exec', input.netns] : []),
    ...(input.executable ? [input.executable] : [process.execPath, input.entry ?? AGENT_SOURCES]),
    ...args,
  ];
  // detached: its own process group, so the cleanup reaches script(1)'s child as well.
  const child = input.tty
    ? spawn('script', ['-qfec', argv.map(sh).join(' '), '/dev/null'], {
        env: input.env,
        detached: true,
        stdio: ['pipe', 'pipe', 'pipe'],
      })
    : spawn(argv[0], argv.slice(1), { env: input.env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  let cursor = 0;
  const listeners = new Set<() => void>();
  const append = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    for (const l of [...listeners]) l();
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    get output() {
      return output;
    },
    waitFor(pattern, ms = 30_000) {
      return new Promise((resolve, reject) => {
        const look = () => {
          const rest = output.slice(cursor);
          const m = rest.match(pattern);
          if (!m) return;
          cursor += (m.index ?? 0) + m[0].length;
          listeners.delete(look);
          clearTimeout(timer);
          resolve(m);
        };
        const timer = setTimeout(() => {
          listeners.delete(look);
          reject(new Error(`agent did not print ${pattern} within ${ms} ms; it printed:\n${output}`));
        }, ms);
        listeners.add(look);
        look();
      });
    },
    type(line) {
      child.stdin?.write(`${line}\n`);
    },
    exited,
    kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.pid !== undefined) {
        try {
          process.kill(-child.pid, signal);
        } catch {
          // Already gone.
        }
      }
    },
  };
}
