/**
 * Lab web servers that play Microsoft's endpoints on loopback: HTTPS (or plain HTTP, for PAC
 * files and plain-HTTP date sources) with a chosen status, a skewed Date header, WebSocket
 * upgrades accepted or refused by a "firewall", or a TLS handshake reset in the path.
 */
import {
  createServer as createHttpServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { closeServer, hostPort, listen, socketSet } from './server-util.ts';

export interface HttpServerOptions {
  /** Default 127.0.0.1. */
  address?: string;
  /** Default 0 (any free port). */
  port?: number;
  /**
   * 'ok' and 'status' answer every request with `status` (default 200); 'reset' accepts TCP and
   * resets the connection (RST) as soon as the client's first bytes (the TLS ClientHello) arrive.
   */
  behaviour?: 'ok' | 'reset' | 'status';
  /** HTTP status for every non-upgrade request. Default 200. */
  status?: number;
  /** The Date header is real time plus this (ms); negative puts the server in the past. */
  dateOffsetMs?: number;
  /** Extra response headers; they override the defaults (Date, Server, Content-Type). */
  headers?: Record<string, string>;
  /** Response body. Default `lab <status>\n`. Serve a PAC file with this and a Content-Type header. */
  body?: string;
  /** 'accept' (default): 101 with a correct Sec-WebSocket-Accept, then echo. 'refuse': 403 + `Via: 1.1 lab-firewall`. */
  websocket?: 'accept' | 'refuse';
}

export interface TlsServerOptions extends HttpServerOptions {
  /** PEM chain the server sends: the leaf, then intermediates (LabLeaf.chainPem). */
  cert: string;
  /** PEM private key of the leaf. */
  key: string;
}

/** What the server saw, for assertions. Upgrade requests are recorded too. */
export interface LabRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

export interface LabServer {
  address: string;
  port: number;
  /** `127.0.0.1:PORT` or `[::1]:PORT`. */
  hostPort: string;
  requests: LabRequest[];
  /** Stops listening and destroys every open socket, upgraded ones included. */
  close(): Promise<void>;
}

export interface LabTlsServer extends LabServer {
  /**
   * Presents another certificate from the next handshake on (node:tls setSecureContext):
   * the network changes under a running client, as when an inspecting proxy is switched off.
   * Connections already open keep the old one.
   */
  setCertificate(cert: string, key: string): void;
}

/** Start an HTTPS lab server. */
export async function startTlsServer(options: TlsServerOptions): Promise<LabTlsServer> {
  let https: HttpsServer | undefined;
  const lab = await start(options, (onRequest) => {
    https = createHttpsServer(
      { cert: options.cert, key: options.key, ALPNProtocols: ['http/1.1'] },
      onRequest,
    );
    return https;
  });
  return {
    ...lab,
    setCertificate(cert, key) {
      if (https === undefined)
        throw new Error('setCertificate: this lab server resets handshakes; it has no certificate to change');
      https.setSecureContext({ cert, key });
    },
  };
}

/** Start a plain-HTTP lab server with the same behaviours (reset resets on the first request bytes). */
export async function startHttpServer(options: HttpServerOptions = {}): Promise<LabServer> {
  return start(options, (onRequest) => createHttpServer(onRequest));
}

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

async function start(
  options: HttpServerOptions,
  create: (onRequest: RequestListener) => Server,
): Promise<LabServer> {
  const address = options.address ?? '127.0.0.1';
  const requests: LabRequest[] = [];
  const sockets = socketSet();
  const server = options.behaviour === 'reset' ? resettingServer() : create(answer(options, requests));
  server.on('connection', (socket: Socket) => sockets.add(socket));
  // TLS sockets wrap the raw ones; keep both so close() never waits on a half-open handshake.
  server.on('secureConnection', (socket: Socket) => sockets.add(socket));
  if (options.behaviour !== 'reset') {
    const upgrade = upgradeHandler(options, requests);
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => upgrade(req, socket, head));
  }
  const port = await listen(server, address, options.port ?? 0);
  return {
    address,
    port,
    hostPort: hostPort(address, port),
    requests,
    close: () => closeServer(server, sockets),
  };
}

/** A TCP server that resets each connection when the client speaks (a middlebox killing the handshake). */
function resettingServer(): Server {
  return createNetServer((socket) => {
    socket.once('data', () => socket.resetAndDestroy());
  });
}

function answer(options: HttpServerOptions, requests: LabRequest[]): RequestListener {
  const status = options.status ?? 200;
  return (req, res) => {
    requests.push(record(req));
    req.resume();
    const body = options.body ?? `lab ${status}\n`;
    // Node would add its own (correct) Date; the lab needs a skewed one.
    res.sendDate = false;
    res.writeHead(status, {
      Date: labDate(options.dateOffsetMs),
      Server: 'lab',
      'Content-Type': 'text/plain; charset=utf-8',
      'Content-Length': String(Buffer.byteLength(body)),
      ...options.headers,
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
}

function upgradeHandler(options: HttpServerOptions, requests: LabRequest[]) {
  // ws validates the handshake (version 13, key) and computes Sec-WebSocket-Accept.
  const wss = options.websocket === 'refuse' ? null : new WebSocketServer({ noServer: true });
  return (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    requests.push(record(req));
    socket.on('error', () => {});
    if (wss === null || req.headers.upgrade?.toLowerCase() !== 'websocket') {
      socket.end(
        rawResponse(403, 'Forbidden', {
          Via: '1.1 lab-firewall',
          Date: labDate(options.dateOffsetMs),
          Server: 'lab',
        }),
      );
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('error', () => {});
      ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
    });
  };
}

/** RFC 7231 IMF-fixdate of real time plus the offset. */
function labDate(offsetMs = 0): string {
  return new Date(Date.now() + offsetMs).toUTCString();
}

function record(req: IncomingMessage): LabRequest {
  return { method: req.method ?? '', url: req.url ?? '', headers: req.headers };
}

/**
 * A complete HTTP/1.1 response as raw text, for sockets that are no longer driven by node:http
 * (upgrade requests, CONNECT answers). Adds an HTML body and Connection: close.
 */
export function rawResponse(
  status: number,
  reason: string,
  headers: Record<string, string>,
  html?: string,
): string {
  const body = html ?? `<html><body><h1>${status} ${reason}</h1></body></html>\n`;
  const lines = [
    `HTTP/1.1 ${status} ${reason}`,
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    'Content-Type: text/html; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
  ];
  return lines.join('\r\n') + '\r\n\r\n' + body;
}
