/**
 * Builds agent executables for a test into a folder of its own (never dist/agents), with the
 * build's shared download cache: the official Node binaries come from the registry once, then
 * from .cache/agents. Each call builds afresh from the current sources.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Target } from '../../scripts/agents/config.ts';
import { loadBuildConfig } from '../../scripts/agents/config.ts';
import { buildAgents, type Manifest } from '../../scripts/build-agents.ts';
import { ROOT } from '../agent/agent-run.ts';

export interface TestBuild {
  dir: string;
  manifest: Manifest;
  path(target: Target): string;
  close(): Promise<void>;
}

/** Downloading a platform's Node the first time is most of it; the builds themselves take seconds. */
export const BUILD_TIMEOUT_MS = 15 * 60_000;

export async function buildForTest(
  targets: Target[],
  options: { compress?: boolean; env?: Record<string, string> } = {},
): Promise<TestBuild> {
  const dir = await mkdtemp(join(tmpdir(), 'reconnect-sea-'));
  const config = loadBuildConfig(
    { ...options.env, AGENT_TARGETS: targets.join(','), AGENT_OUT_DIR: dir },
    ROOT,
  );
  const manifest = await buildAgents(config, { compress: options.compress ?? false });
  return {
    dir,
    manifest,
    path: (target) => join(dir, config.targets.find((t) => t.target === target)?.file ?? ''),
    close: () => rm(dir, { recursive: true, force: true }),
  };
}

const NODE_NAMES = /^(node|nodejs|npm|npx|corepack)$/;

/** A PATH of one folder linking every system command except Node's, as on a computer without Node. */
export async function pathWithoutNode(): Promise<{ dir: string; close: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'reconnect-nonode-'));
  for (const from of ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin']) {
    if (!existsSync(from)) continue;
    for (const name of await readdir(from)) {
      if (NODE_NAMES.test(name) || existsSync(join(dir, name))) continue;
      await symlink(join(from, name), join(dir, name)).catch(() => {});
    }
  }
  return { dir, close: () => rm(dir, { recursive: true, force: true }) };
}
