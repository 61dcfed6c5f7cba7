/**
 * Symbols off the official Node binaries before injection, with Debian's `llvm-strip` (the
 * `llvm` package; it reads ELF for x64 and arm64 and Mach-O alike). The official Linux binaries
 * carry ~33 MB of debug info and symbol table, the macOS ones ~40 MB of local symbols in
 * __LINKEDIT: none of it is read at run time, and all of it goes over the wire.
 *
 * What stays is everything Node needs running: on Linux `--strip-all` removes .symtab, .strtab
 * and .debug_*, and keeps .dynsym/.dynstr (the symbols native addons link against), .eh_frame
 * (C++ unwinding) and the notes. On macOS `--discard-all` removes only the local symbols: the
 * external definitions (the export trie and its nlist twins) and the undefined symbols that the
 * indirect symbol table points at stay, and llvm-strip rewrites LC_CODE_SIGNATURE in place at the
 * end of the shorter __LINKEDIT, which is where the ad-hoc signer puts the fresh signature after
 * injection. The SEA fuse is a string in the data, untouched by either. Windows binaries carry no
 * symbols (their PDBs ship apart), so they are left alone.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { TargetSpec } from './config.ts';

const run = promisify(execFile);

/** llvm-strip's option per OS; the name of the cached copy says which one made it. */
export const STRIP_OPTION: Record<Exclude<TargetSpec['os'], 'windows'>, string> = {
  linux: '--strip-all',
  macos: '--discard-all',
};

/**
 * `source` stripped as `os` allows, kept beside it in the download cache: the result never
 * changes, as a binary's folder is named by package and version, and npm never republishes a
 * version. Returns `source` itself for Windows.
 */
export async function strippedCopy(source: string, os: TargetSpec['os']): Promise<string> {
  if (os === 'windows') return source;
  const option = STRIP_OPTION[os];
  const out = join(dirname(source), `stripped${option.replace(/^-+/, '.')}`);
  if (existsSync(out)) return out;
  const tmp = `${out}.${process.pid}.tmp`;
  await run('llvm-strip', [option, '-o', tmp, source]);
  await rename(tmp, out);
  return out;
}
