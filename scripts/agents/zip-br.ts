/**
 * The build's half of bot/agents/zip-br.ts: `<file>.zip.br`, a Brotli stream of HEAD_BYTES of
 * filler (stored, replaced per download by the ZIP's local header and name) and the executable,
 * open-ended so the bot can append the ZIP's central directory. Written once per target, so a
 * macOS or Linux ZIP goes out at about the Brotli size of its executable.
 *
 * The template is checked before it is kept: its first meta-block must be the stored filler, and
 * it must decode, with two heads that differ in every byte but the last two, to exactly that
 * head, the executable and a tail: then no back-reference reaches into the head, and any head
 * gives the right bytes. A filler the encoder happened to match against is replaced by another.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { constants, createBrotliCompress, createBrotliDecompress } from 'node:zlib';
import {
  type BrTemplate,
  brParts,
  HEAD_BYTES,
  HEAD_END,
  LAST_EMPTY_META_BLOCK,
  readBrTemplate,
} from '../../bot/agents/zip-br.ts';
import { BROTLI_LGWIN, BROTLI_QUALITY, type Compressed, sha256 } from './compress.ts';

export const ZIP_BR_SUFFIX = '.zip.br';

/** Pseudo-random bytes (incompressible, so the encoder stores them) ending in HEAD_END. */
export function filler(seed: number): Buffer {
  const blocks: Buffer[] = [];
  for (let i = 0; blocks.length * 64 < HEAD_BYTES; i++)
    blocks.push(createHash('sha512').update(`reconnect zip head ${seed} ${i}`).digest());
  const bytes = Buffer.concat(blocks).subarray(0, HEAD_BYTES);
  HEAD_END.copy(bytes, HEAD_BYTES - HEAD_END.length);
  return bytes;
}

/** Two heads that differ in every byte before HEAD_END. */
export function probeHeads(): [Buffer, Buffer] {
  const a = Buffer.alloc(HEAD_BYTES);
  for (let i = 0; i < HEAD_BYTES; i++) a[i] = (i % 251) + 1;
  const b = Buffer.from(a.map((x) => x ^ 0xff));
  for (const head of [a, b]) HEAD_END.copy(head, HEAD_BYTES - HEAD_END.length);
  return [a, b];
}

const flush = (stream: ReturnType<typeof createBrotliCompress>) =>
  new Promise<void>((resolve) => stream.flush(constants.BROTLI_OPERATION_FLUSH, () => resolve()));

/** Compresses fill + file with a flush after each, then drops the last (empty) meta-block. */
export async function writeTemplate(file: string, out: string, fill: Buffer): Promise<void> {
  const { size } = await stat(file);
  const br = createBrotliCompress({
    params: {
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_GENERIC,
      [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY,
      [constants.BROTLI_PARAM_LGWIN]: BROTLI_LGWIN,
      [constants.BROTLI_PARAM_SIZE_HINT]: size + fill.length,
    },
  });
  const written = pipeline(br, createWriteStream(out));
  br.write(fill);
  await flush(br);
  for await (const chunk of createReadStream(file)) {
    if (!br.write(chunk)) await new Promise((resolve) => br.once('drain', resolve));
  }
  await flush(br);
  br.end();
  await written;
  // After a flush the encoder ends the stream with one byte: ISLAST, ISLASTEMPTY. The bot
  // writes its own after the central directory. (Anything else fails the decode check below.)
  const handle = await open(out, 'r+');
  try {
    const { size: length } = await handle.stat();
    const last = Buffer.alloc(1);
    await handle.read(last, 0, 1, length - 1);
    if (last.equals(LAST_EMPTY_META_BLOCK)) await handle.truncate(length - 1);
  } finally {
    await handle.close();
  }
}

/** Whether the template, given `head` and `tail`, decodes to head + file + tail exactly. */
export async function decodesTo(template: BrTemplate, file: string, head: Buffer, tail: Buffer) {
  const parts = brParts(template, head, tail);
  const expected = createHash('sha256').update(head);
  for await (const chunk of createReadStream(file)) expected.update(chunk as Buffer);
  expected.update(tail);
  const got = createHash('sha256');
  async function* wire() {
    yield parts.prefix;
    yield* createReadStream(template.path, { start: parts.from, end: parts.to - 1 });
    yield parts.suffix;
  }
  try {
    await pipeline(
      Readable.from(wire()),
      createBrotliDecompress(),
      async (decoded: AsyncIterable<Buffer>) => {
        for await (const chunk of decoded) got.update(chunk);
      },
    );
  } catch {
    return false;
  }
  return got.digest('hex') === expected.digest('hex');
}

/** Writes `file` + ZIP_BR_SUFFIX (through a temporary name), checked as the header says. */
export async function compressZipBr(file: string): Promise<Compressed> {
  const out = `${file}${ZIP_BR_SUFFIX}`;
  const tmp = `${out}.${process.pid}.tmp`;
  const tail = Buffer.from('reconnect: the tail a download replaces');
  try {
    for (let seed = 0; seed < 4; seed++) {
      await writeTemplate(file, tmp, filler(seed));
      const template = await readBrTemplate(tmp);
      const [a, b] = probeHeads();
      if ((await decodesTo(template, file, a, tail)) && (await decodesTo(template, file, b, tail))) {
        await rename(tmp, out);
        return { file: out, sha256: await sha256(out), size: (await stat(out)).size };
      }
    }
    throw new Error(`${file}: no Brotli ZIP template decodes independently of its head`);
  } finally {
    await rm(tmp, { force: true });
  }
}

// node scripts/agents/zip-br.ts FILE: a fresh template for one executable (after re-signing it).
if (import.meta.main) {
  const [file, ...rest] = process.argv.slice(2);
  if (!file || rest.length) {
    console.error(
      'usage: node scripts/agents/zip-br.ts FILE  (writes FILE.zip.br, prints its sha256 and size)',
    );
    process.exitCode = 2;
  } else console.log(JSON.stringify(await compressZipBr(file)));
}
