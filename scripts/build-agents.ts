/**
 * npm run build:agents: the agent as a single executable per platform, for people without Node.
 *
 * Each target starts from its platform's official Node binary (scripts/agents/fetch.ts), without
 * its symbols (scripts/agents/strip.ts), and gets the one-file agent (scripts/build.ts) injected
 * as a Node SEA blob by `--build-sea`, run by the linux-x64 Node of the same version (a blob
 * from another version crashes the target). Blobs carry neither a V8 snapshot nor a code cache,
 * as cross-platform blobs must. Windows binaries lose the official signature first and may get
 * the operator's; macOS binaries get a fresh ad-hoc signature (after stripping and injection:
 * both change the pages), without which Apple silicon refuses to run them.
 *
 * Output, read by the bot's download routes: dist/agents/<file>, <file>.gz and, for Windows,
 * <file>.br (served as they are with Content-Encoding: gzip or br; scripts/agents/compress.ts),
 * for macOS and Linux <file>.zip.br (the ZIP's Brotli template, scripts/agents/zip-br.ts), and
 * manifest.json.
 * AGENT_TARGETS limits the targets (config.ts).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { compress, limiter, sha256 } from './agents/compress.ts';
import {
  type AgentBuildConfig,
  BUILDERS,
  loadBuildConfig,
  TARGETS,
  type Target,
  type TargetSpec,
} from './agents/config.ts';
import { nodeBinary } from './agents/fetch.ts';
import { adhocSign } from './agents/macho-sign.ts';
import { authenticodeSign, unsignedCopy } from './agents/pe.ts';
import { strippedCopy } from './agents/strip.ts';
import { compressZipBr } from './agents/zip-br.ts';
import { buildAgent } from './build.ts';

const run = promisify(execFile);
const root = join(fileURLToPath(new URL('.', import.meta.url)), '..');

export interface ManifestEntry {
  file: string;
  sha256: string;
  size: number;
  gzipFile: string;
  gzipSha256: string;
  gzipSize: number;
  /** Windows: the Brotli copy, for browsers that send `Accept-Encoding: br` (~20% smaller than gzip). */
  brFile?: string;
  brSha256?: string;
  brSize?: number;
  /** macOS and Linux: the Brotli template of the ZIP (scripts/agents/zip-br.ts), for the same browsers. */
  zipBrFile?: string;
  zipBrSha256?: string;
  zipBrSize?: number;
  nodeVersion: string;
}

export interface Manifest {
  version: string;
  targets: Partial<Record<Target, ManifestEntry>>;
}

/** The identifier in the macOS code signature (codesign would use the file name). */
export const MACOS_IDENTIFIER = 'reconnect-agent';

/** Injects the agent into one target's Node binary; returns the finished executable's path in `work`. */
async function buildTarget(
  spec: TargetSpec,
  bundle: string,
  config: AgentBuildConfig,
  work: string,
): Promise<string> {
  const official = await strippedCopy(await nodeBinary(spec.node, config.cacheDir), spec.os);
  const builder = await nodeBinary(BUILDERS[spec.node.version], config.cacheDir);
  const output = join(work, spec.file);
  const seaConfig = join(work, `${spec.target}.sea.json`);
  await writeFile(
    seaConfig,
    JSON.stringify({
      main: bundle,
      executable: spec.os === 'windows' ? await unsignedCopy(official) : official,
      output,
      disableExperimentalSEAWarning: true,
      useSnapshot: false,
      useCodeCache: false,
      // The bundle would re-exec itself with this flag (less memory for undici's wasm); an
      // executable takes its V8 flags from here instead. NODE_OPTIONS on the user's computer
      // (a developer tool's --require, say) must not reach the agent: 'none'.
      execArgv: ['--liftoff-only'],
      execArgvExtension: 'none',
    }),
  );
  await run(builder, ['--build-sea', seaConfig], { cwd: work, maxBuffer: 16 * 1024 * 1024 });
  if (spec.os === 'macos')
    await writeFile(output, adhocSign(await readFile(output), { identifier: MACOS_IDENTIFIER }));
  if (spec.os === 'windows' && config.sign) await authenticodeSign(output, config.sign);
  await chmod(output, 0o755);
  return output;
}

async function readManifest(path: string): Promise<Manifest | null> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Manifest;
  } catch {
    return null;
  }
}

