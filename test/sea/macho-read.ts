/**
 * Reads a Mach-O file's embedded code signature, written apart from scripts/agents/macho-sign.ts
 * (it shares no code with the signer) so the tests check the signer against a second reading
 * of the format, and against Apple's own signatures on the official Node binaries.
 */

export interface CodeDirectory {
  /** Slot of the SuperBlob index: 0 for the primary CodeDirectory, 0x1000+ for alternates. */
  slot: number;
  version: number;
  flags: number;
  hashType: number;
  hashSize: number;
  pageSize: number;
  codeLimit: number;
  identifier: string;
  execSegBase: bigint;
  execSegLimit: bigint;
  execSegFlags: bigint;
  /** Special slot hashes, index 0 = slot -1. */
  special: Buffer[];
  /** One hash per page of the file up to codeLimit. */
  pages: Buffer[];
}

export interface Signature {
  /** LC_CODE_SIGNATURE's range in the file. */
  dataoff: number;
  datasize: number;
  cpuType: number;
  /** __LINKEDIT's and __TEXT's file ranges. */
  linkedit: { fileoff: number; filesize: number };
  text: { fileoff: number; filesize: number };
  /** Blob type → raw blob bytes. */
  blobs: Map<number, Buffer>;
  directories: CodeDirectory[];
}

/** Parses the signature of a thin little-endian 64-bit Mach-O file; undefined when it has none. */
export function readSignature(file: Buffer): Signature | undefined {
  if (file.readUInt32LE(0) !== 0xfeedfacf) throw new Error('not a thin 64-bit Mach-O');
  const ncmds = file.readUInt32LE(16);
  let p = 32;
  let sig: { dataoff: number; datasize: number } | undefined;
  let linkedit = { fileoff: 0, filesize: 0 };
  let text = { fileoff: 0, filesize: 0 };
  const range = (at: number) => ({
    fileoff: Number(file.readBigUInt64LE(at + 40)),
    filesize: Number(file.readBigUInt64LE(at + 48)),
  });
  for (let i = 0; i < ncmds; i++) {
    const cmd = file.readUInt32LE(p);
    if (cmd === 0x1d) sig = { dataoff: file.readUInt32LE(p + 8), datasize: file.readUInt32LE(p + 12) };
    if (cmd === 0x19 && file.toString('latin1', p + 8, p + 19) === '__LINKEDIT\0') linkedit = range(p);
    if (cmd === 0x19 && file.toString('latin1', p + 8, p + 15) === '__TEXT\0') text = range(p);
    p += file.readUInt32LE(p + 4);
  }
  if (!sig) return undefined;
  const sb = file.subarray(sig.dataoff, sig.dataoff + sig.datasize);
  if (sb.readUInt32BE(0) !== 0xfade0cc0) throw new Error('LC_CODE_SIGNATURE does not point at a SuperBlob');
  const blobs = new Map<number, Buffer>();
  const directories: CodeDirectory[] = [];
  for (let i = 0; i < sb.readUInt32BE(8); i++) {
    const type = sb.readUInt32BE(12 + i * 8);
    const off = sb.readUInt32BE(16 + i * 8);
    const blob = sb.subarray(off, off + sb.readUInt32BE(off + 4));
    blobs.set(type, blob);
    if (blob.readUInt32BE(0) === 0xfade0c02) directories.push(readDirectory(type, blob));
  }
  return { ...sig, cpuType: file.readUInt32LE(4), linkedit, text, blobs, directories };
}

function readDirectory(slot: number, cd: Buffer): CodeDirectory {
  const version = cd.readUInt32BE(8);
  const hashOffset = cd.readUInt32BE(16);
  const identOffset = cd.readUInt32BE(20);
  const nSpecial = cd.readUInt32BE(24);
  const nCode = cd.readUInt32BE(28);
  const hashSize = cd[36];
  const hash = (at: number) => Buffer.from(cd.subarray(at, at + hashSize));
  const identEnd = cd.indexOf(0, identOffset);
  return {
    slot,
    version,
    flags: cd.readUInt32BE(12),
    hashType: cd[37],
    hashSize,
    pageSize: 2 ** cd[39],
    codeLimit: cd.readUInt32BE(32),
    identifier: cd.toString('utf8', identOffset, identEnd),
    execSegBase: version >= 0x20400 ? cd.readBigUInt64BE(64) : 0n,
    execSegLimit: version >= 0x20400 ? cd.readBigUInt64BE(72) : 0n,
    execSegFlags: version >= 0x20400 ? cd.readBigUInt64BE(80) : 0n,
    special: Array.from({ length: nSpecial }, (_, i) => hash(hashOffset - (i + 1) * hashSize)),
    pages: Array.from({ length: nCode }, (_, i) => hash(hashOffset + i * hashSize)),
  };
}

/** The symbol counts of LC_DYSYMTAB: local, externally defined, undefined (imports). */
export function readSymbolCounts(file: Buffer): { local: number; extdef: number; undef: number } {
  const ncmds = file.readUInt32LE(16);
  let p = 32;
  for (let i = 0; i < ncmds; i++) {
    if (file.readUInt32LE(p) === 0x0b)
      return {
        local: file.readUInt32LE(p + 12),
        extdef: file.readUInt32LE(p + 20),
        undef: file.readUInt32LE(p + 28),
      };
    p += file.readUInt32LE(p + 4);
  }
  throw new Error('no LC_DYSYMTAB');
}

/** The bytes a __LINKEDIT load command (cmd, dataoff, datasize) points at; undefined without it. */
export function readLinkeditData(file: Buffer, command: number): Buffer | undefined {
  const ncmds = file.readUInt32LE(16);
  let p = 32;
  for (let i = 0; i < ncmds; i++) {
    if (file.readUInt32LE(p) === command) {
      const off = file.readUInt32LE(p + 8);
      return file.subarray(off, off + file.readUInt32LE(p + 12));
    }
    p += file.readUInt32LE(p + 4);
  }
  return undefined;
}
