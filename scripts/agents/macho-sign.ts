/**
 * An ad-hoc code signature for a thin 64-bit Mach-O executable, written here because no signing
 * tool installs on the Linux build machine (no codesign, ldid or rcodesign). Apple-silicon Macs
 * kill a binary whose signature does not match its pages, and injecting the SEA blob changes
 * the pages, so every macOS agent is re-signed after injection.
 *
 * What it writes is what `codesign --sign -` writes: a SuperBlob at the end of __LINKEDIT with a
 * SHA-256 CodeDirectory (one hash per 4096-byte page of the file up to the signature, flags
 * `adhoc`), an empty requirements set and an empty CMS slot. An operator with a Developer ID
 * replaces it on a Mac (README, "Signing the agent executables").
 */
import { createHash } from 'node:crypto';

const MH_MAGIC_64 = 0xfeedfacf;
const MH_EXECUTE = 2;
const LC_SEGMENT_64 = 0x19;
const LC_CODE_SIGNATURE = 0x1d;
const CPU_TYPE_ARM64 = 0x0100000c;

const CSMAGIC_EMBEDDED_SIGNATURE = 0xfade0cc0;
const CSMAGIC_CODEDIRECTORY = 0xfade0c02;
const CSMAGIC_REQUIREMENTS = 0xfade0c01;
const CSMAGIC_BLOBWRAPPER = 0xfade0b01;
const CSSLOT_CODEDIRECTORY = 0;
const CSSLOT_REQUIREMENTS = 2;
const CSSLOT_SIGNATURESLOT = 0x10000;
const CS_ADHOC = 0x2;
const CS_EXECSEG_MAIN_BINARY = 0x1;
const CS_HASHTYPE_SHA256 = 2;
/** CodeDirectory version 0x20400 carries the executable segment fields; its header is 88 bytes. */
const CD_VERSION = 0x20400;
const CD_HEADER = 88;
const PAGE_SHIFT = 12;
const PAGE = 1 << PAGE_SHIFT;
/** Special slots: -1 Info.plist (none, zero hash), -2 requirements. */
const SPECIAL_SLOTS = 2;

/** What the signer needs from the load commands: offsets of the fields it rewrites. */
export interface MachOLayout {
  cpuType: number;
  fileType: number;
  ncmds: number;
  sizeofcmds: number;
  /** Offset of the __TEXT segment's file range (the executable segment of the CodeDirectory). */
  text: { fileoff: number; filesize: number };
  /** Offset of the __LINKEDIT load command, and its file range. */
  linkedit: { cmdOffset: number; fileoff: number; filesize: number; vmsize: number };
  /** The LC_CODE_SIGNATURE load command, when the binary has one. */
  signature?: { cmdOffset: number; dataoff: number; datasize: number };
  /** Lowest file offset of any section's contents: load commands must end before it. */
  firstSectionOffset: number;
}

function segName(buf: Buffer, at: number): string {
  return buf.toString('latin1', at, at + 16).replace(/\0.*$/s, '');
}

