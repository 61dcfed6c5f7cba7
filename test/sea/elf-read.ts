/**
 * The section headers of a 64-bit little-endian ELF file (x64 and arm64 Linux), read apart from
 * llvm-strip so the tests check what stripping left with a second reading of the format.
 */

export interface ElfSection {
  name: string;
  type: number;
  size: number;
  entsize: number;
}

export const SHT_SYMTAB = 2;
export const SHT_DYNSYM = 11;

export function readSections(file: Buffer): ElfSection[] {
  if (file.readUInt32BE(0) !== 0x7f454c46 || file[4] !== 2 || file[5] !== 1)
    throw new Error('not a 64-bit little-endian ELF file');
  const shoff = Number(file.readBigUInt64LE(0x28));
  const shentsize = file.readUInt16LE(0x3a);
  const shnum = file.readUInt16LE(0x3c);
  const shstrndx = file.readUInt16LE(0x3e);
  const header = (i: number) => shoff + i * shentsize;
  const strtab = Number(file.readBigUInt64LE(header(shstrndx) + 0x18));
  return Array.from({ length: shnum }, (_, i) => {
    const h = header(i);
    const nameAt = strtab + file.readUInt32LE(h);
    return {
      name: file.toString('latin1', nameAt, file.indexOf(0, nameAt)),
      type: file.readUInt32LE(h + 4),
      size: Number(file.readBigUInt64LE(h + 0x20)),
      entsize: Number(file.readBigUInt64LE(h + 0x38)),
    };
  });
}
