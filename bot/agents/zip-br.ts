/**
 * A Brotli stream whose first bytes are filled in per download, so macOS and Linux ZIPs travel
 * as Brotli (Content-Encoding: br) without compressing anything per download.
 *
 * A ZIP must start with its entry's local header, which holds the per-download name (the code).
 * The build (scripts/agents/zip-br.ts) compresses, once per target, `HEAD_BYTES` of filler and
 * then the executable, flushing in between, and checks that the filler came out as one
 * *uncompressed* meta-block (RFC 7932 §9.2: its bytes are stored as they are). The bot then
 * sends the template with those stored bytes replaced by the real ZIP head (padded to the same
 * length), followed by its own uncompressed meta-block with the ZIP's central directory and an
 * empty last meta-block. What the executable's meta-blocks decode to does not depend on the head
 * as long as the head has the filler's length (Brotli tells back-references from dictionary
 * words by the position in the output), ends in the same two bytes (literal context), and no
 * back-reference reaches into it: the build proves the last by decoding with two heads that
 * differ in every other byte.
 */
import { open } from 'node:fs/promises';

/** The filler's length: room for the local header, the longest name a download gets, padding. */
export const HEAD_BYTES = 512;
/** The filler's (and so every head's) last two bytes: the context of the first literal after it. */
export const HEAD_END = Buffer.from([0, 0]);
/** ISLAST and ISLASTEMPTY set: the stream ends here (RFC 7932 §9.2). */
export const LAST_EMPTY_META_BLOCK = Buffer.from([0x03]);

export interface BrTemplate {
  path: string;
  /** The stream header and the filler's meta-block header, sent as they are. */
  start: Buffer;
  /** Where the stored filler starts in the file, and its length (HEAD_BYTES when built here). */
  rawStart: number;
  headLength: number;
  /** The template's size: the filler is replaced, the rest is streamed from rawStart + headLength. */
  size: number;
}

export class BrTemplateError extends Error {}

/** Reads bits least significant first, as Brotli writes them. */
function bitReader(bytes: Buffer) {
  let at = 0;
  return {
    read(n: number): number {
      let value = 0;
      for (let i = 0; i < n; i++, at++) {
        if (at >> 3 >= bytes.length) throw new BrTemplateError('the Brotli stream ends in its header');
        value |= ((bytes[at >> 3] >> (at & 7)) & 1) << i;
      }
      return value >>> 0;
    },
    /** Skips to the next byte; the skipped bits must be zero (RFC 7932 §9.2). */
    align(): number {
      const pad = (8 - (at & 7)) & 7;
      if (this.read(pad) !== 0) throw new BrTemplateError('non-zero padding after the meta-block header');
      return at >> 3;
    },
  };
}

/**
 * Checks that `bytes` (a stream's first bytes) start with a stream header and an uncompressed,
 * not-last meta-block; returns where its stored bytes start and how many there are.
 */
export function parseStoredStart(bytes: Buffer): { rawStart: number; length: number } {
  const bits = bitReader(bytes);
  // WBITS (§9.1): 1, 4 or 7 bits; any window is fine here, only its length matters.
  if (bits.read(1) === 1 && bits.read(3) === 0) bits.read(3);
  if (bits.read(1) !== 0) throw new BrTemplateError('the first meta-block is the last one');
  const nibbles = bits.read(2);
  if (nibbles === 3) throw new BrTemplateError('the first meta-block is metadata, not the stored head');
  const length = bits.read(4 * (nibbles + 4)) + 1;
  if (bits.read(1) !== 1) throw new BrTemplateError('the first meta-block is compressed, not stored');
  return { rawStart: bits.align(), length };
}

/** An uncompressed, not-last meta-block holding `data` (1 byte to 16 MiB). */
export function storedMetaBlock(data: Buffer): Buffer {
  if (data.length < 1 || data.length > 1 << 24) throw new RangeError('a meta-block holds 1 byte to 16 MiB');
  const value = data.length - 1;
  // The fewest nibbles that hold the length (a stream with a needless zero nibble is invalid).
  const nibbles = value < 1 << 16 ? 4 : value < 1 << 20 ? 5 : 6;
  // ISLAST 0, MNIBBLES-4, MLEN-1, ISUNCOMPRESSED 1, then zero padding to the byte.
  let bits = BigInt(nibbles - 4) << 1n;
  bits |= BigInt(value) << 3n;
  bits |= 1n << BigInt(3 + 4 * nibbles);
  const header = Buffer.alloc(Math.ceil((4 + 4 * nibbles) / 8));
  for (let i = 0; i < header.length; i++) header[i] = Number((bits >> BigInt(8 * i)) & 0xffn);
  return Buffer.concat([header, data]);
}

/** Reads a template's start and checks it has a stored head of `HEAD_BYTES`. */
export async function readBrTemplate(path: string): Promise<BrTemplate> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const first = Buffer.alloc(Math.min(size, 16));
    await file.read(first, 0, first.length, 0);
    const { rawStart, length } = parseStoredStart(first);
    if (length !== HEAD_BYTES)
      throw new BrTemplateError(`${path}: its stored head is ${length} bytes, not ${HEAD_BYTES}`);
    if (rawStart + length > size) throw new BrTemplateError(`${path} ends inside its stored head`);
    return { path, start: first.subarray(0, rawStart), rawStart, headLength: length, size };
  } finally {
    await file.close();
  }
}

/**
 * One download's bytes around the template: send `prefix`, then the template's bytes
 * [from, to), then `suffix`. `head` must be `headLength` bytes ending in HEAD_END.
 */
export function brParts(
  template: BrTemplate,
  head: Buffer,
  tail: Buffer,
): { prefix: Buffer; from: number; to: number; suffix: Buffer; length: number } {
  if (head.length !== template.headLength || !head.subarray(-HEAD_END.length).equals(HEAD_END))
    throw new RangeError(
      `the head must be ${template.headLength} bytes ending in ${HEAD_END.toString('hex')}`,
    );
  const prefix = Buffer.concat([template.start, head]);
  const suffix = Buffer.concat([storedMetaBlock(tail), LAST_EMPTY_META_BLOCK]);
  const from = template.rawStart + template.headLength;
  return {
    prefix,
    from,
    to: template.size,
    suffix,
    length: prefix.length + template.size - from + suffix.length,
  };
}