/** Reads the load commands the signer touches; throws on anything but a thin 64-bit Mach-O. */
export function readLayout(buf: Buffer): MachOLayout {
  if (buf.readUInt32LE(0) !== MH_MAGIC_64) throw new Error('not a thin 64-bit little-endian Mach-O file');
  const ncmds = buf.readUInt32LE(16);
  const sizeofcmds = buf.readUInt32LE(20);
  let text: MachOLayout['text'] | undefined;
  let linkedit: MachOLayout['linkedit'] | undefined;
  let signature: MachOLayout['signature'];
  let firstSectionOffset = buf.length;
  let at = 32;
  for (let i = 0; i < ncmds; i++) {
    const cmd = buf.readUInt32LE(at);
    const cmdsize = buf.readUInt32LE(at + 4);
    if (cmd === LC_SEGMENT_64) {
      const name = segName(buf, at + 8);
      const fileoff = Number(buf.readBigUInt64LE(at + 40));
      const filesize = Number(buf.readBigUInt64LE(at + 48));
      if (name === '__TEXT') text = { fileoff, filesize };
      if (name === '__LINKEDIT')
        linkedit = { cmdOffset: at, fileoff, filesize, vmsize: Number(buf.readBigUInt64LE(at + 32)) };
      const nsects = buf.readUInt32LE(at + 64);
      for (let s = 0; s < nsects; s++) {
        const offset = buf.readUInt32LE(at + 72 + s * 80 + 48);
        if (offset > 0) firstSectionOffset = Math.min(firstSectionOffset, offset);
      }
    } else if (cmd === LC_CODE_SIGNATURE) {
      signature = { cmdOffset: at, dataoff: buf.readUInt32LE(at + 8), datasize: buf.readUInt32LE(at + 12) };
    }
    at += cmdsize;
  }
  if (!text || !linkedit) throw new Error('Mach-O file without __TEXT or __LINKEDIT');
  return {
    cpuType: buf.readUInt32LE(4),
    fileType: buf.readUInt32LE(12),
    ncmds,
    sizeofcmds,
    text,
    linkedit,
    signature,
    firstSectionOffset,
  };
}

const align = (n: number, to: number) => Math.ceil(n / to) * to;

function codeDirectory(code: Buffer, identifier: string, requirements: Buffer, layout: MachOLayout): Buffer {
  const ident = Buffer.from(`${identifier}\0`, 'utf8');
  const nCodeSlots = Math.ceil(code.length / PAGE);
  const hashOffset = CD_HEADER + ident.length + SPECIAL_SLOTS * 32;
  const cd = Buffer.alloc(hashOffset + nCodeSlots * 32);
  cd.writeUInt32BE(CSMAGIC_CODEDIRECTORY, 0);
  cd.writeUInt32BE(cd.length, 4);
  cd.writeUInt32BE(CD_VERSION, 8);
  cd.writeUInt32BE(CS_ADHOC, 12);
  cd.writeUInt32BE(hashOffset, 16);
  cd.writeUInt32BE(CD_HEADER, 20);
  cd.writeUInt32BE(SPECIAL_SLOTS, 24);
  cd.writeUInt32BE(nCodeSlots, 28);
  cd.writeUInt32BE(code.length, 32);
  cd.writeUInt8(32, 36); // hashSize
  cd.writeUInt8(CS_HASHTYPE_SHA256, 37);
  cd.writeUInt8(0, 38); // platform
  cd.writeUInt8(PAGE_SHIFT, 39);
  // 40 spare2, 44 scatterOffset, 48 teamOffset, 52 spare3, 56 codeLimit64: all zero.
  cd.writeBigUInt64BE(BigInt(layout.text.fileoff), 64);
  cd.writeBigUInt64BE(BigInt(layout.text.filesize), 72);
  cd.writeBigUInt64BE(BigInt(layout.fileType === MH_EXECUTE ? CS_EXECSEG_MAIN_BINARY : 0), 80);
  ident.copy(cd, CD_HEADER);
  // Special slot -n sits n hashes before hashOffset; -1 (Info.plist) stays zero.
  createHash('sha256')
    .update(requirements)
    .digest()
    .copy(cd, hashOffset - CSSLOT_REQUIREMENTS * 32);
  for (let i = 0; i < nCodeSlots; i++) {
    const page = code.subarray(i * PAGE, Math.min(code.length, (i + 1) * PAGE));
    createHash('sha256')
      .update(page)
      .digest()
      .copy(cd, hashOffset + i * 32);
  }
  return cd;
}

function superBlob(blobs: Array<[number, Buffer]>): Buffer {
  const header = 12 + blobs.length * 8;
  const out = Buffer.alloc(header + blobs.reduce((n, [, b]) => n + b.length, 0));
  out.writeUInt32BE(CSMAGIC_EMBEDDED_SIGNATURE, 0);
  out.writeUInt32BE(out.length, 4);
  out.writeUInt32BE(blobs.length, 8);
  let offset = header;
  blobs.forEach(([type, blob], i) => {
    out.writeUInt32BE(type, 12 + i * 8);
    out.writeUInt32BE(offset, 16 + i * 8);
    blob.copy(out, offset);
    offset += blob.length;
  });
  return out;
}

