/**
 * Network namespaces for faults that need the kernel: dropped SYNs, dead resolvers, dropped
 * UDP, unreachable routes. Each namespace gets a veth pair to the test's own namespace
 * (10.213.N.1 on our side, 10.213.N.2 inside) and NO default route, so nothing run inside can
 * reach beyond the lab servers the test binds on hostAddress. Requires root (CI runs as root);
 * when the namespace cannot be made this throws, so the test fails rather than skips.
 */
import { type SpawnOptions, spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: Record<string, string>;
  input?: string;
  timeoutMs?: number;
  /** Run as this user and group (root only), e.g. nobody to see permission errors. */
  uid?: number;
  gid?: number;
}

export interface LabNetns {
  name: string;
  /** Our side of the veth: bind lab servers here so the namespace can reach them. */
  hostAddress: string;
  /** The namespace's side of the veth. */
  nsAddress: string;
  /** For RECONNECT_LAB_NETS / the interlock inside the namespace. */
  labNets: string;
  /** Our side's interface name (more lab addresses can be added to it). */
  outer: string;
  /** The same veth's IPv6 (ULA) addresses and net: our side, the namespace's side. */
  hostAddress6: string;
  nsAddress6: string;
  labNets6: string;
  /** Runs a command inside the namespace (argument list, no shell). */
  run(cmd: string, args: string[], options?: RunOptions): Promise<RunResult>;
  /** iptables inside the namespace, e.g. iptables('-A', 'OUTPUT', '-p', 'udp', '-j', 'DROP'). */
  iptables(...args: string[]): Promise<void>;
  /** Writes /etc/netns/NAME/resolv.conf, which `ip netns exec` mounts over /etc/resolv.conf. */
  setResolvConf(text: string): Promise<void>;
  close(): Promise<void>;
}

/** Runs a command in our own namespace; rejects with its stderr when it exits non-zero. */
export async function sh(
  cmd: string,
  args: string[],
  options: RunOptions & { spawn?: SpawnOptions } = {},
): Promise<RunResult> {
  const result = await runProcess(cmd, args, options);
  if (result.code !== 0) {
    throw new Error(
      `${cmd} ${args.join(' ')} exited ${result.code}: ${result.stderr.trim() || result.stdout.trim()}`,
    );
  }
  return result;
}

export function runProcess(cmd: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      env: options.env ?? { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
      ...(options.uid !== undefined && { uid: options.uid, gid: options.gid ?? options.uid }),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    const timer = options.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), options.timeoutMs) : undefined;
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    // A child that exits before reading its input closes the pipe: that is not an error here.
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
  });
}

export async function createLabNetns(): Promise<LabNetns> {
  let lastError: unknown;
  // A random subnet index lets test files run in parallel; a clash just picks another.
  for (let attempt = 0; attempt < 8; attempt++) {
    const n = randomInt(1, 250);
    const name = `rclab${n}`;
    try {
      await sh('ip', ['netns', 'add', name]);
    } catch (err) {
      lastError = err;
      continue;
    }
    try {
      return await configure(name, n);
    } catch (err) {
      await runProcess('ip', ['netns', 'del', name]);
      await runProcess('ip', ['link', 'del', `rch${n}`]);
      lastError = err;
    }
  }
  throw new Error(
    `could not create a lab network namespace (needs root and iproute2: apt-get install iproute2 iptables): ${String(lastError)}`,
  );
}

async function configure(name: string, n: number): Promise<LabNetns> {
  const hostAddress = `10.213.${n}.1`;
  const nsAddress = `10.213.${n}.2`;
  const outer = `rch${n}`;
  const inner = `rcn${n}`;
  const inNs = (...args: string[]) => sh('ip', ['netns', 'exec', name, ...args]);
  await inNs('ip', 'link', 'set', 'lo', 'up');
  await sh('ip', ['link', 'add', outer, 'type', 'veth', 'peer', 'name', inner, 'netns', name]);
  await sh('ip', ['addr', 'add', `${hostAddress}/24`, 'dev', outer]);
  await sh('ip', ['link', 'set', outer, 'up']);
  await inNs('ip', 'addr', 'add', `${nsAddress}/24`, 'dev', inner);
  await inNs('ip', 'link', 'set', inner, 'up');
  // IPv6 on the same link; nodad: usable at once instead of after duplicate address detection.
  const hostAddress6 = `fd00:213:${n}::1`;
  const nsAddress6 = `fd00:213:${n}::2`;
  await sh('ip', ['-6', 'addr', 'add', `${hostAddress6}/64`, 'dev', outer, 'nodad']);
  await inNs('ip', '-6', 'addr', 'add', `${nsAddress6}/64`, 'dev', inner, 'nodad');
  const etcDir = `/etc/netns/${name}`;
  return {
    name,
    hostAddress,
    nsAddress,
    labNets: `10.213.${n}.0/24`,
    outer,
    hostAddress6,
    nsAddress6,
    labNets6: `fd00:213:${n}::/64`,
    run: (cmd, args, options) => runProcess('ip', ['netns', 'exec', name, cmd, ...args], options),
    async iptables(...args) {
      await inNs('iptables', ...args);
    },
    async setResolvConf(text) {
      await mkdir(etcDir, { recursive: true });
      await writeFile(`${etcDir}/resolv.conf`, text);
    },
    async close() {
      await runProcess('ip', ['netns', 'del', name]);
      await runProcess('ip', ['link', 'del', outer]);
      await rm(etcDir, { recursive: true, force: true });
    },
  };
}
