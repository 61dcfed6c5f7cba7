/**
 * The on-the-wire copies of each executable, served as they are: `<file>.gz` (gzip -9, every
 * browser) and `<file>.br` (Brotli, for browsers that send `Accept-Encoding: br`). Brotli with a
 * 16 MiB window takes about a fifth off gzip's size on these binaries, which is what brings
 * every target under the 40 MB budget.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { pipeline } from 'node:stream/promises';
import { constants, createBrotliCompress, createGzip } from 'node:zlib';

export type Encoding = 'gzip' | 'br';

/** File name suffix per encoding. */
export const SUFFIX: Record<Encoding, string> = { gzip: '.gz', br: '.br' };

/**
 * Brotli quality 6: measured on the stripped linux-x64 executable, quality 5 gives 35.0 MB in
 * ~4 s of CPU, 6 gives 34.3 MB in ~6 s, 9 gives 33.0 MB in ~80 s. Past 6 each MB costs a minute
 * of CPU per target; 6 keeps all six targets under the budget and the build within minutes.
 * Window 24 (16 MiB, the largest the format allows without large-window mode, which browsers
 * do not decode).
 */
export const BROTLI_QUALITY = 6;
export const BROTLI_LGWIN = 24;

export interface Compressed {
  file: string;
  sha256: string;
  size: number;
}

export async function sha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function compressor(encoding: Encoding, sizeHint: number) {
  if (encoding === 'gzip') return createGzip({ level: 9 });
  return createBrotliCompress({
    params: {
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_GENERIC,
      [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY,
      [constants.BROTLI_PARAM_LGWIN]: BROTLI_LGWIN,
      [constants.BROTLI_PARAM_SIZE_HINT]: sizeHint,
    },
  });
}

/** Writes `file` + SUFFIX[encoding] (through a temporary name, so no half file is ever served). */
export async function compress(file: string, encoding: Encoding): Promise<Compressed> {
  const out = `${file}${SUFFIX[encoding]}`;
  const tmp = `${out}.${process.pid}.tmp`;
  const { size } = await stat(file);
  await pipeline(createReadStream(file), compressor(encoding, size), createWriteStream(tmp));
  await rename(tmp, out);
  return { file: out, sha256: await sha256(out), size: (await stat(out)).size };
}

/**
 * A gate that lets at most `limit` jobs run at once (one per core by default: each compression
 * stream is one thread's work), so compressing one target overlaps building the next without
 * oversubscribing the machine.
 */
export function limiter(limit = availableParallelism()): <T>(job: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: Array<() => void> = [];
  return async (job) => {
    // A finished job hands its slot straight to the next waiter, so `active` never overshoots.
    if (active < limit) active++;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await job();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active--;
    }
  };
}
