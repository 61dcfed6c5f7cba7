import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { probeHttps } from '../../probes/https.ts';
import type { LabLeaf } from '../lab/pki.ts';
import { type LabProxy, type ProxyOptions, startProxy } from '../lab/proxy.ts';
import { type LabServer, startTlsServer, type TlsServerOptions } from '../lab/tls-server.ts';
import {
  type ConnectionLab,
  LOGIN,
  PROXY_HOST,
  startConnectionLab,
  TEAMS,
  withoutLeaks,
} from './connection-lab.ts';

describe('probeHttps against lab servers and proxies', () => {
  let lab: ConnectionLab;
  let leaf: LabLeaf;
  let origin: LabServer;
  const closers: { close(): Promise<void> }[] = [];

  before(async () => {
    lab = await startConnectionLab();
    leaf = lab.pki.issueLeaf({ issuer: 'microsoft', hosts: [LOGIN, TEAMS] });
    origin = await serve({});
  });
  after(async () => {
    await Promise.all(closers.map((c) => c.close()));
    await lab.close();
  });

  async function serve(options: Partial<TlsServerOptions>): Promise<LabServer> {
    const server = await startTlsServer({ cert: leaf.chainPem, key: leaf.keyPem, ...options });
    closers.push(server);
    return server;
  }

  async function proxy(options: Partial<ProxyOptions> = {}): Promise<LabProxy> {
    const started = await startProxy({
      upstream: () => ({ host: '127.0.0.1', port: origin.port }),
      ...options,
    });
    closers.push(started);
    return started;
  }

  test('a 200 from the origin passes, with every phase of the direct path timed', async () => {
    const result = await withoutLeaks(() =>
      probeHttps({ host: LOGIN, port: origin.port }, lab.options(5000)),
    );
    assert.equal(result.status, 'pass', JSON.stringify(result.failure));
    assert.equal(result.id, `https:${LOGIN}:${origin.port}`);
    assert.equal(result.detail.status, 200);
    assert.equal(result.detail.server, 'lab');
    assert.ok(result.detail.date && !Number.isNaN(Date.parse(result.detail.date)));
    assert.equal(result.detail.proxy, null);
    for (const phase of ['dns', 'connect', 'tls', 'firstByte'] as const)
      assert.ok(result.phases[phase] > 0, phase);
    assert.equal(result.phases.proxy, 0);
    assert.equal(origin.requests.at(-1)?.headers.host, `${LOGIN}:${origin.port}`);
  });

  test("the origin's own 403 without proxy fingerprints still passes", async () => {
    const server = await serve({ status: 403 });
    const result = await probeHttps({ host: LOGIN, port: server.port, path: '/common' }, lab.options(5000));
    assert.equal(result.status, 'pass');
    assert.equal(result.detail.status, 403);
    assert.equal(server.requests[0].url, '/common');
  });

  test('a 503 is http_5xx: the service, not the local network', async () => {
    const server = await serve({ status: 503 });
    const result = await withoutLeaks(() =>
      probeHttps({ host: LOGIN, port: server.port }, lab.options(5000)),
    );
    assert.equal(result.status, 'fail');
    assert.equal(result.failure?.code, 'http_5xx');
    assert.equal(result.error?.code, 'HTTP_503');
    assert.equal(result.detail.status, 503);
  });

  test('a 403 carrying a web filter header inside the tunnel is http_blocked', async () => {
    const server = await serve({ status: 403, headers: { 'X-Zscaler-Transaction-Id': 'lab-123' } });
    const result = await probeHttps({ host: LOGIN, port: server.port }, lab.options(5000));
    assert.equal(result.status, 'fail');
    assert.equal(result.failure?.code, 'http_blocked');
    assert.match(result.detail.blockedBy ?? '', /Zscaler/);
    assert.equal(result.detail.headers['x-zscaler-transaction-id'], 'lab-123');
  });

  test('through the open proxy: passes, with the proxy and its CONNECT time in the result', async () => {
    const open = await proxy();
    const result = await withoutLeaks(() =>
      probeHttps({ host: LOGIN, port: 443 }, lab.options(5000, { proxy: open.url })),
    );
    assert.equal(result.status, 'pass', JSON.stringify(result.failure));
    assert.equal(result.detail.proxy, open.url);
    assert.ok(result.phases.proxy > 0);
    assert.deepEqual(open.connects, [{ target: `${LOGIN}:443`, authorized: true }]);
  });

  test('a proxy that wants credentials is proxy_auth_required', async () => {
    const guarded = await proxy({ auth: { user: 'alice', password: 's3cret' } });
    const result = await withoutLeaks(() =>
      probeHttps({ host: LOGIN, port: 443 }, lab.options(5000, { proxy: guarded.url })),
    );
    assert.equal(result.status, 'fail');
    assert.equal(result.failure?.code, 'proxy_auth_required');
    assert.equal(result.failure?.phase, 'proxy');
    assert.equal(result.error?.code, 'HTTP_407');
    assert.equal(result.phases.tls, 0);
  });

  test('with credentials in the proxy URL (and the proxy found by name) it passes', async () => {
    const guarded = await proxy({ auth: { user: 'alice', password: 's3 cret' } });
    const url = `http://alice:s3%20cret@${PROXY_HOST}:${guarded.port}`;
    const result = await probeHttps({ host: LOGIN, port: 443 }, lab.options(5000, { proxy: url }));
    assert.equal(result.status, 'pass', JSON.stringify(result.failure));
    assert.deepEqual(guarded.connects, [{ target: `${LOGIN}:443`, authorized: true }]);
    assert.equal(result.detail.proxy, `http://alice@${PROXY_HOST}:${guarded.port}`);
    assert.ok(result.phases.dns > 0, 'the proxy name is resolved by the system resolver');
  });

  test('a host the proxy blocks is http_blocked, naming the proxy', async () => {
    const filtering = await proxy({ blockHosts: [TEAMS] });
    const result = await withoutLeaks(() =>
      probeHttps({ host: TEAMS, port: 443 }, lab.options(5000, { proxy: filtering.url })),
    );
    assert.equal(result.status, 'fail');
    assert.equal(result.failure?.code, 'http_blocked');
    assert.equal(result.detail.status, 403);
    assert.equal(result.detail.via, '1.1 lab-proxy');
    assert.match(result.detail.blockedBy ?? '', /Squid|ERR_ACCESS_DENIED/);
  });

  test('a proxy nobody listens on is proxy_unreachable', async () => {
    const gone = createServer();
    await new Promise<void>((resolve) => gone.listen(0, '127.0.0.1', resolve));
    const port = (gone.address() as { port: number }).port;
    await new Promise((resolve) => gone.close(resolve));
    const result = await withoutLeaks(() =>
      probeHttps({ host: LOGIN, port: 443 }, lab.options(5000, { proxy: `http://127.0.0.1:${port}` })),
    );
    assert.equal(result.status, 'fail');
    assert.equal(result.failure?.code, 'proxy_unreachable');
    assert.equal(result.failure?.phase, 'proxy');
    assert.equal(result.error?.code, 'ECONNREFUSED');
  });

  test('an untrusted chain fails with the tls code and no request is sent', async () => {
    const inspected = lab.pki.issueLeaf({ issuer: 'inspection', hosts: [LOGIN] });
    const server = await startTlsServer({ cert: inspected.chainPem, key: inspected.keyPem });
    closers.push(server);
    const result = await withoutLeaks(() =>
      probeHttps({ host: LOGIN, port: server.port }, lab.options(5000)),
    );
    assert.equal(result.status, 'fail');
    assert.equal(result.failure?.code, 'unknown_ca');
    assert.equal(result.failure?.phase, 'tls');
    assert.equal(result.error?.code, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    assert.equal(result.phases.firstByte, 0);
    assert.deepEqual(server.requests, []);
  });

  test('a server that completes TLS but never answers the GET is a timeout in the firstByte phase', async () => {
    const held: TLSSocket[] = [];
    // Reads the request (so it sees the client leave) and never answers.
    const mute = createTlsServer({ cert: leaf.chainPem, key: leaf.keyPem }, (s) =>
      held.push(s.on('error', () => {}).resume()),
    );
    await new Promise<void>((resolve) => mute.listen(0, '127.0.0.1', resolve));
    const port = (mute.address() as { port: number }).port;
    try {
      const result = await withoutLeaks(() => probeHttps({ host: LOGIN, port }, lab.options(700)));
      assert.equal(result.status, 'fail');
      assert.equal(result.failure?.code, 'timeout');
      assert.equal(result.failure?.phase, 'firstByte');
      assert.ok(result.phases.tls > 0 && result.phases.firstByte > 0);
    } finally {
      for (const socket of held) socket.destroy();
      await new Promise((resolve) => mute.close(resolve));
    }
  });

  test('the interlock refuses a non-loopback literal', async () => {
    const result = await probeHttps({ host: '192.0.2.10', port: 443 }, lab.options(5000));
    assert.equal(result.status, 'error');
    assert.equal(result.failure?.code, 'interlock');
  });
});
