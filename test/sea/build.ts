/**
 * Builds agent executables for a test into a folder of its own (never dist/agents), with the
 * build's shared download cache: the official Node binaries come from the registry once, then
 * from .cache/agents. Each call builds afresh from the current sources.
 */
import { mkdtemp, rm } from 'node:fs/promises';
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
  options: { gzip?: boolean; env?: Record<string, string> } = {},
): Promise<TestBuild> {
  const dir = await mkdtemp(join(tmpdir(), 'reconnect-sea-'));
  const config = loadBuildConfig(
    { ...options.env, AGENT_TARGETS: targets.join(','), AGENT_OUT_DIR: dir },
    ROOT,
  );
  const manifest = await buildAgents(config, { gzip: options.gzip ?? false });
  return {
    dir,
    manifest,
    path: (target) => join(dir, config.targets.find((t) => t.target === target)?.file ?? ''),
    close: () => rm(dir, { recursive: true, force: true }),
  };
}
