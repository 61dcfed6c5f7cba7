/**
 * The net guard itself, so "nothing tried to leave loopback" in the Teams tests means something:
 * with the allowed set narrowed to one loopback port, connects to another loopback port through
 * each client stack botbuilder and MSAL use (node:http, node:https/tls, fetch/undici) are refused
 * before they start and recorded. Only loopback is ever dialled here.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { guardNetwork } from './net-guard.ts';

let server: http.Server;
let allowedPort: number;

before(async () => {
  server = http.createServer((_req, res) => res.end('ok'));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  allowedPort = (server.address() as AddressInfo).port;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

function httpGet(url: string, client: typeof http | typeof https = http): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = client.get(url, { agent: false, rejectUnauthorized: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(String(res.statusCode)));
    });
    req.on('error', reject);
  });
}

test('connects outside the allowed set fail fast and are recorded; allowed ones work', async () => {
  // A port nothing listens on any more: were the guard bypassed, the error would be a real
  // ECONNREFUSED and `refused` would stay empty.
  const spare = http.createServer().listen(0, '127.0.0.1');
  await once(spare, 'listening');
  const blockedPort = (spare.address() as AddressInfo).port;
  spare.close();
  await once(spare, 'close');
  const guard = guardNetwork({ allow: (_host, port) => port === allowedPort });
  try {
    assert.equal(await httpGet(`http://127.0.0.1:${allowedPort}/`), '200');
    await assert.rejects(
      httpGet(`http://127.0.0.1:${blockedPort}/`),
      /net guard: connect to 127\.0\.0\.1:\d+ refused/,
    );
    await assert.rejects(httpGet(`https://127.0.0.1:${blockedPort}/`, https), /net guard/);
    await assert.rejects(fetch(`http://127.0.0.1:${blockedPort}/`), (error: Error & { cause?: Error }) => {
      assert.match(String(error.cause?.message), /net guard/);
      return true;
    });
    assert.deepEqual(guard.refused, [
      `127.0.0.1:${blockedPort}`,
      `127.0.0.1:${blockedPort}`,
      `127.0.0.1:${blockedPort}`,
    ]);
  } finally {
    guard.release();
  }
});

test('released, the guard no longer intervenes', async () => {
  const guard = guardNetwork({ allow: () => false });
  guard.release();
  assert.equal(await httpGet(`http://127.0.0.1:${allowedPort}/`), '200');
  assert.deepEqual(guard.refused, []);
});
