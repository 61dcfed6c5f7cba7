/**
 * Bare node:tls / node:https clients for the lab's self-tests. The probes are tested against the
 * lab elsewhere; these check the lab itself with nothing of ours in between.
 */
import { randomBytes } from 'node:crypto';
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { request } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect, type TLSSocket } from 'node:tls';

export interface HandshakeOptions {
  port: number;
  host?: string;
  /** The name to check the certificate against (and send as SNI). */
  servername?: string;
  ca: string[];
  /** An existing stream to run TLS over (a CONNECT tunnel). */
  socket?: Duplex;
}

/** Resolves with the connected socket after a verified handshake; rejects with the TLS error. */
export function tlsHandshake(options: HandshakeOptions): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = connect({
      host: options.host ?? '127.0.0.1',
      port: options.port,
      servername: options.servername,
      ca: options.ca,
      socket: options.socket,
    });
    socket.once('secureConnect', () => resolve(socket));
    socket.once('error', (error) => {
      socket.destroy();
      reject(error);
    });
  });
}

export interface HttpsResult {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface HttpsGetOptions {
  ca: string[];
  servername?: string;
  headers?: Record<string, string>;
}

/** One GET over a fresh connection (no agent pooling to leak between tests). */
export function httpsGet(url: string, options: HttpsGetOptions): Promise<HttpsResult> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      ca: options.ca,
      servername: options.servername,
      headers: options.headers,
      agent: false,
    });
    req.once('response', (res) => resolve(readAll(res)));
    req.once('error', reject);
    req.end();
  });
}

async function readAll(res: IncomingMessage): Promise<HttpsResult> {
  let body = '';
  for await (const chunk of res) body += chunk;
  return { status: res.statusCode ?? 0, headers: res.headers, body };
}

/** Headers of a WebSocket upgrade request with a fresh key. */
export function upgradeHeaders(): Record<string, string> {
  return {
    Connection: 'Upgrade',
    Upgrade: 'websocket',
    'Sec-WebSocket-Version': '13',
    'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
  };
}

/** 'answered': any answer other than 101 Switching Protocols. */
export type HttpOutcome =
  | { kind: 'upgraded'; headers: IncomingHttpHeaders; socket: Duplex }
  | ({ kind: 'answered' } & HttpsResult);

/** Send a WebSocket upgrade over HTTPS and report whether the server switched protocols. */
export function httpsUpgrade(url: string, options: HttpsGetOptions): Promise<HttpOutcome> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      ca: options.ca,
      servername: options.servername,
      headers: { ...upgradeHeaders(), ...options.headers },
      agent: false,
    });
    req.once('upgrade', (res, socket) => resolve({ kind: 'upgraded', headers: res.headers, socket }));
    req.once('response', async (res) => resolve({ kind: 'answered', ...(await readAll(res)) }));
    req.once('error', reject);
    req.end();
  });
}

export interface ConnectOutcome {
  status: number;
  headers: IncomingHttpHeaders;
  /** The tunnel when status is 200; otherwise the rest of the answer is readable from it. */
  socket: Socket;
  /** Bytes that arrived after the response head (the start of a refusal's body). */
  head: Buffer;
}

/** The body of a refused CONNECT: the bytes after the head, then the socket until it closes. */
export async function refusalBody(outcome: ConnectOutcome): Promise<string> {
  let body = outcome.head.toString('utf8');
  for await (const chunk of outcome.socket) body += chunk;
  return body;
}

/** Send `CONNECT target` to the proxy at 127.0.0.1:proxyPort. Resolves for any status. */
export function proxyConnect(proxyPort: number, target: string, headers: Record<string, string> = {}) {
  return new Promise<ConnectOutcome>((resolve, reject) => {
    const req = httpRequest({
      host: '127.0.0.1',
      port: proxyPort,
      method: 'CONNECT',
      path: target,
      headers: { Host: target, ...headers },
      agent: false,
    });
    req.once('connect', (res, socket, head) => {
      socket.on('error', () => {});
      resolve({ status: res.statusCode ?? 0, headers: res.headers, socket, head });
    });
    req.once('error', reject);
    req.end();
  });
}

/** `Proxy-Authorization` for Basic credentials. */
export function basicAuth(user: string, password: string): Record<string, string> {
  return { 'Proxy-Authorization': `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` };
}

/** One HTTP/1.1 request over an already-open stream (a TLS session inside a tunnel). */
export function requestOver(
  socket: Duplex,
  host: string,
  path: string,
  headers: Record<string, string> = {},
) {
  return new Promise<HttpOutcome>((resolve, reject) => {
    // Host set explicitly: node would append :80 for a request without an agent's port.
    const req = httpRequest({
      path,
      headers: { Host: host, ...headers },
      createConnection: () => socket as Socket,
    });
    req.once('upgrade', (res, upgraded) =>
      resolve({ kind: 'upgraded', headers: res.headers, socket: upgraded }),
    );
    req.once('response', async (res) => resolve({ kind: 'answered', ...(await readAll(res)) }));
    req.once('error', reject);
    req.end();
  });
}
