/**
 * The build's compression step: each copy unpacks to the file with the hash and size it reports,
 * and the gate that overlaps compression with the next target's build never runs more than its
 * limit at once.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { compress, limiter } from '../../scripts/agents/compress.ts';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

test('gzip and Brotli copies unpack to the file, with their own hash and size, and no leftovers', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'reconnect-compress-'));
  try {
    // Half random, half repetitive: compressible, but not trivially.
    const data = Buffer.concat([randomBytes(200_000), Buffer.alloc(300_000, 'agent ')]);
    const file = join(dir, 'agent.exe');
    await writeFile(file, data);
    const gz = await compress(file, 'gzip');
    const br = await compress(file, 'br');
    assert.equal(gz.file, `${file}.gz`);
    assert.equal(br.file, `${file}.br`);
    const gzBytes = await readFile(gz.file);
    const brBytes = await readFile(br.file);
    assert.equal(gz.size, gzBytes.length);
    assert.equal(br.size, brBytes.length);
    assert.equal(gz.sha256, sha256(gzBytes));
    assert.equal(br.sha256, sha256(brBytes));
    assert.ok(gunzipSync(gzBytes).equals(data));
    assert.ok(brotliDecompressSync(brBytes).equals(data));
    assert.ok(br.size < data.length && gz.size < data.length);
    assert.deepEqual((await readdir(dir)).sort(), ['agent.exe', 'agent.exe.br', 'agent.exe.gz']);
    assert.ok(!existsSync(`${br.file}.${process.pid}.tmp`));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the gate runs at most its limit at once, hands each slot on, and returns each result', async () => {
  const gate = limiter(2);
  let running = 0;
  let peak = 0;
  const release: Array<() => void> = [];
  const job = (value: number) => () =>
    new Promise<number>((resolve) => {
      running++;
      peak = Math.max(peak, running);
      release.push(() => {
        running--;
        resolve(value);
      });
    });
  const results = [1, 2, 3, 4, 5].map((v) => gate(job(v)));
  const settle = () => new Promise((r) => setImmediate(r));
  await settle();
  assert.equal(running, 2, 'two started, three wait');
  // Finishing one job starts exactly one waiter, and a job queued meanwhile still waits its turn.
  release.shift()?.();
  const late = gate(job(6));
  await settle();
  assert.equal(running, 2);
  while (release.length) {
    release.shift()?.();
    await settle();
  }
  assert.deepEqual(await Promise.all([...results, late]), [1, 2, 3, 4, 5, 6]);
  assert.equal(peak, 2);
});
