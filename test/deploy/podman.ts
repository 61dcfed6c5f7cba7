/**
 * Podman for the container test, as this machine needs it (README "Containers"): runc instead
 * of crun (crun fails on this kernel's cgroups and on raising RLIMIT_NOFILE), raised default
 * ulimits, host networking only (podman's default bridge, 10.88.0.0/16, is not on this machine),
 * and no registry pulls: the base image is made here with debootstrap from Debian's repository.
 */
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CONF_DIR = mkdtempSync(join(tmpdir(), 'reconnect-podman-'));
const CONTAINERS_CONF = join(CONF_DIR, 'containers.conf');
writeFileSync(
  CONTAINERS_CONF,
  '[containers]\ndefault_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]\n[engine]\nruntime = "runc"\n',
);
const ENV = { ...process.env, CONTAINERS_CONF };

/** Why podman cannot run the test here, or undefined when it can. */
export async function podmanMissing(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'needs root (rootful podman, debootstrap)';
  for (const tool of ['podman', 'debootstrap', 'runc']) {
    const found = await run('sh', ['-c', `command -v ${tool}`]).then(
      () => true,
      () => false,
    );
    if (!found) return `${tool} is not installed (apt-get install podman debootstrap runc)`;
  }
  return undefined;
}

/** Runs a command; rejects with its output when it fails. */
export function run(
  file: string,
  args: string[],
  options: { timeoutMs?: number } = {},
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      { env: ENV, maxBuffer: 64 * 1024 * 1024, timeout: options.timeoutMs ?? 120_000 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${file} ${args.join(' ')} failed: ${error.message}\n${stderr}`));
        else resolve({ stdout, stderr });
      },
    );
  });
}

export const podman = (args: string[], timeoutMs?: number) => run('podman', args, { timeoutMs });

/** What makes the base; its hash is the image's tag, so a changed recipe makes a new base. */
const BASE_RECIPE = [
  'debootstrap --variant=minbase bookworm ROOT http://deb.debian.org/debian',
  // What debian:bookworm-slim leaves out as well: package caches and lists, docs, man pages, locales.
  'rm -rf ROOT/var/cache/apt/archives/*.deb ROOT/var/lib/apt/lists/* ROOT/usr/share/doc/* ROOT/usr/share/man/*',
  'find ROOT/usr/share/locale -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +',
];

/**
 * A Debian bookworm base made here (debootstrap, about 35-90 s), imported once and then reused
 * under a tag that is the recipe's hash.
 */
export async function localBase(): Promise<string> {
  const tag = `localhost/reconnect-base:bookworm-${createHash('sha256').update(BASE_RECIPE.join('\n')).digest('hex').slice(0, 12)}`;
  const exists = await podman(['image', 'exists', tag]).then(
    () => true,
    () => false,
  );
  if (exists) return tag;
  const work = mkdtempSync(join('/var/tmp', 'reconnect-base-'));
  const root = join(work, 'root');
  mkdirSync(root);
  try {
    for (const step of BASE_RECIPE)
      await run('sh', ['-c', step.replaceAll('ROOT', root)], { timeoutMs: 600_000 });
    await run('sh', ['-c', `tar -C ${root} -c . | podman import - ${tag}`], { timeoutMs: 300_000 });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return tag;
}

/** The host's CA bundle, which the build needs where a TLS-inspecting proxy sits before the registry. */
const HOST_CA = '/etc/ssl/certs/ca-certificates.crt';

/** `podman build` of the repository's Dockerfile on `base`; the layer cache makes a rerun quick. */
export async function buildImage(options: {
  context: string;
  base: string;
  tag: string;
  agentTargets?: string;
}): Promise<void> {
  const ca = existsSync(HOST_CA)
    ? ['-v', `${HOST_CA}:/run/build-ca.crt:ro`, '--build-arg', 'NODE_EXTRA_CA_CERTS=/run/build-ca.crt']
    : [];
  await podman(
    [
      'build',
      '--pull=never',
      '--network=host',
      // The OCI format drops HEALTHCHECK; the Docker format keeps it.
      '--format=docker',
      ...ca,
      '--build-arg',
      `BASE_IMAGE=${options.base}`,
      ...(options.agentTargets ? ['--build-arg', `AGENT_TARGETS=${options.agentTargets}`] : []),
      '-t',
      options.tag,
      options.context,
    ],
    30 * 60_000,
  );
}

/** Follows a container's output until a line matches; rejects when it exits first or after `ms`. */
export function waitForLog(name: string, pattern: RegExp, ms: number): Promise<RegExpExecArray> {
  const child = spawn('podman', ['logs', '-f', name], { env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
  let seen = '';
  return new Promise<RegExpExecArray>((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`no ${pattern} in ${ms} ms:\n${seen}`)), ms);
    const done = (error: Error | undefined, match?: RegExpExecArray) => {
      clearTimeout(timer);
      child.kill();
      if (error) reject(error);
      else resolve(match!);
    };
    const read = (chunk: Buffer) => {
      seen += chunk.toString();
      const match = pattern.exec(seen);
      if (match) done(undefined, match);
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.once('exit', () => done(new Error(`the container's log ended without ${pattern}:\n${seen}`)));
  });
}
