import assert from 'node:assert/strict';
import { once } from 'node:events';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { createLabPki, type LabPki } from './pki.ts';
import { type LabProxy, type ProxyOptions, startProxy } from './proxy.ts';
import {
  basicAuth,
  proxyConnect,
  refusalBody,
  requestOver,
  tlsHandshake,
  upgradeHeaders,
} from './raw-clients.ts';
import { type LabServer, startHttpServer, startTlsServer } from './tls-server.ts';

const LOGIN = 'login.lab.test';
const TROUTER = 'trouter.lab.test';
const PAC = 'pac.lab.test';

describe('lab proxy', () => {
  let pki: LabPki;
  let https: LabServer;
  let refusingFirewall: LabServer;
  let plain: LabServer;
  const closers: Array<{ close(): Promise<void> }> = [];

  before(async () => {
    pki = createLabPki();
    const leaf = pki.issueLeaf({ issuer: 'microsoft', hosts: [LOGIN, TROUTER] });
    https = await startTlsServer({ cert: leaf.chainPem, key: leaf.keyPem, status: 503 });
    refusingFirewall = await startTlsServer({ cert: leaf.chainPem, key: leaf.keyPem, websocket: 'refuse' });
    plain = await startHttpServer({ body: 'function FindProxyForURL() { return "DIRECT"; }' });
    closers.push(https, refusingFirewall, plain);
  });
  after(async () => {
    await Promise.all(closers.map((c) => c.close()));
  });

  /** Lab DNS for the proxy: the two names go to the HTTPS server, pac to the HTTP one. */
  function upstream(host: string, _port: number) {
    if (host === LOGIN || host === TROUTER) return { host: '127.0.0.1', port: https.port };
    if (host === PAC) return { host: '127.0.0.1', port: plain.port };
    return null;
  }

  async function proxy(options: Partial<ProxyOptions> = {}): Promise<LabProxy> {
    const started = await startProxy({ upstream, ...options });
    closers.push(started);
    return started;
  }

  it('answers 407 with Proxy-Authenticate without or with wrong credentials', async () => {
    const p = await proxy({ auth: { user: 'alice', password: 's3cret' } });
    const none = await proxyConnect(p.port, `${LOGIN}:443`);
    none.socket.destroy();
    assert.equal(none.status, 407);
    assert.equal(none.headers['proxy-authenticate'], 'Basic realm="lab"');
    const wrong = await proxyConnect(p.port, `${LOGIN}:443`, basicAuth('alice', 'nope'));
    wrong.socket.destroy();
    assert.equal(wrong.status, 407);
    assert.deepEqual(p.connects, [
      { target: `${LOGIN}:443`, authorized: false },
      { target: `${LOGIN}:443`, authorized: false },
    ]);
  });

  it('tunnels with credentials to the real server and its Microsoft chain', async () => {
    const p = await proxy({ auth: { user: 'alice', password: 's3cret' } });
    assert.equal(p.url, `http://127.0.0.1:${p.port}`);
    const tunnel = await proxyConnect(p.port, `${LOGIN}:443`, basicAuth('alice', 's3cret'));
    assert.equal(tunnel.status, 200);
    const tls = await tlsHandshake({
      port: 0,
      socket: tunnel.socket,
      servername: LOGIN,
      ca: [pki.microsoftRoot.certPem],
    });
    assert.equal(tls.getPeerCertificate().issuer.CN, pki.microsoftIntermediate.name);
    const answer = await requestOver(tls, LOGIN, '/common');
    tls.destroy();
    assert.equal(answer.kind === 'answered' && answer.status, 503);
    assert.deepEqual(p.connects.at(-1), { target: `${LOGIN}:443`, authorized: true });
  });

  it('answers 502 for unknown names and refuses non-lab upstreams without dialling', async () => {
    const p = await proxy({
      upstream: (host) => (host === 'outside.lab.test' ? { host: '192.0.2.10', port: 443 } : null),
    });
    const unknown = await proxyConnect(p.port, 'nowhere.lab.test:443');
    unknown.socket.destroy();
    assert.equal(unknown.status, 502);
    const outside = await proxyConnect(p.port, 'outside.lab.test:443');
    const body = await refusalBody(outside);
    assert.equal(outside.status, 502);
    assert.match(body, /refuses upstream 192\.0\.2\.10:443/);
  });

  it('passes a reset behind the tunnel on to the client as a reset, not a close', async () => {
    const leaf = pki.issueLeaf({ issuer: 'microsoft', hosts: [LOGIN] });
    const resetting = await startTlsServer({ cert: leaf.chainPem, key: leaf.keyPem, behaviour: 'reset' });
    closers.push(resetting);
    const p = await proxy({ upstream: () => ({ host: '127.0.0.1', port: resetting.port }) });
    const tunnel = await proxyConnect(p.port, `${LOGIN}:443`);
    assert.equal(tunnel.status, 200);
    // A raw socket tells RST (error ECONNRESET) from FIN (end); a TLS client reports both as ECONNRESET.
    const outcome = new Promise<string>((resolve) => {
      tunnel.socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
      tunnel.socket.once('end', () => resolve('end'));
    });
    tunnel.socket.write('not a ClientHello, but the first bytes all the same');
    assert.equal(await outcome, 'ECONNRESET');
  });

  it('blocks listed hosts with a 403 block page', async () => {
    const p = await proxy({ blockHosts: [LOGIN] });
    const blocked = await proxyConnect(p.port, `${LOGIN}:443`);
    const body = await refusalBody(blocked);
    assert.equal(blocked.status, 403);
    assert.equal(blocked.headers.via, '1.1 lab-proxy');
    assert.equal(blocked.headers['x-squid-error'], 'ERR_ACCESS_DENIED 0');
    assert.match(body, /<h1>Access Denied<\/h1>/);
  });

  it('inspect mode presents an inspection-CA leaf and forwards to the real server', async () => {
    const p = await proxy({ inspect: { pki } });
    const first = await proxyConnect(p.port, `${LOGIN}:443`);
    await assert.rejects(
      tlsHandshake({ port: 0, socket: first.socket, servername: LOGIN, ca: [pki.microsoftRoot.certPem] }),
      { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' },
    );
    const second = await proxyConnect(p.port, `${LOGIN}:443`);
    const tls = await tlsHandshake({
      port: 0,
      socket: second.socket,
      servername: LOGIN,
      ca: [pki.inspectionRoot.certPem],
    });
    const peer = tls.getPeerCertificate();
    assert.equal(peer.subject.CN, LOGIN);
    assert.equal(peer.issuer.CN, 'Lab Zscaler Root CA');
    const seenBefore = https.requests.length;
    const answer = await requestOver(tls, LOGIN, '/inspected');
    tls.destroy();
    assert.equal(answer.kind, 'answered');
    if (answer.kind !== 'answered') return;
    assert.equal(answer.status, 503);
    assert.equal(answer.headers.via, '1.1 lab-proxy');
    assert.equal(answer.headers.server, 'lab');
    assert.equal(https.requests.length, seenBefore + 1);
    assert.equal(https.requests.at(-1)?.url, '/inspected');
    assert.deepEqual(p.inspected, [
      { url: `https://${LOGIN}:443/inspected`, method: 'GET', websocket: false },
    ]);
  });

  async function inspectedUpgrade(p: LabProxy, host: string) {
    const tunnel = await proxyConnect(p.port, `${host}:443`);
    const tls = await tlsHandshake({
      port: 0,
      socket: tunnel.socket,
      servername: host,
      ca: [pki.inspectionRoot.certPem],
    });
    return requestOver(tls, host, '/ws', upgradeHeaders());
  }

  it('inspect mode with refuseWebSocket answers an upgrade with 403, Via and X-Squid-Error', async () => {
    const p = await proxy({ inspect: { pki, refuseWebSocket: true } });
    const upgradesBefore = https.requests.filter((r) => r.headers.upgrade).length;
    const outcome = await inspectedUpgrade(p, TROUTER);
    assert.equal(outcome.kind, 'answered');
    if (outcome.kind !== 'answered') return;
    assert.equal(outcome.status, 403);
    assert.equal(outcome.headers.via, '1.1 lab-proxy');
    assert.equal(outcome.headers['x-squid-error'], 'ERR_ACCESS_DENIED 0');
    assert.equal(https.requests.filter((r) => r.headers.upgrade).length, upgradesBefore);
  });

  it('inspect mode relays a WebSocket upgrade to the server when allowed', async () => {
    const p = await proxy({ inspect: { pki } });
    const outcome = await inspectedUpgrade(p, TROUTER);
    assert.equal(outcome.kind, 'upgraded');
    if (outcome.kind === 'upgraded') outcome.socket.destroy();
    assert.equal(https.requests.at(-1)?.headers.host, TROUTER);
  });

  it("relays the upstream's own refusal (a firewall behind the proxy)", async () => {
    const p = await proxy({
      inspect: { pki },
      upstream: () => ({ host: '127.0.0.1', port: refusingFirewall.port }),
    });
    const outcome = await inspectedUpgrade(p, TROUTER);
    assert.equal(outcome.kind === 'answered' && outcome.headers.via, '1.1 lab-firewall');
  });

  function plainGet(p: LabProxy, url: string, headers: Record<string, string> = {}) {
    return new Promise<{ status: number; body: string; via?: string }>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port: p.port, path: url, headers, agent: false },
        async (res) => {
          let body = '';
          for await (const chunk of res) body += chunk;
          resolve({ status: res.statusCode ?? 0, body, via: res.headers.via });
        },
      );
      req.once('error', reject);
      req.end();
    });
  }

  it('forwards absolute-form plain-HTTP requests, behind auth', async () => {
    const p = await proxy({ auth: { user: 'bob', password: 'pw' } });
    const denied = await plainGet(p, `http://${PAC}/proxy.pac`);
    assert.equal(denied.status, 407);
    const res = await plainGet(p, `http://${PAC}/proxy.pac`, basicAuth('bob', 'pw'));
    assert.deepEqual(res, {
      status: 200,
      body: 'function FindProxyForURL() { return "DIRECT"; }',
      via: '1.1 lab-proxy',
    });
    assert.equal(plain.requests.at(-1)?.url, '/proxy.pac');
    assert.equal(plain.requests.at(-1)?.headers['proxy-authorization'], undefined);
  });

  it('refuseWebSocket refuses plain-HTTP upgrades it can see and relays them otherwise', async () => {
    const upgradeVia = (p: LabProxy) =>
      new Promise<number>((resolve, reject) => {
        const req = request({
          host: '127.0.0.1',
          port: p.port,
          path: `http://${PAC}/ws`,
          headers: upgradeHeaders(),
          agent: false,
        });
        req.once('upgrade', (res, socket) => {
          socket.destroy();
          resolve(res.statusCode ?? 0);
        });
        req.once('response', (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.once('error', reject);
        req.end();
      });
    assert.equal(await upgradeVia(await proxy({ refuseWebSocket: true })), 403);
    assert.equal(await upgradeVia(await proxy()), 101);
  });

  it('close() destroys open tunnels', async () => {
    const p = await startProxy({ upstream });
    const tunnel = await proxyConnect(p.port, `${LOGIN}:443`);
    assert.equal(tunnel.status, 200);
    const closed = once(tunnel.socket, 'close');
    await p.close();
    await closed;
  });
});
