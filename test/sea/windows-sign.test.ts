/**
 * The Windows executable signed with the operator's certificate (here a node-forge test CA and a
 * code-signing certificate it issued, in a PFX): `osslsigncode verify` accepts it with the test
 * CA trusted, and refuses it with another CA or one changed byte. The same build checks the
 * manifest the bot's download routes read, and the pre-gzipped copy they serve.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import forge from 'node-forge';
import { TARGETS } from '../../scripts/agents/config.ts';
import { AGENT_BUNDLE } from '../agent/agent-run.ts';
import { createLabPki, type LabCa } from '../lab/pki.ts';
import { BUILD_TIMEOUT_MS, buildForTest, type TestBuild } from './build.ts';

const SIGNER = 'Reconnect Test Code Signing';

/** A code-signing certificate issued by `ca`, with its key and the CA, in a password-protected PFX. */
function codeSigningPfx(ca: LabCa, password: string): Buffer {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey);
  cert.serialNumber = `01${randomBytes(8).toString('hex')}`;
  cert.validity.notBefore = new Date(Date.now() - 24 * 3600_000);
  cert.validity.notAfter = new Date(Date.now() + 365 * 24 * 3600_000);
  cert.setSubject([
    { name: 'commonName', value: SIGNER },
    { name: 'organizationName', value: 'Lab' },
  ]);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, critical: true },
    { name: 'extKeyUsage', codeSigning: true },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(ca.keyPem), forge.md.sha256.create());
  const p12 = forge.pkcs12.toPkcs12Asn1(forge.pki.privateKeyFromPem(privateKey), [cert, caCert], password, {
    algorithm: '3des',
  });
  return Buffer.from(forge.asn1.toDer(p12).getBytes(), 'binary');
}

/** osslsigncode verify, offline: no CRL or distribution point is fetched. */
async function verify(file: string, caFile: string): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)('osslsigncode', [
      'verify',
      '-in',
      file,
      '-CAfile',
      caFile,
      '-ignore-crl',
      '-ignore-cdp',
    ]);
    return { code: 0, out: stdout + stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, out: err.stdout + err.stderr };
  }
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('the Windows executable signed with a test certificate', () => {
  let dir: string;
  let build: TestBuild;
  let caFile: string;
  let otherCaFile: string;

  before(
    async () => {
      dir = await mkdtemp(join(tmpdir(), 'reconnect-pfx-'));
      const pki = createLabPki();
      const ca = pki.createCa({ name: 'Reconnect Test Code Signing CA' });
      const password = randomBytes(9).toString('base64');
      await writeFile(join(dir, 'signer.pfx'), codeSigningPfx(ca, password));
      caFile = join(dir, 'ca.pem');
      otherCaFile = join(dir, 'other-ca.pem');
      await writeFile(caFile, ca.certPem);
      await writeFile(otherCaFile, pki.createCa({ name: 'Some Other CA' }).certPem);
      build = await buildForTest(['windows-x64'], {
        compress: true,
        env: { AGENT_SIGN_PFX: join(dir, 'signer.pfx'), AGENT_SIGN_PASSWORD: password },
      });
    },
    { timeout: BUILD_TIMEOUT_MS },
  );

  after(async () => {
    await build?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('osslsigncode verify accepts it, signed by the test certificate alone', async () => {
    const r = await verify(build.path('windows-x64'), caFile);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /Signature verification: ok/);
    assert.match(r.out, new RegExp(`CN=${SIGNER}`));
    // The official node.exe signature came off before injection: only ours remains.
    assert.match(r.out, /Number of verified signatures: 1\n/);
    assert.doesNotMatch(r.out, /Signature Index: 1/);
    assert.doesNotMatch(r.out, /OpenJS/);
  });

  test('with another CA trusted, or one byte changed, verification fails', async () => {
    assert.notEqual((await verify(build.path('windows-x64'), otherCaFile)).code, 0);
    const tampered = join(dir, 'tampered.exe');
    await copyFile(build.path('windows-x64'), tampered);
    const bytes = await readFile(tampered);
    bytes[Math.floor(bytes.length / 2)] ^= 0xff;
    await writeFile(tampered, bytes);
    const r = await verify(tampered, caFile);
    assert.notEqual(r.code, 0, r.out);
  });

  test('the manifest names the file, its hash and size, and gzip and Brotli copies that unpack to it', async () => {
    const entry = build.manifest.targets['windows-x64'];
    assert.ok(entry);
    const spec = TARGETS.find((t) => t.target === 'windows-x64');
    assert.equal(entry.file, 'reconnect-agent-windows-x64.exe');
    assert.equal(entry.nodeVersion, spec?.node.version);
    const exe = await readFile(build.path('windows-x64'));
    assert.equal(entry.size, exe.length);
    assert.equal(entry.sha256, sha256(exe));
    const gz = await readFile(join(build.dir, entry.gzipFile));
    assert.equal(entry.gzipSize, gz.length);
    assert.equal(entry.gzipSha256, sha256(gz));
    assert.equal(sha256(gunzipSync(gz)), entry.sha256);
    assert.ok(gz.length < exe.length);
    assert.equal(entry.brFile, 'reconnect-agent-windows-x64.exe.br');
    const br = await readFile(join(build.dir, entry.brFile));
    assert.equal(entry.brSize, br.length);
    assert.equal(entry.brSha256, sha256(br));
    assert.equal(sha256(brotliDecompressSync(br)), entry.sha256);
    assert.ok(br.length < gz.length, `Brotli ${br.length} bytes, gzip ${gz.length}`);
    const onDisk = JSON.parse(await readFile(join(build.dir, 'manifest.json'), 'utf8'));
    assert.deepEqual(onDisk, build.manifest);
    // The agent is inside (the SEA blob carries the bundle's text as is).
    const bundle = await readFile(AGENT_BUNDLE);
    assert.ok(exe.includes(bundle.subarray(bundle.length - 4096)));
  });
});
