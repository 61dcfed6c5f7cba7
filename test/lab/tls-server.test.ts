import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { get } from 'node:http';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { within } from './deadline.ts';
import { createLabPki, type LabPki } from './pki.ts';
import { httpsGet, httpsUpgrade, tlsHandshake, upgradeHeaders } from './raw-clients.ts';
import { type LabServer, startHttpServer, startTlsServer, type TlsServerOptions } from './tls-server.ts';

const HOST = 'teams.lab.test';
const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/**
 * The Date header was made between `from` and `to` (epoch ms): bounds taken around the request,
 * so the check holds however slow the machine is. The header has whole seconds.
 */
function assertDateBetween(date: string | undefined, from: number, to: number): void {
  const at = Date.parse(date ?? '');
  assert.ok(
    at >= Math.floor(from / 1000) * 1000 && at <= to,
    `Date ${date} not between the request's bounds`,
  );
}

describe('lab tls server', () => {
  let pki: LabPki;
  let ca: string[];
  const servers: LabServer[] = [];
  before(() => {
    pki = createLabPki();
    ca = [pki.microsoftRoot.certPem];
  });
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });

  /** ws passes servername through to tls.connect, though its ClientOptions type does not list it. */
  function wsOptions(): WebSocket.ClientOptions {
    const options = { ca, servername: HOST };
    return options;
  }

  async function serve(options: Partial<TlsServerOptions> = {}): Promise<LabServer> {
    const leaf = pki.issueLeaf({ issuer: 'microsoft', hosts: [HOST] });
    const server = await startTlsServer({ cert: leaf.chainPem, key: leaf.keyPem, ...options });
    servers.push(server);
    return server;
  }

  it('answers GET with 200, Server: lab, a real Date, and records the request', async () => {
    const server = await serve();
    assert.equal(server.hostPort, `127.0.0.1:${server.port}`);
    const sent = Date.now();
    const res = await httpsGet(`https://${server.hostPort}/hello?x=1`, {
      ca,
      servername: HOST,
      headers: { 'X-Test': 'yes' },
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.server, 'lab');
    assertDateBetween(res.headers.date, sent, Date.now());
    assert.equal(server.requests.length, 1);
    assert.equal(server.requests[0].method, 'GET');
    assert.equal(server.requests[0].url, '/hello?x=1');
    assert.equal(server.requests[0].headers['x-test'], 'yes');
  });

  it('answers with the configured status, skewed Date and extra headers', async () => {
    const offset = -2 * 60 * 60 * 1000;
    const server = await serve({
      behaviour: 'status',
      status: 503,
      dateOffsetMs: offset,
      headers: { 'Retry-After': '30' },
    });
    const sent = Date.now();
    const res = await httpsGet(`https://${server.hostPort}/`, { ca, servername: HOST });
    assert.equal(res.status, 503);
    assert.equal(res.headers['retry-after'], '30');
    assert.match(res.headers.date ?? '', /^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
    assertDateBetween(res.headers.date, sent + offset, Date.now() + offset);
  });

  it("'reset' makes a TLS client get ECONNRESET", async () => {
    const server = await serve({ behaviour: 'reset' });
    await assert.rejects(tlsHandshake({ port: server.port, servername: HOST, ca }), { code: 'ECONNRESET' });
  });

  it('accepts a WebSocket upgrade with the correct Sec-WebSocket-Accept', async () => {
    const server = await serve();
    const headers = upgradeHeaders();
    const outcome = await httpsUpgrade(`https://${server.hostPort}/ws`, { ca, servername: HOST, headers });
    assert.equal(outcome.kind, 'upgraded');
    if (outcome.kind !== 'upgraded') return;
    outcome.socket.destroy();
    const expected = createHash('sha1')
      .update(headers['Sec-WebSocket-Key'] + WS_GUID)
      .digest('base64');
    assert.equal(outcome.headers['sec-websocket-accept'], expected);
    assert.equal(server.requests.at(-1)?.url, '/ws');
  });

  it('echoes WebSocket messages to a real ws client', async () => {
    const server = await serve();
    const ws = new WebSocket(`wss://${server.hostPort}/`, wsOptions());
    await once(ws, 'open');
    ws.send('ping');
    const [data] = await once(ws, 'message');
    assert.equal(String(data), 'ping');
    ws.terminate();
  });

  it("websocket 'refuse' answers 403 with Via: 1.1 lab-firewall", async () => {
    const server = await serve({ websocket: 'refuse' });
    const outcome = await httpsUpgrade(`https://${server.hostPort}/`, { ca, servername: HOST });
    assert.equal(outcome.kind, 'answered');
    if (outcome.kind !== 'answered') return;
    assert.equal(outcome.status, 403);
    assert.equal(outcome.headers.via, '1.1 lab-firewall');
  });

  it('close() destroys open and upgraded connections', async () => {
    const leaf = pki.issueLeaf({ issuer: 'microsoft', hosts: [HOST] });
    // Not pushed to `servers`: this test closes it itself.
    const server = await startTlsServer({ cert: leaf.chainPem, key: leaf.keyPem });
    const idle = await tlsHandshake({ port: server.port, servername: HOST, ca });
    const ws = new WebSocket(`wss://${server.hostPort}/`, wsOptions());
    await once(ws, 'open');
    const idleClosed = once(idle, 'close');
    const wsClosed = once(ws, 'close');
    // Neither client closes its side: close() resolving at all means the server destroyed both
    // (a listener's close waits for every connection), and each client then sees the close.
    await within(server.close(), 'close() with an idle TLS connection and an upgraded WebSocket open');
    await within(idleClosed, 'the idle TLS connection closed by the server');
    const [code] = await within(wsClosed, 'the WebSocket closed by the server');
    // 1006: the connection went away without a close frame, so the server destroyed it.
    assert.equal(code, 1006);
    assert.equal(ws.readyState, WebSocket.CLOSED);
  });

  it('startHttpServer serves a PAC file over plain HTTP', async () => {
    const pac = 'function FindProxyForURL(url, host) { return "DIRECT"; }';
    const server = await startHttpServer({
      body: pac,
      headers: { 'Content-Type': 'application/x-ns-proxy-autoconfig' },
    });
    servers.push(server);
    const res = await new Promise<{ status: number; type: string; body: string }>((resolve, reject) => {
      get(`http://${server.hostPort}/proxy.pac`, async (r) => {
        let body = '';
        for await (const chunk of r) body += chunk;
        resolve({ status: r.statusCode ?? 0, type: r.headers['content-type'] ?? '', body });
      }).once('error', reject);
    });
    assert.deepEqual(res, { status: 200, type: 'application/x-ns-proxy-autoconfig', body: pac });
  });
});
