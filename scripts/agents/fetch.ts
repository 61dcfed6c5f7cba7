/**
 * The official Node binary of a platform, from the npm registry by exact version: fetched once
 * with `npm pack` (which checks the registry's integrity), checked again against the integrity
 * pinned in config.ts, unpacked, and kept in the cache so later builds download nothing.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import type { NodePackage } from './config.ts';

const run = promisify(execFile);

/** The `sha512-<base64>` integrity string of a file, as npm writes it. */
export async function integrityOf(file: string): Promise<string> {
  const hash = createHash('sha512');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return `sha512-${hash.digest('base64')}`;
}

/** `env` is npm's environment (its registry setting, say); the build passes its own. */
async function tarball(p: NodePackage, cacheDir: string, env: NodeJS.ProcessEnv): Promise<string> {
  const dir = join(cacheDir, 'npm');
  const file = join(dir, `${p.name}-${p.version}.tgz`);
  if (existsSync(file) && (await integrityOf(file)) === p.integrity) return file;
  await mkdir(dir, { recursive: true });
  // A fresh folder per download, renamed into place: parallel builds never see half a file.
  const tmp = await mkdtemp(join(dir, '.pack-'));
  try {
    const { stdout } = await run(
      'npm',
      ['pack', `${p.name}@${p.version}`, '--json', '--pack-destination', tmp, '--silent'],
      { maxBuffer: 64 * 1024 * 1024, env },
    );
    const packed = join(tmp, (JSON.parse(stdout) as Array<{ filename: string }>)[0].filename);
    const got = await integrityOf(packed);
    if (got !== p.integrity)
      throw new Error(`${p.name}@${p.version}: integrity ${got} is not the pinned ${p.integrity}`);
    await rename(packed, file);
    return file;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/**
 * Returns the path of `p`'s Node binary, unpacked in the cache. A stamp beside it records the
 * tarball integrity it came from, so a changed pin unpacks again.
 */
export async function nodeBinary(
  p: NodePackage,
  cacheDir: string,
  options: { npmEnv?: NodeJS.ProcessEnv } = {},
): Promise<string> {
  const dir = join(cacheDir, 'node', `${p.name}-${p.version}`);
  const dest = join(dir, basename(p.binary));
  const stamp = join(dir, '.integrity');
  if (existsSync(dest) && existsSync(stamp) && (await readFile(stamp, 'utf8')) === p.integrity) return dest;
  const tgz = await tarball(p, cacheDir, options.npmEnv ?? process.env);
  await mkdir(dir, { recursive: true });
  const tmp = await mkdtemp(join(dir, '.unpack-'));
  try {
    await run('tar', ['-xzf', tgz, '-C', tmp, p.binary]);
    await chmod(join(tmp, p.binary), 0o755);
    await rename(join(tmp, p.binary), dest);
    await writeFile(stamp, p.integrity);
    return dest;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
