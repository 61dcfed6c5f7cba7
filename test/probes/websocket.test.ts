import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createServer as createTlsServer, type Server } from 'node:tls';
import { acceptFor, probeWebSocket } from '../../probes/websocket.ts';
import type { LabLeaf } from '../lab/pki.ts';
import { type LabProxy, type ProxyOptions, startProxy } from '../lab/proxy.ts';
import { type LabServer, startTlsServer } from '../lab/tls-server.ts';
import { type ConnectionLab, startConnectionLab, TROUTER, withoutLeaks } from './connection-lab.ts';

describe('probeWebSocket against lab servers and proxies', () => {
  let lab: ConnectionLab;
  let leaf: LabLeaf;
  let accepting: LabServer;
  const closers: { close(): Promise<void> }[] = [];

  before(async () => {
    lab = await startConnectionLab();
    leaf = lab.pki.issueLeaf({ issuer: 'microsoft', hosts: [TROUTER] });
    accepting = await startTlsServer({ cert: leaf.chainPem, key: leaf.keyPem, websocket: 'accept' });
    closers.push(accepting);
  });
  after(async () => {
    await Promise.all(closers.map((c) => c.close()));
    await lab.close();
  });

  async function proxy(options: Partial<ProxyOptions> = {}): Promise<LabProxy> {
    const started = await startProxy({
      upstream: () => ({ host: '127.0.0.1', port: accepting.port }),
      ...options,
    });
    closers.push(started);
    return started;
  }

  test('a 101 with the right Sec-WebSocket-Accept passes', async () => {
    const target = { host: TROUTER, port: accepting.port, path: '/v4/c' };
    const result = await withoutLeaks(() => probeWebSocket(target, lab.options(5000)));
    assert.equal(result.status, 'pass', JSON.stringify(result.failure));
    assert.equal(result.id, `websocket:${TROUTER}:${accepting.port}`);
    assert.equal(result.detail.status, 101);
    assert.ok(result.phases.firstByte > 0 && result.phases.tls > 0);
    const seen = accepting.requests.at(-1);
    assert.equal(seen?.url, '/v4/c');
    assert.equal(seen?.headers.upgrade, 'websocket');
    assert.equal(seen?.headers['sec-websocket-version'], '13');
  });

  test('the accept value follows RFC 6455', () => {
    // The example handshake of RFC 6455 section 1.3.
    assert.equal(acceptFor('dGhlIHNhbXBsZSBub25jZQ=='), 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  });

  test('a 101 with a wrong accept value is upgrade_refused', async () => {
    const liar: Server = createTlsServer({ cert: leaf.chainPem, key: leaf.keyPem }, (socket) => {
      socket.on('error', () => {});
      socket.once('data', () =>
        socket.end(
          'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: bm9wZQ==\r\n\r\n',
        ),
      );
    });
    await new Promise<void>((resolve) => liar.listen(0, '127.0.0.1', resolve));
    const port = (liar.address() as { port: number }).port;
    try {
      const result = await withoutLeaks(() =>
        probeWebSocket({ host: TROUTER, port, path: '/' }, lab.options(5000)),
      );
      assert.equal(result.status, 'fail');
      assert.equal(result.failure?.code, 'upgrade_refused');
      assert.equal(result.detail.status, 101);
      assert.match(result.failure?.detail ?? '', /Sec-WebSocket-Accept/);
    } finally {
      await new Promise((resolve) => liar.close(resolve));
    }
  });

  test('a server that refuses the upgrade with 403 is upgrade_refused, with its Via', async () => {
    const refusing = await startTlsServer({ cert: leaf.chainPem, key: leaf.keyPem, websocket: 'refuse' });
    closers.push(refusing);
    const result = await withoutLeaks(() =>
      probeWebSocket({ host: TROUTER, port: refusing.port, path: '/' }, lab.options(5000)),
    );
    assert.equal(result.status, 'fail');
    assert.equal(result.failure?.code, 'upgrade_refused');
    assert.equal(result.error?.code, 'HTTP_403');
    assert.equal(result.detail.status, 403);
    assert.equal(result.detail.via, '1.1 lab-firewall');
    assert.match(result.detail.blockedBy ?? '', /lab-firewall/);
  });

  test('through the open proxy the tunnel carries the upgrade and it passes', async () => {
    const open = await proxy();
    const result = await probeWebSocket(
      { host: TROUTER, port: 443, path: '/' },
      lab.options(5000, { proxy: open.url }),
    );
    assert.equal(result.status, 'pass', JSON.stringify(result.failure));
    assert.equal(result.detail.proxy, open.url);
    assert.ok(result.phases.proxy > 0);
  });

  test('an inspecting proxy that refuses WebSockets is upgrade_refused, naming it', async () => {
    const inspecting = await proxy({ inspect: { pki: lab.pki, refuseWebSocket: true } });
    const options = lab.options(5000, { proxy: inspecting.url, alsoTrust: [lab.pki.inspectionRoot.certPem] });
    const result = await withoutLeaks(() => probeWebSocket({ host: TROUTER, port: 443, path: '/' }, options));
    assert.equal(result.status, 'fail');
    assert.equal(result.failure?.code, 'upgrade_refused');
    assert.equal(result.detail.status, 403);
    assert.match(result.detail.blockedBy ?? '', /x-squid-error: ERR_ACCESS_DENIED/);
    assert.equal(inspecting.inspected.at(-1)?.websocket, true);
  });

  test('a proxy that refuses CONNECT to the host by policy: proxy_refused, naming the proxy', async () => {
    const filtering = await proxy({ blockHosts: [TROUTER] });
    const result = await probeWebSocket(
      { host: TROUTER, port: 443, path: '/' },
      lab.options(5000, { proxy: filtering.url }),
    );
    assert.equal(result.status, 'fail');
    assert.equal(result.failure?.code, 'proxy_refused');
    assert.equal(result.detail.status, 403);
    assert.match(result.detail.blockedBy ?? '', /ERR_ACCESS_DENIED/);
  });

  test('an inspecting proxy the system does not trust fails on the chain before any upgrade', async () => {
    const inspecting = await proxy({ inspect: { pki: lab.pki } });
    const result = await probeWebSocket(
      { host: TROUTER, port: 443, path: '/' },
      lab.options(5000, { proxy: inspecting.url }),
    );
    assert.equal(result.status, 'fail');
    assert.equal(result.failure?.code, 'unknown_ca');
    assert.deepEqual(inspecting.inspected, []);
  });
});
