/**
 * The smallest PNG codec the Teams package needs: encode an RGBA raster (8 bits per channel) and
 * read a PNG's size back, with node:zlib only (no image library in the tree).
 */
import { crc32, deflateSync } from 'node:zlib';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

/** Encodes `rgba` (width × height × 4 bytes, row by row) as a PNG (colour type 6, no interlace). */
export function encodePng(width: number, height: number, rgba: Uint8Array): Buffer {
  if (rgba.length !== width * height * 4)
    throw new Error(
      `encodePng: expected ${width * height * 4} bytes for ${width}×${height} RGBA, got ${rgba.length}`,
    );
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 6, 0, 0, 0], 8); // bit depth 8, RGBA, deflate, adaptive filtering, no interlace
  // Each scanline starts with its filter type; 0 (none) keeps the encoder trivial.
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 4 + 1)] = 0;
    raw.set(rgba.subarray(y * width * 4, (y + 1) * width * 4), y * (width * 4 + 1) + 1);
  }
  return Buffer.concat([
    SIGNATURE,
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

export interface PngInfo {
  width: number;
  height: number;
  colorType: number;
}

/** Reads the IHDR of a PNG; throws naming what is wrong when `data` is not one. */
export function readPngInfo(data: Buffer, name = 'image'): PngInfo {
  if (data.length < 33 || !data.subarray(0, 8).equals(SIGNATURE))
    throw new Error(`${name}: not a PNG file (bad signature)`);
  if (data.toString('ascii', 12, 16) !== 'IHDR') throw new Error(`${name}: PNG without an IHDR chunk first`);
  if (data.readUInt32BE(29) !== crc32(data.subarray(12, 29)))
    throw new Error(`${name}: PNG IHDR checksum mismatch`);
  return { width: data.readUInt32BE(16), height: data.readUInt32BE(20), colorType: data[25] };
}
