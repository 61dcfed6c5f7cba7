/**
 * The macOS executables' ad-hoc signatures, read by test/sea/macho-read.ts (which shares no code
 * with the signer): every page hash recomputed from the file, the identifier, the flags, the
 * signature's place. And the signer against Apple's tooling: re-signing an official Node
 * binary gives exactly the page hashes of that binary's own (Developer ID) CodeDirectory.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { loadBuildConfig, TARGETS, type Target } from '../../scripts/agents/config.ts';
import { nodeBinary } from '../../scripts/agents/fetch.ts';
import { adhocSign } from '../../scripts/agents/macho-sign.ts';
import { MACOS_IDENTIFIER } from '../../scripts/build-agents.ts';
import { AGENT_BUNDLE, ROOT } from '../agent/agent-run.ts';
import { BUILD_TIMEOUT_MS, buildForTest, type TestBuild } from './build.ts';
import { type CodeDirectory, readSignature, readSymbolCounts } from './macho-read.ts';

const CS_ADHOC = 0x2;
const CS_HASHTYPE_SHA256 = 2;
const CPU: Record<string, number> = { 'macos-arm64': 0x0100000c, 'macos-x64': 0x01000007 };
const MACOS: Target[] = ['macos-arm64', 'macos-x64'];

/** Pages whose bytes do not hash to what the CodeDirectory says. */
function badPages(file: Buffer, cd: CodeDirectory): number[] {
  const bad: number[] = [];
  for (let i = 0; i < Math.ceil(cd.codeLimit / cd.pageSize); i++) {
    const page = file.subarray(i * cd.pageSize, Math.min(cd.codeLimit, (i + 1) * cd.pageSize));
    if (!createHash('sha256').update(page).digest().equals(cd.pages[i])) bad.push(i);
  }
  return bad;
}

function sha256Directory(file: Buffer): CodeDirectory {
  const cd = readSignature(file)?.directories.find((d) => d.hashType === CS_HASHTYPE_SHA256);
  assert.ok(cd, 'a SHA-256 CodeDirectory');
  return cd;
}

describe('the signer against official Node binaries', () => {
  for (const target of MACOS) {
    test(`re-signing the official ${target} Node gives its own page hashes`, {
      timeout: BUILD_TIMEOUT_MS,
    }, async () => {
      const spec = TARGETS.find((t) => t.target === target);
      assert.ok(spec);
      const official = await readFile(await nodeBinary(spec.node, loadBuildConfig({}, ROOT).cacheDir));
      const theirs = sha256Directory(official);
      assert.equal(theirs.flags & CS_ADHOC, 0, 'the official binary carries a real (Developer ID) signature');
      const resigned = adhocSign(official, { identifier: theirs.identifier });
      const ours = sha256Directory(resigned);
      assert.equal(ours.codeLimit, theirs.codeLimit);
      assert.equal(ours.pages.length, theirs.pages.length);
      const differing = ours.pages.filter((h, i) => !h.equals(theirs.pages[i])).length;
      assert.equal(differing, 0, `${differing} of ${ours.pages.length} page hashes differ from Apple's`);
      assert.equal(ours.identifier, theirs.identifier);
      assert.equal(ours.execSegLimit, theirs.execSegLimit);
      assert.equal(ours.execSegFlags, theirs.execSegFlags);
      assert.equal(ours.flags, CS_ADHOC);
    });
  }
});

describe('the macOS executables carry a valid ad-hoc signature', () => {
  let build: TestBuild;
  let bundle: Buffer;

  before(
    async () => {
      build = await buildForTest(MACOS);
      bundle = await readFile(AGENT_BUNDLE);
    },
    { timeout: BUILD_TIMEOUT_MS },
  );

  after(() => build?.close());

  for (const target of MACOS) {
    test(`${target}: every page, the identifier, the flags, the place of the signature`, async () => {
      const file = await readFile(build.path(target));
      const sig = readSignature(file);
      assert.ok(sig, 'LC_CODE_SIGNATURE present');
      assert.equal(sig.cpuType, CPU[target]);
      assert.equal(sig.directories.length, 1, 'one CodeDirectory');
      const cd = sig.directories[0];
      assert.equal(cd.identifier, MACOS_IDENTIFIER);
      assert.equal(cd.flags, CS_ADHOC);
      assert.equal(cd.hashType, CS_HASHTYPE_SHA256);
      assert.equal(cd.hashSize, 32);
      assert.equal(cd.pageSize, 4096);
      // The signature covers the whole file before it, and ends the file and __LINKEDIT.
      assert.equal(cd.codeLimit, sig.dataoff);
      assert.equal(sig.dataoff + sig.datasize, file.length);
      assert.equal(sig.linkedit.fileoff + sig.linkedit.filesize, file.length);
      assert.equal(cd.pages.length, Math.ceil(cd.codeLimit / 4096));
      assert.deepEqual(badPages(file, cd), []);
      assert.equal(cd.execSegBase, BigInt(sig.text.fileoff));
      assert.equal(cd.execSegLimit, BigInt(sig.text.filesize));
      assert.equal(cd.execSegFlags, 1n, 'main binary');
      // Signed after stripping (scripts/agents/strip.ts): no local symbols left.
      assert.equal(readSymbolCounts(file).local, 0);
      // Special slot -2 is the hash of the (empty) requirements blob the signature carries.
      const requirements = sig.blobs.get(2);
      assert.ok(requirements);
      assert.equal(requirements.toString('hex'), 'fade0c010000000c00000000');
      assert.ok(cd.special[1].equals(createHash('sha256').update(requirements).digest()));
      assert.ok(cd.special[0].equals(Buffer.alloc(32)), 'no Info.plist');
      // The agent is inside: the blob carries the bundle's text as is (no code cache).
      assert.ok(
        file.includes(bundle.subarray(bundle.length - 4096)),
        'the agent bundle is in the executable',
      );
    });
  }

  test('one changed byte is caught by the page check (the check is not vacuous)', async () => {
    const file = await readFile(build.path('macos-arm64'));
    const cd = sha256Directory(file);
    const at = 7 * 4096 + 123;
    file[at] ^= 0xff;
    assert.deepEqual(badPages(file, cd), [7]);
  });
});
