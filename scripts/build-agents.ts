/**
 * npm run build:agents: the agent as a single executable per platform, for people without Node.
 *
 * Each target starts from its platform's official Node binary (scripts/agents/fetch.ts) and
 * gets the one-file agent (scripts/build.ts) injected as a Node SEA blob by `--build-sea`, run
 * by the linux-x64 Node of the same version (a blob from another version crashes the target).
 * Blobs carry neither a V8 snapshot nor a code cache, as cross-platform blobs must. Windows
 * binaries lose the official signature first and may get the operator's; macOS binaries get a
 * fresh ad-hoc signature, without which Apple silicon refuses to run them.
 *
 * Output, read by the bot's download routes: dist/agents/<file>, <file>.gz (served as is with
 * Content-Encoding: gzip) and manifest.json. AGENT_TARGETS limits the targets (config.ts).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createGzip } from 'node:zlib';
import {
  type AgentBuildConfig,
  BUILDERS,
  loadBuildConfig,
  type Target,
  type TargetSpec,
} from './agents/config.ts';
import { nodeBinary } from './agents/fetch.ts';
import { adhocSign } from './agents/macho-sign.ts';
import { authenticodeSign, unsignedCopy } from './agents/pe.ts';
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
  nodeVersion: string;
}

export interface Manifest {
  version: string;
  targets: Partial<Record<Target, ManifestEntry>>;
}

/** The identifier in the macOS code signature (codesign would use the file name). */
export const MACOS_IDENTIFIER = 'reconnect-agent';

async function sha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Injects the agent into one target's Node binary; returns the finished executable's path in `work`. */
async function buildTarget(
  spec: TargetSpec,
  bundle: string,
  config: AgentBuildConfig,
  work: string,
): Promise<string> {
  const official = await nodeBinary(spec.node, config.cacheDir);
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
 * (AGENT_TARGETS=linux-x64) does not hide the others. `gzip: false` skips the compressed copy
 * (tests that only run the executable).
 */
export async function buildAgents(
  config: AgentBuildConfig,
  options: { gzip?: boolean; log?: (line: string) => void } = {},
): Promise<Manifest> {
  if (process.platform !== 'linux' || process.arch !== 'x64')
    throw new Error('build:agents runs on linux-x64: the blobs come from the linux-x64 Node of each version');
  const gzip = options.gzip ?? true;
  const version = (JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version: string })
    .version;
  const bundle = (await buildAgent()).path;
  await mkdir(config.outDir, { recursive: true });
  const manifestPath = join(config.outDir, 'manifest.json');
  const previous = await readManifest(manifestPath);
  const manifest: Manifest = { version, targets: {} };
  for (const [target, entry] of Object.entries(previous?.targets ?? {}) as Array<[Target, ManifestEntry]>) {
    if (existsSync(join(config.outDir, entry.file)) && existsSync(join(config.outDir, entry.gzipFile)))
      manifest.targets[target] = entry;
  }
  await mkdir(config.cacheDir, { recursive: true });
  const work = await mkdtemp(join(config.cacheDir, 'work-'));
  try {
    for (const spec of config.targets) {
      const started = performance.now();
      const built = await buildTarget(spec, bundle, config, work);
      const file = join(config.outDir, spec.file);
      await rename(built, file);
      const entry: ManifestEntry = {
        file: spec.file,
        sha256: await sha256(file),
        size: (await stat(file)).size,
        gzipFile: `${spec.file}.gz`,
        gzipSha256: '',
        gzipSize: 0,
        nodeVersion: spec.node.version,
      };
      if (gzip) {
        const gz = join(config.outDir, entry.gzipFile);
        await pipeline(createReadStream(file), createGzip({ level: 9 }), createWriteStream(gz));
        entry.gzipSha256 = await sha256(gz);
        entry.gzipSize = (await stat(gz)).size;
        manifest.targets[spec.target] = entry;
      } else {
        delete manifest.targets[spec.target];
      }
      options.log?.(
        `${spec.target.padEnd(14)} ${spec.file.padEnd(34)} ${(entry.size / 1e6).toFixed(1)} MB raw  ${gzip ? `${(entry.gzipSize / 1e6).toFixed(1)} MB gzip` : 'no gzip'}  node ${spec.node.version}  ${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  await writeFile(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const config = loadBuildConfig(process.env, root);
  const started = performance.now();
  await buildAgents(config, { log: (line) => process.stdout.write(`${line}\n`) });
  process.stdout.write(
    `built ${config.targets.length} agent executables into ${config.outDir} in ${((performance.now() - started) / 1000).toFixed(0)} s\n`,
  );
}
