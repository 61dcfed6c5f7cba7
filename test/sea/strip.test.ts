/**
 * What scripts/agents/strip.ts leaves of the official Node binaries, read by this folder's own
 * ELF and Mach-O readers: the symbols that cost bytes on the wire are gone, what Node needs at
 * run time is all there (the dynamic symbols or external definitions and imports, the SEA fuse,
 * a code signature ending __LINKEDIT for the ad-hoc signer to replace), and a stripped Node runs.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { loadBuildConfig, TARGETS, type Target } from '../../scripts/agents/config.ts';
import { nodeBinary } from '../../scripts/agents/fetch.ts';
import { strippedCopy } from '../../scripts/agents/strip.ts';
import { ROOT } from '../agent/agent-run.ts';
import { BUILD_TIMEOUT_MS } from './build.ts';
import { readSections, SHT_DYNSYM, SHT_SYMTAB } from './elf-read.ts';
import { readLinkeditData, readSignature, readSymbolCounts } from './macho-read.ts';

const run = promisify(execFile);
/** The fuse `--build-sea` flips from :0 to :1; Node reads it at start to know it is an executable. */
const FUSE = Buffer.from('NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2:0');
/** What dyld binds and exports with: the imports (chained fixups) and the export trie. */
const LC_DYLD_CHAINED_FIXUPS = 0x80000034;
const LC_DYLD_EXPORTS_TRIE = 0x80000033;

/** The symbol names the stubs call through, in order, as llvm-objdump reads them. */
async function indirectSymbols(file: string): Promise<string[]> {
  const { stdout } = await run('llvm-objdump', ['--macho', '--indirect-symbols', file], {
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('0x'))
    .map((l) => l.trim().split(/\s+/)[2]);
}

async function pair(
  target: Target,
): Promise<{ official: Buffer; stripped: Buffer; officialPath: string; strippedPath: string }> {
  const spec = TARGETS.find((t) => t.target === target);
  assert.ok(spec);
  const source = await nodeBinary(spec.node, loadBuildConfig({}, ROOT).cacheDir);
  const strippedPath = await strippedCopy(source, spec.os);
  return {
    official: await readFile(source),
    stripped: await readFile(strippedPath),
    officialPath: source,
    strippedPath,
  };
}

function occurrences(file: Buffer, needle: Buffer): number {
  let n = 0;
  for (let at = file.indexOf(needle); at >= 0; at = file.indexOf(needle, at + 1)) n++;
  return n;
}

describe('Linux: symbol table and debug info off, dynamic symbols kept', () => {
  for (const target of ['linux-x64', 'linux-arm64'] as const) {
    test(target, { timeout: BUILD_TIMEOUT_MS }, async () => {
      const { official, stripped } = await pair(target);
      const before = readSections(official);
      const after = readSections(stripped);
      assert.ok(
        before.some((s) => s.type === SHT_SYMTAB) && before.some((s) => s.name.startsWith('.debug_')),
      );
      assert.deepEqual(
        after.filter((s) => s.type === SHT_SYMTAB || s.name.startsWith('.debug_')).map((s) => s.name),
        [],
      );
      const dynsym = (sections: typeof before) => sections.find((s) => s.type === SHT_DYNSYM);
      assert.equal(dynsym(after)?.size, dynsym(before)?.size, 'every dynamic symbol kept');
      for (const name of ['.text', '.rodata', '.eh_frame', '.dynstr', '.note.gnu.build-id'])
        assert.deepEqual(
          after.find((s) => s.name === name)?.size,
          before.find((s) => s.name === name)?.size,
          name,
        );
      assert.equal(occurrences(stripped, FUSE), 1, 'the SEA fuse, once');
      assert.ok(stripped.length < official.length - 25e6, `${official.length} → ${stripped.length} bytes`);
    });
  }

  test('the stripped linux-x64 Node runs JavaScript and its Brotli', {
    timeout: BUILD_TIMEOUT_MS,
  }, async () => {
    const { strippedPath } = await pair('linux-x64');
    const { stdout } = await run(strippedPath, [
      '-p',
      'require("zlib").brotliDecompressSync(require("zlib").brotliCompressSync("ok")) + process.version',
    ]);
    assert.match(stdout, /^okv26\./);
  });
});

describe('macOS: local symbols off, exports, imports and the signature slot kept', () => {
  for (const target of ['macos-arm64', 'macos-x64'] as const) {
    test(target, { timeout: BUILD_TIMEOUT_MS }, async () => {
      const { official, stripped, officialPath, strippedPath } = await pair(target);
      const before = readSymbolCounts(official);
      const after = readSymbolCounts(stripped);
      assert.ok(before.local > 100_000, `${before.local} local symbols in the official binary`);
      assert.equal(after.local, 0);
      assert.equal(after.extdef, before.extdef, 'every exported symbol kept');
      assert.equal(after.undef, before.undef, 'every import kept');
      for (const cmd of [LC_DYLD_CHAINED_FIXUPS, LC_DYLD_EXPORTS_TRIE]) {
        const theirs = readLinkeditData(official, cmd);
        assert.ok(theirs && theirs.length > 0);
        assert.ok(
          readLinkeditData(stripped, cmd)?.equals(theirs),
          `load command 0x${cmd.toString(16)} unchanged`,
        );
      }
      const stubs = await indirectSymbols(officialPath);
      assert.ok(stubs.length > 100);
      assert.deepEqual(await indirectSymbols(strippedPath), stubs, 'the stubs still name their symbols');
      // The ad-hoc signer needs the signature at the end of __LINKEDIT and of the file.
      const sig = readSignature(stripped);
      assert.ok(sig, 'LC_CODE_SIGNATURE kept');
      assert.equal(sig.dataoff + sig.datasize, stripped.length);
      assert.equal(sig.linkedit.fileoff + sig.linkedit.filesize, stripped.length);
      assert.deepEqual(sig.text, readSignature(official)?.text, '__TEXT untouched');
      assert.equal(occurrences(stripped, FUSE), 1, 'the SEA fuse, once');
      assert.ok(stripped.length < official.length - 25e6, `${official.length} → ${stripped.length} bytes`);
    });
  }
});
