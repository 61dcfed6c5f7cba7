/**
 * The Brotli ZIP of a macOS or Linux download: the build's template, filled per download with
 * the ZIP head that carries the name, decodes to a ZIP that Info-ZIP's unzip lists and extracts
 * with the run bit and the built bytes, for short and long names; a template the encoder matched
 * against its filler is caught (and the build picks another filler); a stream whose first
 * meta-block is not the stored head is refused.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { brotliCompressSync, brotliDecompressSync, crc32 } from 'node:zlib';
import { type Executable, zipDownload } from '../../bot/agents/executables.ts';
import { HEAD_BYTES, parseStoredStart, readBrTemplate } from '../../bot/agents/zip-br.ts';
import { compressZipBr, decodesTo, filler, probeHeads, writeTemplate } from '../../scripts/agents/zip-br.ts';

const dir = mkdtempSync(join(tmpdir(), 'reconnect-zipbr-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Like an executable: incompressible stretches between repetitive ones, a few MB. */
const body = Buffer.concat(
  Array.from({ length: 8 }, (_, i) => [randomBytes(150_000), Buffer.alloc(250_000, `section ${i} `)]).flat(),
);
const exePath = join(dir, 'reconnect-agent-linux-x64');
writeFileSync(exePath, body);

/** The bytes a download sends, read the way go.ts streams them. */
function wire(exe: Executable, name: string): { encoding?: string; bytes: Buffer } {
  const zip = zipDownload(exe, name, { brotli: true });
  const middle = readFileSync(zip.file).subarray(zip.from, zip.to);
  const bytes = Buffer.concat([zip.prefix, middle, zip.suffix]);
  assert.equal(bytes.length, zip.length, 'Content-Length is what is sent');
  return { encoding: zip.encoding, bytes };
}

test('the template, filled with a ZIP head per download, decodes to a ZIP unzip extracts with the run bit', async () => {
  const made = await compressZipBr(exePath);
  assert.equal(made.file, `${exePath}.zip.br`);
  assert.equal(made.sha256, sha256(readFileSync(made.file)));
  const template = await readBrTemplate(made.file);
  assert.equal(template.headLength, HEAD_BYTES);
  const exe = {
    target: 'linux-x64',
    path: exePath,
    gzipPath: '',
    sha256: sha256(body),
    size: body.length,
    gzipSize: 0,
    deflateStart: 0,
    deflateLength: 0,
    crc32: crc32(body),
    zipBr: template,
  } satisfies Executable;
  const host = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.example.com`;
  for (const name of ['Reconnect-7K3M9-QXT4H@127.0.0.1_8443', `Reconnect-7K3M9-QXT4H@${host}_65535`]) {
    const sent = wire(exe, name);
    assert.equal(sent.encoding, 'br');
    assert.ok(sent.bytes.length < body.length, 'the wire carries the compressed size');
    const zip = brotliDecompressSync(sent.bytes);
    assert.equal(zip.readUInt16LE(8), 0, 'the entry is stored: Brotli does the compressing');
    const file = join(dir, 'download.zip');
    writeFileSync(file, zip);
    // Info-ZIP is an independent reader: it tests the CRC, lists the mode, extracts.
    assert.match(execFileSync('unzip', ['-t', file], { encoding: 'utf8' }), /No errors detected/);
    assert.match(
      execFileSync('zipinfo', [file], { encoding: 'utf8' }),
      new RegExp(`^-rwxr-xr-x .* ${name}$`, 'm'),
    );
    const out = join(dir, 'out');
    rmSync(out, { recursive: true, force: true });
    execFileSync('unzip', ['-q', '-d', out, file]);
    assert.equal(sha256(readFileSync(join(out, name))), exe.sha256);
    assert.equal(statSync(join(out, name)).mode & 0o777, 0o755);
  }
  // A name that does not fit the head falls back to the deflated ZIP, and says so.
  assert.equal(zipDownload(exe, 'x'.repeat(HEAD_BYTES), { brotli: true }).encoding, undefined);
});

test('a tail past 64 KiB takes a longer meta-block header, and still decodes', async () => {
  const template = await readBrTemplate(`${exePath}.zip.br`);
  const [head] = probeHeads();
  assert.equal(await decodesTo(template, exePath, head, randomBytes(70_000)), true);
});

test('a template whose body refers back into its filler is caught, and the build picks another filler', async () => {
  // An executable that begins with filler 0 makes the encoder copy from the filler.
  const tricky = join(dir, 'tricky');
  writeFileSync(tricky, Buffer.concat([filler(0), filler(0), body.subarray(0, 200_000)]));
  const naive = join(dir, 'naive.br');
  await writeTemplate(tricky, naive, filler(0));
  const template = await readBrTemplate(naive);
  const [a, b] = probeHeads();
  const tail = Buffer.from('tail');
  assert.equal(
    (await decodesTo(template, tricky, a, tail)) && (await decodesTo(template, tricky, b, tail)),
    false,
    'with another head the copied bytes come out wrong',
  );
  const made = await readBrTemplate((await compressZipBr(tricky)).file);
  assert.equal(await decodesTo(made, tricky, a, tail), true);
  assert.equal(await decodesTo(made, tricky, b, tail), true);
});

test('a Brotli stream that does not start with the stored head is refused', () => {
  assert.throws(
    () => parseStoredStart(brotliCompressSync(Buffer.alloc(100_000, 'agent '))),
    /compressed|last|metadata/,
  );
  assert.throws(() => parseStoredStart(Buffer.from([0x0b])), /ends in its header/);
});