/**
 * Builds `config.targets` into `config.outDir` and writes its manifest. Entries of targets not
 * built this time stay in the manifest while their files are still there, so a limited rebuild
 * (AGENT_TARGETS=linux-x64) does not hide the others. Each target's gzip and Brotli copies are
 * written while the next target builds. `compress: false` skips them (tests that only run the
 * executable) and leaves the target out of the manifest, which names only servable targets.
 */
export async function buildAgents(
  config: AgentBuildConfig,
  options: { compress?: boolean; log?: (line: string) => void } = {},
): Promise<Manifest> {
  if (process.platform !== 'linux' || process.arch !== 'x64')
    throw new Error('build:agents runs on linux-x64: the blobs come from the linux-x64 Node of each version');
  const compressed = options.compress ?? true;
  const version = (JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version: string })
    .version;
  const bundle = (await buildAgent()).path;
  await mkdir(config.outDir, { recursive: true });
  const manifestPath = join(config.outDir, 'manifest.json');
  const previous = await readManifest(manifestPath);
  const manifest: Manifest = { version, targets: {} };
  for (const [target, entry] of Object.entries(previous?.targets ?? {}) as Array<[Target, ManifestEntry]>) {
    const brotli = entry.brFile ?? entry.zipBrFile;
    if ([entry.file, entry.gzipFile, brotli].every((f) => f && existsSync(join(config.outDir, f))))
      manifest.targets[target] = entry;
  }
  await mkdir(config.cacheDir, { recursive: true });
  const work = await mkdtemp(join(config.cacheDir, 'work-'));
  const gate = limiter();
  const pending: Array<Promise<void>> = [];
  const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
  try {
    for (const spec of config.targets) {
      const started = performance.now();
      const built = await buildTarget(spec, bundle, config, work);
      const file = join(config.outDir, spec.file);
      await rename(built, file);
      const raw = { sha256: await sha256(file), size: (await stat(file)).size };
      delete manifest.targets[spec.target];
      const line = `${spec.target.padEnd(14)} ${spec.file.padEnd(34)} ${mb(raw.size)} raw  node ${spec.node.version}  built in ${((performance.now() - started) / 1000).toFixed(1)} s`;
      if (!compressed) {
        options.log?.(`${line}  not compressed`);
        continue;
      }
      // Brotli is the slower of the two: queued first, so the last target's wait is shortest.
      // Windows gets the executable's own Brotli copy; macOS and Linux, whose downloads are ZIPs
      // (for the run bit), a Brotli template of the ZIP.
      const windows = spec.os === 'windows';
      const br = gate(() => (windows ? compress(file, 'br') : compressZipBr(file)));
      const gz = gate(() => compress(file, 'gzip'));
      const done = Promise.all([gz, br]).then(([g, b]) => {
        const name = basename(b.file);
        manifest.targets[spec.target] = {
          file: spec.file,
          ...raw,
          gzipFile: `${spec.file}.gz`,
          gzipSha256: g.sha256,
          gzipSize: g.size,
          ...(windows
            ? { brFile: name, brSha256: b.sha256, brSize: b.size }
            : { zipBrFile: name, zipBrSha256: b.sha256, zipBrSize: b.size }),
          nodeVersion: spec.node.version,
        };
        options.log?.(`${line}  ${mb(g.size)} gzip  ${mb(b.size)} br`);
      });
      // Handled here so a failure surfaces at the Promise.all below, not as an unhandled rejection
      // while the next target builds.
      done.catch(() => {});
      pending.push(done);
    }
    await Promise.all(pending);
  } finally {
    await Promise.allSettled(pending);
    await rm(work, { recursive: true, force: true });
  }
  // Targets in TARGETS order, whichever finished compressing first.
  const targets = Object.fromEntries(
    TARGETS.flatMap((t) => (manifest.targets[t.target] ? [[t.target, manifest.targets[t.target]]] : [])),
  ) as Manifest['targets'];
  const ordered: Manifest = { version, targets };
  await writeFile(manifestPath, `${JSON.stringify(ordered, null, 2)}\n`);
  return ordered;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const config = loadBuildConfig(process.env, root);
  const started = performance.now();
  await buildAgents(config, { log: (line) => process.stdout.write(`${line}\n`) });
  process.stdout.write(
    `built ${config.targets.length} agent executables into ${config.outDir} in ${((performance.now() - started) / 1000).toFixed(0)} s\n`,
  );
}
