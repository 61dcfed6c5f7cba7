import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Interlock } from '../../probes/interlock.ts';
import { probeTls } from '../../probes/tls.ts';
import type { LabLeaf } from '../lab/pki.ts';
import { startProxy } from '../lab/proxy.ts';
import { type LabServer, startTlsServer } from '../lab/tls-server.ts';
import { type ConnectionLab, LOGIN, startConnectionLab, withoutLeaks } from './connection-lab.ts';

describe('probeTls against lab TLS servers', () => {
  let lab: ConnectionLab;
  const servers: LabServer[] = [];

  before(async () => {
    lab = await startConnectionLab();
  });
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
    await lab.close();
  });

  async function serve(leaf: LabLeaf, behaviour: 'ok' | 'reset' = 'ok'): Promise<LabServer> {
    const server = await startTlsServer({ cert: leaf.chainPem, key: leaf.keyPem, behaviour });
    servers.push(server);
    return server;
  }

  test('a genuine chain passes and names the Microsoft root it reaches', async () => {
    const server = await serve(lab.pki.issueLeaf({ issuer: 'microsoft', hosts: [LOGIN] }));
    const result = await withoutLeaks(() => probeTls({ host: LOGIN, port: server.port }, lab.options(5000)));
    assert.equal(result.status, 'pass', JSON.stringify(result.failure));
    assert.equal(result.id, `tls:${LOGIN}:${server.port}`);
    assert.equal(result.detail.trusted, true);
    assert.equal(result.detail.microsoftRoot, lab.pki.microsoftRoot.name);
    assert.equal(result.detail.inspected, false);
    assert.equal(result.detail.address, '127.0.0.1');
    assert.equal(result.detail.proxy, null);
    const chain = result.detail.chain ?? [];
    assert.deepEqual(
      chain.map((c) => c.subject),
      [LOGIN, lab.pki.microsoftIntermediate.name, lab.pki.microsoftRoot.name],
    );
    assert.equal(chain[2].spkiSha256, lab.pki.microsoftRoot.spkiSha256);
    assert.deepEqual(
      chain.map((c) => c.selfSigned),
      [false, false, true],
    );
    assert.match(result.detail.protocol ?? '', /^TLSv1\.[23]$/);
    assert.ok(result.phases.dns > 0 && result.phases.connect > 0 && result.phases.tls > 0);
    assert.equal(result.phases.proxy, 0);
    assert.equal(result.failure, undefined);
  });

  test('an inspection chain the system trusts is a warning that names the inspector', async () => {
    const server = await serve(lab.pki.issueLeaf({ issuer: 'inspection', hosts: [LOGIN] }));
    const options = lab.options(5000, { alsoTrust: [lab.pki.inspectionRoot.certPem] });
    const result = await withoutLeaks(() => probeTls({ host: LOGIN, port: server.port }, options));
    assert.equal(result.status, 'warn');
    assert.equal(result.failure?.code, 'untrusted');
    assert.equal(result.failure?.phase, 'tls');
    assert.match(result.failure?.detail ?? '', /Lab Zscaler Root CA/);
    assert.equal(result.detail.trusted, true);
    assert.equal(result.detail.inspected, true);
    assert.equal(result.detail.microsoftRoot, null);
    assert.equal(result.detail.issuer, lab.pki.inspectionRoot.name);
  });

  test('through a TLS-inspecting proxy the system trusts: warn, with the proxy on the path', async () => {
    const genuine = await serve(lab.pki.issueLeaf({ issuer: 'microsoft', hosts: [LOGIN] }));
    const proxy = await startProxy({
      upstream: () => ({ host: '127.0.0.1', port: genuine.port }),
      inspect: { pki: lab.pki },
    });
    try {
      const options = lab.options(5000, { proxy: proxy.url, alsoTrust: [lab.pki.inspectionRoot.certPem] });
      const result = await withoutLeaks(() => probeTls({ host: LOGIN, port: 443 }, options));
      assert.equal(result.status, 'warn');
      assert.equal(result.detail.inspected, true);
      assert.equal(result.detail.issuer, lab.pki.inspectionRoot.name);
      assert.equal(result.detail.proxy, proxy.url);
      assert.ok(result.phases.proxy > 0);
      assert.deepEqual(proxy.connects, [{ target: `${LOGIN}:443`, authorized: true }]);
    } finally {
      await proxy.close();
    }
  });

  test('an inspection chain the system does not trust fails unknown_ca', async () => {
    const server = await serve(lab.pki.issueLeaf({ issuer: 'inspection', hosts: [LOGIN] }));
    const result = await probeTls({ host: LOGIN, port: server.port }, lab.options(5000));
    assert.equal(result.status, 'fail');
    assert.equal(result.failure?.code, 'unknown_ca');
    assert.equal(result.error?.code, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    assert.equal(result.detail.trusted, false);
    assert.equal(result.detail.inspected, true);
    assert.equal(result.detail.issuer, lab.pki.inspectionRoot.name);
  });

  test('an unknown self-signed root in the chain fails unknown_ca with OpenSSL naming it', async () => {
    const stranger = lab.pki.createCa({ name: 'Lab Stranger Root' });
    const server = await serve(lab.pki.issueLeaf({ issuer: stranger, hosts: [LOGIN] }));
    const result = await probeTls({ host: LOGIN, port: server.port }, lab.options(5000));
    assert.equal(result.failure?.code, 'unknown_ca');
    assert.equal(result.detail.issuer, 'Lab Stranger Root');
  });

  test('an expired leaf fails expired with CERT_HAS_EXPIRED', async () => {
    const server = await serve(lab.pki.expiredLeaf([LOGIN]));
    const result = await withoutLeaks(() => probeTls({ host: LOGIN, port: server.port }, lab.options(5000)));
    assert.equal(result.status, 'fail');
    assert.equal(result.failure?.code, 'expired');
    assert.equal(result.error?.code, 'CERT_HAS_EXPIRED');
    // Still the genuine chain: the root matched, so it is not inspection.
    assert.equal(result.detail.microsoftRoot, lab.pki.microsoftRoot.name);
    assert.equal(result.detail.inspected, false);
  });

  test('a leaf not yet valid fails not_yet_valid with CERT_NOT_YET_VALID', async () => {
    const server = await serve(lab.pki.notYetValidLeaf([LOGIN]));
    const result = await probeTls({ host: LOGIN, port: server.port }, lab.options(5000));
    assert.equal(result.failure?.code, 'not_yet_valid');
    assert.equal(result.error?.code, 'CERT_NOT_YET_VALID');
  });

  test('a trusted chain for another name fails hostname_mismatch', async () => {
    const server = await serve(lab.pki.wrongHostLeaf());
    const result = await probeTls({ host: LOGIN, port: server.port }, lab.options(5000));
    assert.equal(result.status, 'fail');
    assert.equal(result.failure?.code, 'hostname_mismatch');
    assert.equal(result.error?.code, 'ERR_TLS_CERT_ALTNAME_INVALID');
    assert.equal(result.detail.trusted, false);
    assert.equal(result.detail.chain?.[0].subject, 'unrelated.lab.test');
  });

  test('an IP literal target is checked against the IP addresses in the certificate', async () => {
    const withIp = await serve(lab.pki.issueLeaf({ issuer: 'microsoft', hosts: [LOGIN, '127.0.0.1'] }));
    const withoutIp = await serve(lab.pki.issueLeaf({ issuer: 'microsoft', hosts: [LOGIN] }));
    const good = await probeTls({ host: '127.0.0.1', port: withIp.port }, lab.options(5000));
    assert.equal(good.status, 'pass', JSON.stringify(good.failure));
    assert.equal(good.phases.dns, 0);
    const bad = await probeTls({ host: '127.0.0.1', port: withoutIp.port }, lab.options(5000));
    assert.equal(bad.failure?.code, 'hostname_mismatch');
  });

  test('a reset during the handshake is handshake_reset', async () => {
    const server = await serve(lab.pki.issueLeaf({ issuer: 'microsoft', hosts: [LOGIN] }), 'reset');
    const result = await withoutLeaks(() => probeTls({ host: LOGIN, port: server.port }, lab.options(5000)));
    assert.equal(result.status, 'fail');
    assert.equal(result.failure?.code, 'handshake_reset');
    assert.equal(result.failure?.phase, 'tls');
    assert.equal(result.error?.code, 'ECONNRESET');
    assert.ok(result.phases.connect > 0);
  });

  test('a server that accepts and never answers the ClientHello is handshake_timeout at the deadline', async () => {
    const held: Socket[] = [];
    const silent = createServer((socket) => held.push(socket.on('error', () => {})));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      const result = await withoutLeaks(() => probeTls({ host: LOGIN, port }, lab.options(600)));
      assert.equal(result.status, 'fail');
      assert.equal(result.failure?.code, 'handshake_timeout');
      assert.ok(result.phases.tls > 0);
    } finally {
      for (const socket of held) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  test('the interlock refuses a non-loopback literal before any socket', async () => {
    const options = lab.options(5000);
    const checked: string[] = [];
    const interlock: Interlock = options.ctx.interlock;
    options.ctx.interlock = {
      enabled: true,
      check(address) {
        checked.push(address);
        interlock.check(address);
      },
    };
    const before = process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
    const result = await probeTls({ host: '192.0.2.10', port: 443 }, options);
    assert.equal(result.status, 'error');
    assert.equal(result.failure?.code, 'interlock');
    assert.equal(result.error?.code, 'interlock');
    assert.deepEqual(checked, ['192.0.2.10']);
    assert.equal(result.phases.connect, 0);
    assert.equal(process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length, before);
  });
});
