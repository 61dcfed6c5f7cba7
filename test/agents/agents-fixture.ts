/**
 * A stand-in for what `npm run build:agents` writes to dist/agents: manifest.json and, per target,
 * a file of opaque bytes with its gzip and Brotli twins (for macOS and Linux the Brotli ZIP
 * template, made by the build's own code). The bot serves the bytes without reading them, so
 * recognisable fake ones show that what arrives is exactly what was built.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { isWindows, TARGETS, type Target } from '../../bot/agents/executables.ts';
import { compressZipBr } from '../../scripts/agents/zip-br.ts';

export interface FixtureAgents {
  dir: string;
  bytes: Map<Target, Buffer>;
}

/** Writes the manifest and files for `targets` (default all) into `dir`; `body` picks the bytes. */
export async function writeAgentsFixture(
  dir: string,
  options: { targets?: readonly Target[]; body?: (target: Target) => Buffer } = {},
): Promise<FixtureAgents> {
  const bytes = new Map<Target, Buffer>();
  const targets: Record<string, unknown> = {};
  for (const target of options.targets ?? TARGETS) {
    const file = `reconnect-agent-${target}${target.startsWith('windows-') ? '.exe' : ''}`;
    // Compressible but not trivial, so the gzip stream has real deflate blocks.
    const body =
      options.body?.(target) ??
      Buffer.from(
        Array.from({ length: 4000 }, (_, i) => `${target} line ${i} ${(i * 7919) % 1000}\n`).join(''),
      );
    const gz = gzipSync(body);
    writeFileSync(join(dir, file), body);
    writeFileSync(join(dir, `${file}.gz`), gz);
    bytes.set(target, body);
    const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    let brotli: Record<string, unknown>;
    if (isWindows(target)) {
      const br = brotliCompressSync(body);
      writeFileSync(join(dir, `${file}.br`), br);
      brotli = { brFile: `${file}.br`, brSha256: sha(br), brSize: br.length };
    } else {
      const zipBr = await compressZipBr(join(dir, file));
      brotli = { zipBrFile: `${file}.zip.br`, zipBrSha256: zipBr.sha256, zipBrSize: zipBr.size };
    }
    targets[target] = {
      file,
      sha256: sha(body),
      size: body.length,
      gzipFile: `${file}.gz`,
      gzipSha256: sha(gz),
      gzipSize: gz.length,
      ...brotli,
      nodeVersion: '24.21.0',
    };
  }
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ version: '0.1.0', targets }, null, 2));
  return { dir, bytes };
}