/**
 * Returns `binary` with a fresh ad-hoc signature in place of any it had. An existing
 * LC_CODE_SIGNATURE keeps its place and, when the new signature fits, its size: so the header,
 * and with it every page hash, stays what it was (which is how the test compares against an
 * official binary's own signature). Without one, a load command is added in the header's
 * padding and the signature goes at the end of the file.
 */
export function adhocSign(binary: Buffer, options: { identifier: string }): Buffer {
  const layout = readLayout(binary);
  const linkeditEnd = layout.linkedit.fileoff + layout.linkedit.filesize;
  let codeLimit: number;
  let reserved = 0;
  let head = binary;
  let sigCmd: number;
  if (layout.signature) {
    codeLimit = layout.signature.dataoff;
    reserved = layout.signature.datasize;
    sigCmd = layout.signature.cmdOffset;
    if (codeLimit + reserved !== linkeditEnd)
      throw new Error('the code signature is not at the end of __LINKEDIT');
  } else {
    if (linkeditEnd !== binary.length) throw new Error('__LINKEDIT does not end the file');
    sigCmd = 32 + layout.sizeofcmds;
    if (sigCmd + 16 > layout.firstSectionOffset)
      throw new Error('no room in the header for LC_CODE_SIGNATURE');
    codeLimit = align(binary.length, 16);
    head = Buffer.alloc(codeLimit);
    binary.copy(head);
    head.writeUInt32LE(layout.ncmds + 1, 16);
    head.writeUInt32LE(layout.sizeofcmds + 16, 20);
    head.writeUInt32LE(LC_CODE_SIGNATURE, sigCmd);
    head.writeUInt32LE(16, sigCmd + 4);
  }
  const requirements = Buffer.alloc(12);
  requirements.writeUInt32BE(CSMAGIC_REQUIREMENTS, 0);
  requirements.writeUInt32BE(12, 4); // count 0: an empty set, as codesign writes for ad-hoc
  const cms = Buffer.alloc(8);
  cms.writeUInt32BE(CSMAGIC_BLOBWRAPPER, 0);
  cms.writeUInt32BE(8, 4);
  // The CodeDirectory's size depends only on the page count, so the header can be final first.
  const ident = Buffer.byteLength(options.identifier) + 1;
  const needed = 12 + 3 * 8 + CD_HEADER + ident + (SPECIAL_SLOTS + Math.ceil(codeLimit / PAGE)) * 32 + 12 + 8;
  const datasize = needed <= reserved ? reserved : align(needed, 16);
  const out = Buffer.alloc(codeLimit + datasize);
  head.copy(out, 0, 0, codeLimit);
  out.writeUInt32LE(codeLimit, sigCmd + 8);
  out.writeUInt32LE(datasize, sigCmd + 12);
  const filesize = codeLimit + datasize - layout.linkedit.fileoff;
  const segAlign = layout.cpuType === CPU_TYPE_ARM64 ? 0x4000 : 0x1000;
  out.writeBigUInt64LE(BigInt(filesize), layout.linkedit.cmdOffset + 48);
  out.writeBigUInt64LE(
    BigInt(Math.max(layout.linkedit.vmsize, align(filesize, segAlign))),
    layout.linkedit.cmdOffset + 32,
  );
  const cd = codeDirectory(out.subarray(0, codeLimit), options.identifier, requirements, layout);
  superBlob([
    [CSSLOT_CODEDIRECTORY, cd],
    [CSSLOT_REQUIREMENTS, requirements],
    [CSSLOT_SIGNATURESLOT, cms],
  ]).copy(out, codeLimit);
  return out;
}
