import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { spkiSha256FromPem } from '../../probes/certs/spki.ts';
import { createLabPki, type LabLeaf, type LabPki } from './pki.ts';
import { tlsHandshake } from './raw-clients.ts';
import { type LabServer, startTlsServer } from './tls-server.ts';

const HOST = 'login.lab.test';

describe('lab pki', () => {
  let pki: LabPki;
  const servers: LabServer[] = [];
  before(() => {
    pki = createLabPki();
  });
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });

  async function serve(leaf: LabLeaf): Promise<LabServer> {
    const server = await startTlsServer({ cert: leaf.chainPem, key: leaf.keyPem });
    servers.push(server);
    return server;
  }

  it('names its CAs and hashes their SPKI like the probes do', () => {
    assert.equal(pki.microsoftRoot.name, 'Lab Microsoft RSA Root Certificate Authority 2017');
    assert.equal(pki.microsoftIntermediate.name, 'Lab Microsoft Azure TLS Issuing CA 01');
    assert.equal(pki.inspectionRoot.name, 'Lab Zscaler Root CA');
    for (const ca of [pki.microsoftRoot, pki.microsoftIntermediate, pki.inspectionRoot]) {
      assert.match(ca.spkiSha256, /^[0-9a-f]{64}$/);
      assert.equal(ca.spkiSha256, spkiSha256FromPem(ca.certPem));
    }
    assert.notEqual(pki.microsoftRoot.spkiSha256, pki.inspectionRoot.spkiSha256);
    const intermediate = new X509Certificate(pki.microsoftIntermediate.certPem);
    assert.ok(intermediate.checkIssued(new X509Certificate(pki.microsoftRoot.certPem)));
    assert.ok(intermediate.ca);
  });

  it('issues microsoft leaves through the intermediate, with SANs and serverAuth', () => {
    const leaf = pki.issueLeaf({ issuer: 'microsoft', hosts: [HOST, '127.0.0.1'] });
    const cert = new X509Certificate(leaf.certPem);
    assert.equal(cert.subjectAltName, `DNS:${HOST}, IP Address:127.0.0.1`);
    assert.deepEqual(cert.keyUsage, ['1.3.6.1.5.5.7.3.1']);
    assert.ok(cert.checkIssued(new X509Certificate(pki.microsoftIntermediate.certPem)));
    // chainPem: the leaf, then the intermediate, never the root.
    assert.equal(leaf.chainPem, leaf.certPem + pki.microsoftIntermediate.certPem);
  });

  it('a microsoft chain verifies with node:tls against microsoftRoot', async () => {
    const server = await serve(pki.issueLeaf({ issuer: 'microsoft', hosts: [HOST] }));
    const socket = await tlsHandshake({
      port: server.port,
      servername: HOST,
      ca: [pki.microsoftRoot.certPem],
    });
    const peer = socket.getPeerCertificate(true);
    socket.destroy();
    assert.equal(peer.subject.CN, HOST);
    assert.equal(peer.issuerCertificate.subject.CN, pki.microsoftIntermediate.name);
    assert.equal(peer.issuerCertificate.issuerCertificate.subject.CN, pki.microsoftRoot.name);
  });

  it('an IP-literal leaf verifies by address', async () => {
    const server = await serve(pki.issueLeaf({ issuer: 'microsoft', hosts: ['127.0.0.1'] }));
    // No servername: node:tls checks the certificate against the address it connected to.
    const socket = await tlsHandshake({ port: server.port, ca: [pki.microsoftRoot.certPem] });
    const peer = socket.getPeerCertificate();
    const authorized = socket.authorized;
    socket.destroy();
    assert.equal(authorized, true);
    assert.equal(peer.subjectaltname, 'IP Address:127.0.0.1');
    // The address is what matched: the same leaf asked for a name fails the identity check,
    // and a leaf for a name only fails when reached by address.
    await assert.rejects(
      tlsHandshake({ port: server.port, servername: HOST, ca: [pki.microsoftRoot.certPem] }),
      { code: 'ERR_TLS_CERT_ALTNAME_INVALID' },
    );
    const named = await serve(pki.issueLeaf({ issuer: 'microsoft', hosts: [HOST] }));
    await assert.rejects(tlsHandshake({ port: named.port, ca: [pki.microsoftRoot.certPem] }), {
      code: 'ERR_TLS_CERT_ALTNAME_INVALID',
    });
  });

  it('an inspection leaf chains to inspectionRoot and not to microsoftRoot', async () => {
    const server = await serve(pki.issueLeaf({ issuer: 'inspection', hosts: [HOST] }));
    const socket = await tlsHandshake({
      port: server.port,
      servername: HOST,
      ca: [pki.inspectionRoot.certPem],
    });
    const peer = socket.getPeerCertificate(true);
    socket.destroy();
    assert.equal(peer.issuer.CN, 'Lab Zscaler Root CA');
    await assert.rejects(
      tlsHandshake({ port: server.port, servername: HOST, ca: [pki.microsoftRoot.certPem] }),
      { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' },
    );
  });

  it('an expired leaf fails with CERT_HAS_EXPIRED', async () => {
    const server = await serve(pki.expiredLeaf([HOST]));
    await assert.rejects(
      tlsHandshake({ port: server.port, servername: HOST, ca: [pki.microsoftRoot.certPem] }),
      { code: 'CERT_HAS_EXPIRED' },
    );
  });

  it('a not-yet-valid leaf fails with CERT_NOT_YET_VALID', async () => {
    const server = await serve(pki.notYetValidLeaf([HOST]));
    await assert.rejects(
      tlsHandshake({ port: server.port, servername: HOST, ca: [pki.microsoftRoot.certPem] }),
      { code: 'CERT_NOT_YET_VALID' },
    );
  });

  it('a leaf for another name fails with ERR_TLS_CERT_ALTNAME_INVALID', async () => {
    const server = await serve(pki.wrongHostLeaf());
    await assert.rejects(
      tlsHandshake({ port: server.port, servername: HOST, ca: [pki.microsoftRoot.certPem] }),
      { code: 'ERR_TLS_CERT_ALTNAME_INVALID' },
    );
  });

  it('a self-signed leaf fails with DEPTH_ZERO_SELF_SIGNED_CERT', async () => {
    const server = await serve(pki.selfSigned([HOST]));
    await assert.rejects(
      tlsHandshake({ port: server.port, servername: HOST, ca: [pki.microsoftRoot.certPem] }),
      { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' },
    );
  });

  it('extra CAs issue leaves and CAs from another createLabPki are refused', async () => {
    const unknownRoot = pki.createCa({ name: 'Lab Unknown Root' });
    const server = await serve(pki.issueLeaf({ issuer: unknownRoot, hosts: [HOST] }));
    await assert.rejects(
      tlsHandshake({ port: server.port, servername: HOST, ca: [pki.microsoftRoot.certPem] }),
      { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' },
    );
    const socket = await tlsHandshake({ port: server.port, servername: HOST, ca: [unknownRoot.certPem] });
    socket.destroy();
    const other = createLabPki();
    assert.throws(() => pki.issueLeaf({ issuer: other.microsoftRoot, hosts: [HOST] }), /not created by this/);
    assert.throws(() => pki.issueLeaf({ issuer: 'microsoft', hosts: [] }), /at least one host/);
  });
});
