/**
 * The lab's corporate proxy: an HTTP CONNECT proxy with optional Basic auth, a block list, and
 * an optional TLS-inspecting mode. It maps lab names (login.lab.test) to loopback servers
 * through `upstream`, and it never dials anything but loopback or a 10.213.x.x lab namespace.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect, isIP, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { isLoopback } from '../../probes/interlock.ts';
import type { LabPki } from './pki.ts';
import {
  blockPage,
  forwardRequest,
  type Refusal,
  refuseRaw,
  refuseResponse,
  tunnelUpgrade,
} from './proxy-forward.ts';
import { createInspector, type InspectedRequest } from './proxy-inspect.ts';
import { closeServer, hostPort, listen, socketSet } from './server-util.ts';

export interface ProxyOptions {
  /** Default 127.0.0.1. */
  address?: string;
  /** Default 0 (any free port). */
  port?: number;
  /** Require `Proxy-Authorization: Basic`; missing or wrong gets 407 + `Proxy-Authenticate: Basic realm="lab"`. */
  auth?: { user: string; password: string };
  /**
   * Where a target really is: maps the requested name and port (login.lab.test:443) to a lab
   * server's numeric address. null: the proxy cannot resolve it (502).
   */
  upstream: (host: string, port: number) => { host: string; port: number } | null;
  /** TLS inspection: re-sign every tunnel with an inspection-root leaf for the CONNECT host. */
  inspect?: { pki: LabPki; refuseWebSocket?: boolean };
  /** Hosts whose CONNECT (or plain request) gets 403 and a block page. */
  blockHosts?: string[];
  /**
   * Refuse WebSocket upgrades the proxy can see: plain-HTTP ones always, tunnelled ones only when
   * inspecting (an opaque tunnel hides them). 403 + `Via: 1.1 lab-proxy` + `X-Squid-Error`.
   */
  refuseWebSocket?: boolean;
}

/** One CONNECT the proxy received; `authorized` is true when no auth is configured. */
export interface ProxyConnect {
  target: string;
  authorized: boolean;
}

/** One plain-HTTP (absolute-form) request the proxy received. */
export interface ProxyRequest {
  method: string;
  url: string;
  authorized: boolean;
}

export interface LabProxy {
  address: string;
  port: number;
  /** `http://127.0.0.1:PORT`, for HTTPS_PROXY. */
  url: string;
  connects: ProxyConnect[];
  requests: ProxyRequest[];
  /** Requests read inside inspected tunnels. */
  inspected: InspectedRequest[];
  /** Changes the credentials asked for from the next request on (undefined: none, the proxy is open). */
  setAuth(auth: ProxyOptions['auth']): void;
  /** Stops listening and destroys every client, tunnel and upstream socket. */
  close(): Promise<void>;
}

interface Address {
  host: string;
  port: number;
}

