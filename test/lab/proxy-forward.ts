/**
 * What the lab proxy sends upstream and back: forwarded requests, raw WebSocket tunnels, and
 * the refusal pages a corporate proxy (Squid-like) answers with. Shared by the plain proxy and
 * the TLS-inspecting one.
 */
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { PeerCertificate } from 'node:tls';
import type { SocketSet } from './server-util.ts';
import { rawResponse } from './tls-server.ts';

/** The header every answer of the lab proxy carries, the way Squid marks its own pages. */
export const PROXY_VIA = '1.1 lab-proxy';

/** Headers that describe one hop and must not be forwarded (RFC 9110 7.6.1, plus proxy auth). */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authorization',
  'proxy-authenticate',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

function endToEnd(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!HOP_BY_HOP.has(name) && value !== undefined) out[name] = value;
  }
  return out;
}

export interface Refusal {
  status: number;
  reason: string;
  /** Squid's error tag, e.g. `ERR_ACCESS_DENIED 0`. */
  squidError?: string;
  headers?: Record<string, string>;
  html?: string;
}

function refusalHeaders(refusal: Refusal): Record<string, string> {
  return {
    Via: PROXY_VIA,
    ...(refusal.squidError ? { 'X-Squid-Error': refusal.squidError } : {}),
    ...refusal.headers,
  };
}

/** Answer on a raw socket (CONNECT, upgrade) and close it. */
export function refuseRaw(socket: Duplex, refusal: Refusal): void {
  socket.end(rawResponse(refusal.status, refusal.reason, refusalHeaders(refusal), refusal.html));
}

/** Answer through node:http and close the connection. */
export function refuseResponse(res: ServerResponse, refusal: Refusal): void {
  const body = refusal.html ?? `<html><body><h1>${refusal.status} ${refusal.reason}</h1></body></html>\n`;
  res.writeHead(refusal.status, refusal.reason, {
    ...refusalHeaders(refusal),
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(body)),
    Connection: 'close',
  });
  res.end(body);
}

/** The block page a filtering proxy shows for a denied site. */
export function blockPage(target: string): Refusal {
  return {
    status: 403,
    reason: 'Forbidden',
    squidError: 'ERR_ACCESS_DENIED 0',
    html: `<html><head><title>Access Denied</title></head><body><h1>Access Denied</h1><p>Access to ${target} is blocked by the lab proxy's policy.</p></body></html>\n`,
  };
}

/** Where a forwarded request goes: the mapped lab address, and for TLS how to verify it. */
export interface UpstreamRequest {
  host: string;
  port: number;
  /** Present for HTTPS upstreams (inspection): the CA bundle and the name to verify. */
  tls?: {
    ca: string[];
    servername?: string;
    checkServerIdentity: (host: string, cert: PeerCertificate) => Error | undefined;
  };
}

/** Forward one request upstream and relay the answer, marked with Via. Upstream failures become 502. */
export function forwardRequest(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  upstream: UpstreamRequest,
  sockets: SocketSet,
): void {
  const options = {
    host: upstream.host,
    port: upstream.port,
    method: req.method,
    path,
    headers: endToEnd(req.headers),
    agent: false as const,
    ...upstream.tls,
  };
  const out = upstream.tls ? httpsRequest(options) : httpRequest(options);
  out.on('socket', (socket: Socket) => sockets.add(socket));
  out.once('response', (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.statusMessage, {
      ...endToEnd(answer.headers),
      via: answer.headers.via ? `${answer.headers.via}, ${PROXY_VIA}` : PROXY_VIA,
    });
    answer.pipe(res);
  });
  out.once('error', (error) => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const tlsFailed = upstream.tls !== undefined && !('syscall' in error);
    refuseResponse(res, {
      status: 502,
      reason: 'Bad Gateway',
      squidError: tlsFailed ? 'ERR_SECURE_CONNECT_FAIL 0' : 'ERR_CONNECT_FAIL 0',
      html: `<html><body><h1>502 Bad Gateway</h1><p>lab proxy: upstream ${upstream.host}:${upstream.port} failed: ${error.message}</p></body></html>\n`,
    });
  });
  req.pipe(out);
}

/**
 * Relay a WebSocket upgrade byte for byte: replay the request head on a fresh upstream
 * connection, then pipe both ways, so the 101 and every frame come from the real server.
 */
export function tunnelUpgrade(
  req: IncomingMessage,
  client: Duplex,
  head: Buffer,
  path: string,
  dial: () => Socket,
  sockets: SocketSet,
): void {
  const upstream = dial();
  sockets.add(upstream);
  const lines = [`${req.method} ${path} HTTP/1.1`];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    if (req.rawHeaders[i].toLowerCase() !== 'proxy-authorization') {
      lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
    }
  }
  upstream.write(lines.join('\r\n') + '\r\n\r\n');
  if (head.length > 0) upstream.write(head);
  let answered = false;
  let refused = false;
  upstream.once('data', () => {
    answered = true;
  });
  upstream.once('error', () => {
    // Before the server spoke, the client gets a proxy error page; after, only a cut connection.
    if (answered) return;
    refused = true;
    refuseRaw(client, { status: 502, reason: 'Bad Gateway', squidError: 'ERR_CONNECT_FAIL 0' });
  });
  upstream.once('close', () => {
    if (!refused) client.destroy();
  });
  client.once('close', () => upstream.destroy());
  upstream.pipe(client);
  client.pipe(upstream);
}
