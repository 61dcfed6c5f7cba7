/**
 * The catalogs' microsoftRoots are the certificates' own SPKI hashes: recomputed here and
 * compared with the files, and with a second, independent computation (Node's crypto).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { rootCertificates } from 'node:tls';
import { CLOUDS } from '../../probes/catalog/index.ts';
import { computeRoots, MICROSOFT_ROOTS, runRoots } from '../../scripts/roots.ts';

const CATALOG_DIR = new URL('../../probes/catalog/', import.meta.url).pathname;
const readCatalog = (dir: string, cloud: string) =>
  JSON.parse(readFileSync(join(dir, `${cloud}.json`), 'utf8'));

describe('microsoftRoots', () => {
  const roots = computeRoots();

  test('every built-in catalog carries exactly the recomputed roots', () => {
    for (const cloud of CLOUDS)
      assert.deepEqual(readCatalog(CATALOG_DIR, cloud).microsoftRoots, roots, cloud);
  });

  test('the hashes agree with an independent SPKI computation by Node', () => {
    const extra = readdirSync(join(CATALOG_DIR, 'roots')).map((f) =>
      readFileSync(join(CATALOG_DIR, 'roots', f), 'utf8'),
    );
    const certs = [...rootCertificates, ...extra].map((pem) => new X509Certificate(pem));
    assert.deepEqual(
      roots.map((r) => r.name),
      MICROSOFT_ROOTS.map((r) => r.name),
    );
    for (const root of roots) {
      const cert = certs.find((c) => c.subject.split('\n').includes(`CN=${root.name}`));
      assert.ok(cert, root.name);
      const der = cert.publicKey.export({ type: 'spki', format: 'der' });
      assert.equal(root.spkiSha256, createHash('sha256').update(der).digest('hex'), root.name);
    }
  });

  describe('runRoots on a copy of the catalogs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'reconnect-roots-'));
    after(() => rmSync(dir, { recursive: true, force: true }));
    for (const cloud of CLOUDS) copyFileSync(join(CATALOG_DIR, `${cloud}.json`), join(dir, `${cloud}.json`));
    const lines: string[] = [];
    const log = (line: string) => lines.push(line);

    test('--check passes when the files match', () => {
      assert.equal(runRoots({ check: true, dir, log }), 0);
    });

    test('--check fails on a changed hash, names the file, and changes nothing', () => {
      const tampered = readCatalog(dir, 'gcch');
      tampered.microsoftRoots[1].spkiSha256 = '0'.repeat(64);
      const text = `${JSON.stringify(tampered, null, 2)}\n`;
      writeFileSync(join(dir, 'gcch.json'), text);
      lines.length = 0;
      assert.equal(runRoots({ check: true, dir, log }), 1);
      assert.ok(lines.some((l) => l.includes(join(dir, 'gcch.json')) && l.includes('differ')));
      assert.equal(readFileSync(join(dir, 'gcch.json'), 'utf8'), text);
    });

    test('a rewrite restores the computed roots and leaves the rest of the file alone', () => {
      assert.equal(runRoots({ check: false, dir, log }), 0);
      assert.deepEqual(readCatalog(dir, 'gcch'), readCatalog(CATALOG_DIR, 'gcch'));
      assert.equal(runRoots({ check: true, dir, log }), 0);
    });
  });

  test('node scripts/roots.ts --check exits 0 on the repository, 2 on an unknown flag', () => {
    const script = new URL('../../scripts/roots.ts', import.meta.url).pathname;
    const ok = spawnSync(process.execPath, [script, '--check'], { encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stderr);
    const bad = spawnSync(process.execPath, [script, '--fix'], { encoding: 'utf8' });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /unknown argument --fix/);
  });
});