/** Start the lab proxy. */
export async function startProxy(options: ProxyOptions): Promise<LabProxy> {
  const address = options.address ?? '127.0.0.1';
  const sockets = socketSet();
  const connects: ProxyConnect[] = [];
  const requests: ProxyRequest[] = [];
  const inspected: InspectedRequest[] = [];
  const inspector = options.inspect
    ? createInspector(
        {
          pki: options.inspect.pki,
          refuseWebSocket: options.inspect.refuseWebSocket ?? options.refuseWebSocket,
        },
        sockets,
        inspected,
      )
    : null;
  const blocked = new Set((options.blockHosts ?? []).map((h) => h.toLowerCase()));

  let auth = options.auth;
  function authorized(req: IncomingMessage): boolean {
    if (!auth) return true;
    const [scheme, token = ''] = (req.headers['proxy-authorization'] ?? '').split(' ');
    const expected = `${auth.user}:${auth.password}`;
    return scheme.toLowerCase() === 'basic' && Buffer.from(token, 'base64').toString('utf8') === expected;
  }

  /** The upstream to dial, or the answer a proxy gives instead. */
  function route(ok: boolean, target: Address): Address | Refusal {
    if (!ok) return AUTH_REQUIRED;
    if (blocked.has(target.host.toLowerCase())) return blockPage(`${target.host}:${target.port}`);
    const mapped = options.upstream(target.host, target.port);
    if (mapped === null) return badGateway('ERR_DNS_FAIL 0', `cannot resolve ${target.host}`);
    if (!isLabAddress(mapped.host)) {
      return badGateway(
        'ERR_ACCESS_DENIED 0',
        `lab proxy refuses upstream ${mapped.host}:${mapped.port} for ${target.host}: only loopback or 10.213.x.x IP literals are allowed`,
      );
    }
    return mapped;
  }

  const server = createServer();
  server.on('connection', (socket: Socket) => sockets.add(socket));

  server.on('connect', (req: IncomingMessage, client: Duplex, head: Buffer) => {
    client.on('error', () => {});
    const target = parseAuthority(req.url ?? '');
    const ok = authorized(req);
    connects.push({ target: req.url ?? '', authorized: ok });
    if (!target) {
      refuseRaw(client, {
        status: 400,
        reason: 'Bad Request',
        html: `lab proxy: bad CONNECT target "${req.url}"\n`,
      });
      return;
    }
    const upstream = route(ok, target);
    if ('status' in upstream) return refuseRaw(client, upstream);
    if (inspector) {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      inspector.intercept(client as Socket, head, target, upstream);
      return;
    }
    pipeTunnel(client as Socket, head, upstream);
  });

  function pipeTunnel(client: Socket, head: Buffer, to: Address): void {
    const upstream = connect({ host: to.host, port: to.port });
    sockets.add(upstream);
    let established = false;
    upstream.once('connect', () => {
      established = true;
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.once('error', (error: NodeJS.ErrnoException) => {
      if (!established) {
        refuseRaw(client, badGateway('ERR_CONNECT_FAIL 0', `${to.host}:${to.port}: ${error.message}`));
      } else if (error.code === 'ECONNRESET') {
        // An opaque tunnel passes a reset on, so the client sees what the server's path did.
        client.resetAndDestroy();
      }
    });
    upstream.once('close', () => {
      if (established) client.destroy();
    });
    client.once('close', () => upstream.destroy());
  }

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const target = parseAbsolute(req.url ?? '');
    const ok = authorized(req);
    requests.push({ method: req.method ?? '', url: req.url ?? '', authorized: ok });
    if (!target) {
      refuseResponse(res, {
        status: 400,
        reason: 'Bad Request',
        html: `lab proxy: expected an absolute http:// URL\n`,
      });
      return;
    }
    const upstream = route(ok, target);
    if ('status' in upstream) return refuseResponse(res, upstream);
    forwardRequest(req, res, target.path, upstream, sockets);
  });

  server.on('upgrade', (req: IncomingMessage, client: Duplex, head: Buffer) => {
    client.on('error', () => {});
    const target = parseAbsolute(req.url ?? '');
    const ok = authorized(req);
    requests.push({ method: req.method ?? '', url: req.url ?? '', authorized: ok });
    if (!target) return refuseRaw(client, { status: 400, reason: 'Bad Request' });
    const upstream = route(ok, target);
    if ('status' in upstream) return refuseRaw(client, upstream);
    if (options.refuseWebSocket) return refuseRaw(client, WEBSOCKET_DENIED);
    tunnelUpgrade(req, client, head, target.path, () => connect(upstream), sockets);
  });

  const port = await listen(server, address, options.port ?? 0);
  return {
    address,
    port,
    url: `http://${hostPort(address, port)}`,
    connects,
    requests,
    inspected,
    setAuth(next) {
      auth = next;
    },
    close: () => closeServer(server, sockets),
  };
}

const AUTH_REQUIRED: Refusal = {
  status: 407,
  reason: 'Proxy Authentication Required',
  squidError: 'ERR_CACHE_ACCESS_DENIED 0',
  headers: { 'Proxy-Authenticate': 'Basic realm="lab"' },
};

const WEBSOCKET_DENIED: Refusal = { status: 403, reason: 'Forbidden', squidError: 'ERR_ACCESS_DENIED 0' };

function badGateway(squidError: string, why: string): Refusal {
  return {
    status: 502,
    reason: 'Bad Gateway',
    squidError,
    html: `<html><body><h1>502 Bad Gateway</h1><p>${why}</p></body></html>\n`,
  };
}

/** Safety: the lab proxy only ever dials numeric loopback or 10.213.0.0/16 addresses. */
function isLabAddress(host: string): boolean {
  if (isIP(host) === 0) return false;
  if (isLoopback(host)) return true;
  return /^10\.213\.\d{1,3}\.\d{1,3}$/.test(host.replace(/^::ffff:/i, ''));
}

/** `host:port` or `[v6]:port` of a CONNECT request. */
function parseAuthority(authority: string): Address | null {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(authority);
  if (!match) return null;
  const port = Number(match[3]);
  if (port < 1 || port > 65535) return null;
  return { host: match[1] ?? match[2], port };
}

/** An absolute-form `http://host[:port]/path` request target. */
function parseAbsolute(target: string): (Address & { path: string }) | null {
  if (!/^http:\/\//i.test(target)) return null;
  try {
    const url = new URL(target);
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    return { host, port: Number(url.port || 80), path: url.pathname + url.search };
  } catch {
    return null;
  }
}
